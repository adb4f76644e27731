"""The state of one running cityrank service: the dataset catalog, users' uploads, the derived
cache and a few settings. Every service function takes a :class:`Site` first.

It only *finds* datasets (bundled ones by id, uploads by their private id); what is computed
from them lives in the modules named for the job (``geometry``, ``cities``, ``groups``,
``api``, ``ogc``, ``pages``, ``analysis``, ...), cached in ``site.cache`` under the dataset's
id, so that an upload's derived entries go when the upload goes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cityrank.service.cache import DEFAULT_MAX_BYTES, DerivedCache


class Site:
    """Catalog + uploads + cache. ``join`` is the scores-to-boundaries join (``geo.join``)."""

    def __init__(self, data_dir: str | Path | None = None, *, cache_bytes: int = DEFAULT_MAX_BYTES,
                 analysis_permutations: int | None = None, analysis_draws: int | None = None):
        from cityrank.service.uploads import UploadStore

        self.data_dir = Path(data_dir) if data_dir else None
        self.cache = DerivedCache(cache_bytes)
        self.uploads = UploadStore(on_evict=self.forget)
        self.analysis_permutations = analysis_permutations
        self.analysis_draws = analysis_draws
        self._catalog = None
        self._catalog_lock = threading.Lock()

    # -- the one place datasets are found ------------------------------------------------
    @property
    def catalog(self):
        """The bundled (or ``--data``) catalog, read on first use."""
        if self._catalog is None:
            from cityrank.scoring.datasets import load_catalog

            with self._catalog_lock:
                if self._catalog is None:
                    self._catalog = load_catalog(self.data_dir)
        return self._catalog

    @property
    def default_id(self) -> str:
        return self.catalog.default_id

    def dataset(self, dataset_id: str | None = None):
        """A bundled dataset or an upload (``upload-…``); unknown -> NotFoundError."""
        from cityrank.service.uploads import is_upload_id

        self.uploads.sweep()  # an upload that expired meanwhile takes its cache entries along
        if is_upload_id(dataset_id):
            return self.uploads.get(dataset_id)
        return self.catalog.get(dataset_id or self.catalog.default_id)

    def datasets(self) -> list:
        """The catalog's datasets in order (uploads are private: never listed)."""
        self.uploads.sweep()
        return [self.catalog.get(i) for i in self.catalog.ids()]

    def join(self, scores, layer: str = "prefecture"):
        """Scores joined to a boundary layer (``geo.join.join_scores``); tests may override."""
        from cityrank.geo.join import join_scores

        return join_scores(scores, layer=layer)

    def forget(self, dataset_id: str) -> int:
        """Drop everything derived from one dataset (an expired or deleted upload)."""
        return self.cache.drop(dataset_id)
