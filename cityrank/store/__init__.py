"""Datasets that last: every dataset (bundled, added with ``cityrank datasets add``, uploaded)
with its metadata, its scores, the table it was scored from and its file, in a real database.

* :mod:`~cityrank.store.settings` — the data directory and the database URL
  (``CITYRANK_DATA_DIR``, ``CITYRANK_DATABASE_URL``; SQLite by default, PostgreSQL for servers).
* :mod:`~cityrank.store.models` — the tables (SQLAlchemy 2); :mod:`~cityrank.store.engine` —
  engines, writers' locks, the Alembic migrations (``migrations/``, run at start-up).
* :mod:`~cityrank.store.repository` — :class:`Store`: put (one transaction, quotas inside),
  find, list, load, delete.
* :mod:`~cityrank.store.datasets` — :class:`StoredDataset`, a stored dataset behaving like a
  catalog :class:`~cityrank.scoring.datasets.Dataset` for the service layer.
* :mod:`~cityrank.store.tmp` — the private temporary directory of uploads.

The store knows nothing of Flask or of scoring *runs*: the service layer scores, the store
keeps.
"""

from cityrank.store.repository import DatasetRecord, Quota, Store
from cityrank.store.settings import data_dir, database_url, redact


def open_store(directory=None, url: str | None = None) -> Store:
    """The store of ``url`` (default: :func:`database_url` of ``directory``), migrated."""
    return Store.open(database_url(directory, url))


__all__ = ["DatasetRecord", "Quota", "Store", "data_dir", "database_url", "open_store", "redact"]
