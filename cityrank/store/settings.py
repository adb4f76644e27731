"""Where cityrank keeps what it stores: one data directory and one database URL.

* The data directory holds the embedded database (SQLite, ``cityrank.sqlite3``) and the
  private temporary directory of uploads (``tmp/``). It is ``$CITYRANK_DATA_DIR``, else the
  per-user data directory of the platform (``~/.local/share/cityrank`` on Linux,
  ``%LOCALAPPDATA%\\cityrank`` on Windows, via platformdirs). Never inside the installed
  package: a wheel's files are read-only and shared by every user.
* The database is ``$CITYRANK_DATABASE_URL`` when set (for servers: PostgreSQL,
  ``postgresql+psycopg://user:password@host/dbname``), else SQLite in the data directory.

>>> database_url("/srv/cityrank")
'sqlite:////srv/cityrank/cityrank.sqlite3'
>>> redact("postgresql+psycopg://cr:secret@db.example/cityrank")
'postgresql+psycopg://cr:***@db.example/cityrank'
"""

from __future__ import annotations

import os
from pathlib import Path

from cityrank import paths
from cityrank.errors import ConfigError

ENV_DATA_DIR = "CITYRANK_DATA_DIR"
ENV_DATABASE_URL = "CITYRANK_DATABASE_URL"
SQLITE_NAME = "cityrank.sqlite3"
APP_NAME = "cityrank"


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data directory (``explicit``, else ``$CITYRANK_DATA_DIR``, else the per-user one)."""
    raw = explicit or os.environ.get(ENV_DATA_DIR)
    if raw:
        path = Path(raw).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    path = path.resolve()
    if path == paths.PACKAGE_DIR or paths.PACKAGE_DIR in path.parents:
        raise ConfigError(f"{path}: the data directory must not be inside the installed package "
                          f"({paths.PACKAGE_DIR}); set {ENV_DATA_DIR} to a directory of your own")
    return path


def database_url(directory: str | Path | None = None, explicit: str | None = None) -> str:
    """``explicit``, else ``$CITYRANK_DATABASE_URL``, else SQLite in the data directory."""
    url = explicit or os.environ.get(ENV_DATABASE_URL)
    if url:
        return url
    return f"sqlite:///{data_dir(directory) / SQLITE_NAME}"


def redact(url: str) -> str:
    """The URL with its password hidden (what ``cityrank serve`` prints)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
