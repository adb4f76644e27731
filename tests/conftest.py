"""Every test (and every process a test starts) keeps its datasets in a private data directory
and database, never in the user's ~/.local/share/cityrank: ``CITYRANK_DATA_DIR`` is set for the
session before anything opens a store. ``CITYRANK_DATABASE_URL`` is cleared so the default is
SQLite; the PostgreSQL tests (tests/store) start their own server and pass its URL explicitly.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_DIR = tempfile.mkdtemp(prefix="cityrank-test-data-")
os.environ["CITYRANK_DATA_DIR"] = _DIR
os.environ.pop("CITYRANK_DATABASE_URL", None)


def pytest_unconfigure(config):
    shutil.rmtree(_DIR, ignore_errors=True)
