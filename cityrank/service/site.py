"""The state of one running cityrank service: the dataset catalog, the store, the derived
cache and a few settings. Every service function takes a :class:`Site` first.

Every dataset — the bundled ones of the catalog (``data/datasets.yaml`` or ``--data-dir``),
those added with ``cityrank datasets add`` and users' uploads — lives in the store
(:mod:`cityrank.store`: SQLite in the data directory, or PostgreSQL), so every worker process
sees the same datasets and a restart loses none. :meth:`Site.dataset` is the one place they
are found: it compares the stored ``revision`` with the one this process last saw (one
indexed query) and, when the dataset was replaced or deleted by any process, drops what this
process derived from it (``site.cache``) before answering, so a stale entry is never served.
The loaded dataset itself is cached in ``site.cache`` too (kind ``dataset``), bounded in bytes
with everything else.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cityrank.errors import NotFoundError
from cityrank.service.cache import DEFAULT_MAX_BYTES, DerivedCache
from cityrank.service.limits import RateLimiter, UploadLimits, WorkPool


class Site:
    """Catalog + store + cache. ``join`` is the scores-to-boundaries join (``geo.join``).

    ``data_dir`` is a directory with a ``datasets.yaml`` catalog (default: the bundled data);
    ``store_dir`` the writable data directory (database, private temp files; default
    ``$CITYRANK_DATA_DIR`` or the per-user one); ``database_url`` overrides the database
    (default ``$CITYRANK_DATABASE_URL`` or SQLite in ``store_dir``).
    """

    def __init__(self, data_dir: str | Path | None = None, *, cache_bytes: int = DEFAULT_MAX_BYTES,
                 analysis_permutations: int | None = None, analysis_draws: int | None = None,
                 store_dir: str | Path | None = None, database_url: str | None = None,
                 limits: UploadLimits | None = None):
        from cityrank.store import settings

        self.data_dir = Path(data_dir) if data_dir else None
        self.store_dir = settings.data_dir(store_dir)
        self.database_url = settings.database_url(self.store_dir, database_url)
        self.cache = DerivedCache(cache_bytes)
        self.analysis_permutations = analysis_permutations
        self.analysis_draws = analysis_draws
        self.limits = limits or UploadLimits.from_env()
        self.rate = RateLimiter(self.limits.per_minute, self.limits.burst)
        self._pool: WorkPool | None = None
        self._catalog = None
        self._store = None
        self._tmp = None
        self._lock = threading.RLock()
        self._seen: dict[str, int] = {}  # dataset id -> revision this process derived from

    # -- the catalog, the store, the private temp directory (each opened on first use) -----
    @property
    def catalog(self):
        """The bundled (or ``--data-dir``) catalog, read on first use."""
        if self._catalog is None:
            from cityrank.scoring.datasets import load_catalog

            with self._lock:
                if self._catalog is None:
                    self._catalog = load_catalog(self.data_dir)
        return self._catalog

    @property
    def store(self):
        """The store, migrated and holding the catalog's datasets (opened on first use)."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    from cityrank.service.catalog import sync_bundled
                    from cityrank.store import Store

                    store = Store.open(self.database_url)
                    sync_bundled(self, store)
                    if self.limits.ttl:
                        store.sweep()
                    self._store = store
        return self._store

    @property
    def tmp(self):
        """The private temporary directory (``<store_dir>/tmp``); stale ones are removed when
        it is first opened."""
        if self._tmp is None:
            with self._lock:
                if self._tmp is None:
                    from cityrank.store.tmp import PrivateTmp

                    self._tmp = PrivateTmp(self.store_dir)
        return self._tmp

    @property
    def pool(self) -> WorkPool:
        """The bounded pool heavy upload work runs in."""
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = WorkPool(self.limits.workers, self.limits.queue,
                                          name="cityrank-upload")
        return self._pool

    def open(self) -> Site:
        """Open everything now (start-up), so a bad database or directory fails early."""
        self.catalog.ids()
        self.store.revision(self.catalog.default_id)
        self.tmp.process_dir.exists()
        return self

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        if self._tmp is not None:
            self._tmp.close()
        if self._store is not None:
            self._store.close()

    # -- the one place datasets are found ------------------------------------------------
    @property
    def default_id(self) -> str:
        return self.catalog.default_id

    def dataset(self, dataset_id: str | None = None):
        """A stored dataset (bundled, added or an upload) at its current revision; unknown,
        deleted or expired -> NotFoundError."""
        did = str(dataset_id or self.catalog.default_id)
        rev = self.store.revision(did)
        if rev is None:
            self.forget(did)
            known = ", ".join(self.catalog.ids())
            from cityrank.service.uploads import is_upload_id

            if is_upload_id(did):
                raise NotFoundError(f"unknown, deleted or expired uploaded dataset {did!r}; "
                                    "upload the file again", msg="errors.upload_gone", params={"dataset": did})
            raise NotFoundError(f"unknown dataset {did!r}; known: {known}", msg="errors.dataset_unknown",
                                params={"dataset": did, "known": known})
        return self._at(did, rev)

    def _at(self, did: str, rev: int):
        with self._lock:
            seen = self._seen.get(did)
            if seen != rev:
                if seen is not None:
                    self.cache.drop(did)  # replaced by some process: nothing stale is served
                self._seen[did] = rev
        return self.cache.get_or_build(did, "dataset", rev, lambda: self._load(did))

    def _load(self, did: str):
        from cityrank.store.datasets import StoredDataset

        record = self.store.get(did)
        path = None
        if record.kind == "bundled" and did in self.catalog.datasets:
            path = self.catalog.get(did).data_path
        return StoredDataset.load(self.store, record, data_path=path)

    def datasets(self) -> list:
        """The public datasets: the catalog's in its order, then added ones (uploads are
        private: never listed)."""
        listed = {did: (kind, rev) for did, kind, rev in self.store.listing(("bundled", "added"))}
        ids = [i for i in self.catalog.ids() if i in listed]
        ids += [i for i, (kind, _) in listed.items() if kind == "added"]
        return [self._at(i, listed[i][1]) for i in ids]

    def join(self, scores, layer: str = "prefecture"):
        """Scores joined to a boundary layer (``geo.join.join_scores``); tests may override."""
        from cityrank.geo.join import join_scores

        return join_scores(scores, layer=layer)

    def forget(self, dataset_id: str) -> int:
        """Drop everything derived from one dataset (deleted, replaced or expired)."""
        with self._lock:
            self._seen.pop(dataset_id, None)
        return self.cache.drop(dataset_id)
