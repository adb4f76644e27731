"""Every test (and every process a test starts) keeps its datasets in a private data directory
and database, never in the user's ~/.local/share/cityrank: ``CITYRANK_DATA_DIR`` is set for the
session before anything opens a store. ``CITYRANK_DATABASE_URL`` is cleared so the default is
SQLite; the PostgreSQL tests (tests/store) start their own server and pass its URL explicitly.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_DIR = tempfile.mkdtemp(prefix="cityrank-test-data-")
os.environ["CITYRANK_DATA_DIR"] = _DIR
os.environ.pop("CITYRANK_DATABASE_URL", None)


def pytest_unconfigure(config):
    shutil.rmtree(_DIR, ignore_errors=True)


# One headless Debian Chromium per test session, for every test that drives a browser (web,
# CLI publish, map files): Playwright's sync API cannot be started twice in one process.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    import shutil

    exe = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()
