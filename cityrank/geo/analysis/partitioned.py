"""The analysis partitioned on Dask: contiguity weights, LISA / Gi* permutation inference and
zonal statistics, with results equal to the single-process ones, bit for bit.

A national grid outgrows one process. :class:`DaskEngine` runs the expensive per-unit work in
spatial partitions on a Dask cluster -- a :class:`distributed.LocalCluster` on this machine by
default, or any scheduler by address (``tcp://host:8786``):

* **partitions** are spatial: dask-geopandas orders the units' representative points along a
  Hilbert curve (``spatial_shuffle``), so a partition is a compact patch of the map;
* **contiguity weights** (queen, rook): each partition gets its own polygons plus a *halo*, the
  other partitions' polygons whose bounding boxes touch the partition's bounding box. Two
  polygons sharing a vertex touch, so every neighbour of a partition's unit is in the partition
  or its halo and libpysal's contiguity on (partition + halo) gives each own unit exactly its
  neighbours in the whole layer. The neighbour lists are then finished by the same code as
  the single-process weights (islands and components attached and reported), so the W is
  the same matrix;
* **LISA and Gi\\*** use esda's conditional randomisation (``esda.crand``): ONE table of random
  indices per run, drawn from the seed by ``esda.crand.vec_permutations`` (sized by the
  global n and the largest cardinality), shared by every unit, with the other units' values
  taken from the whole dataset. So the driver standardises the values and draws that table
  once, broadcasts both, and each partition computes its own units' statistics and pseudo
  p-values -- the same operations on the same numbers in the same order as esda
  (``_moran_local_crand``, ``_g_local_star_crand``, ``_permutation_significance``), except that
  "z without unit i" is indexed by shifting the drawn positions (``k + (k >= i)``) instead of
  copying the whole array once per unit, which is why this is also faster than esda. The tests
  check equality against ``esda.Moran_Local`` and ``esda.G_Local`` on the same seed;
* **zonal statistics** are per polygon, so each partition runs exactextract on its polygons.

Memory per task: the partition's rows of W, the broadcast values (8 bytes per unit) and the
random-index table (permutations x max cardinality), one unit's draws at a time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from cityrank.errors import ConfigError, DataError

DASK_THRESHOLD = 100_000
"""Units above which ``engine="auto"`` runs partitioned on Dask."""
PARTITION_SIZE = 20_000
"""Target units per partition (memory per task stays bounded by it)."""
ENGINES = ("auto", "single", "dask")
_BLOCK = 1_000  # units whose permutation statistics are held at once inside a task
_CONTIGUITY = ("queen", "rook")


def use_dask(n: int, engine: str = "auto", threshold: int = DASK_THRESHOLD) -> bool:
    """Whether ``engine`` means Dask for ``n`` units (``auto``: above ``threshold``)."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return engine == "dask" or (engine == "auto" and n > threshold)


# --- tasks (run on the workers; module-level so they pickle by reference) ----------------

def _warm_imports() -> None:
    """Import the libraries the tasks use, once per worker, when the cluster starts (a cold
    worker otherwise spends its first task importing geopandas, libpysal and esda)."""
    import esda  # noqa: F401
    import geopandas  # noqa: F401
    import libpysal.weights  # noqa: F401
    import shapely  # noqa: F401
    from esda.significance import _permutation_significance  # noqa: F401

    from cityrank.geo.covariates import zonal  # noqa: F401


def _contiguity_task(wkb: np.ndarray, own: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours (local positions) of the first ``own`` rows among ``wkb`` polygons, as
    (count per row, concatenated neighbour positions): two arrays travel faster than lists."""
    import geopandas as gpd
    import shapely
    from libpysal import weights as lw

    frame = gpd.GeoDataFrame(geometry=shapely.from_wkb(wkb))
    cls = lw.Queen if method == "queen" else lw.Rook
    w = cls.from_dataframe(frame, use_index=False, silence_warnings=True)
    lists = [w.neighbors[i] for i in range(own)]
    counts = np.fromiter((len(v) for v in lists), dtype=np.int64, count=own)
    flat = np.fromiter((j for v in lists for j in v), dtype=np.int64, count=int(counts.sum()))
    return counts, flat


def _crand_rows(kind: str, positions: np.ndarray, indptr, indices, data, z: np.ndarray,
                permuted_ids: np.ndarray, scaling: float, island_weight: float = 0.0):
    """Conditional-randomisation statistics for the units at ``positions`` (global order).

    ``indptr/indices/data`` are the units' rows of W (global columns, canonical CSR order)
    WITH the self weight on the diagonal when there is one. Returns (observed, p_sim) where
    observed is computed by esda's formula for ``kind`` (``moran`` rows are the
    row-standardised W; ``gstar`` rows the binary W with the unit itself).
    """
    from esda.significance import _permutation_significance

    n_units = len(positions)
    rows = sparse.csr_matrix((data, indices, indptr), shape=(n_units, z.shape[0]))
    lag = rows @ z
    p_sims = np.zeros(n_units, dtype=np.float32)  # esda's compute_chunk keeps p in float32
    rstats = np.empty((min(n_units, _BLOCK), permuted_ids.shape[0]))
    observed = np.empty(n_units)
    if kind == "moran":
        n_1 = z.shape[0] - 1
        den = (z * z).sum()
        observed[:] = n_1 * z[positions] * lag / den
    else:
        observed[:] = lag / scaling
    for k in range(n_units):
        b = k % _BLOCK
        i = int(positions[k])
        lo, hi = indptr[k], indptr[k + 1]
        cols, vals = indices[lo:hi], data[lo:hi]
        off = cols != i
        card = int(off.sum())
        if card == 0:
            weights_i = np.zeros(2, dtype=z.dtype)
            weights_i[1] = island_weight
        else:
            weights_i = np.zeros(card + 1, dtype=z.dtype)
            weights_i[0] = vals[~off].sum() if card < len(cols) else 0.0
            weights_i[1:] = vals[off]
        other = weights_i[1:]
        ids = permuted_ids[:, : len(other)]
        zi = z[i]
        zrand = z[ids + (ids >= i)]  # = z with unit i removed, indexed by the drawn ids
        if kind == "moran":
            rstats[b] = zi * (zrand @ other + weights_i[0] * zi) * scaling
        else:
            rstats[b] = (zrand @ other + weights_i[0] * zi) / scaling
        if b == _BLOCK - 1 or k == n_units - 1:  # p of a block of units at once (exact counts)
            k0 = k - b
            p_sims[k0 : k + 1] = _permutation_significance(observed[k0 : k + 1, None], rstats[: b + 1],
                                                           alternative="directed")
    return observed, p_sims.astype(float)


def _zonal_task(raster: str, wkb: np.ndarray, crs_wkt: str, stats: list[str], band: int) -> pd.DataFrame:
    import geopandas as gpd
    import shapely

    from cityrank.geo.covariates.zonal import zonal_values

    return zonal_values(raster, gpd.GeoSeries(shapely.from_wkb(wkb), crs=crs_wkt), stats, band=band)


# --- the engine --------------------------------------------------------------------------

@dataclass
class _Neighbours:
    neighbors: dict
    weights: dict


class DaskEngine:
    """Partitioned analysis on a Dask cluster (see the module docstring).

    ``scheduler``: an address (``tcp://…``) of a running scheduler, or None for a
    LocalCluster of ``n_workers`` single-threaded worker processes, started on first use and
    closed by :meth:`close` (or ``with DaskEngine() as engine:``).
    """

    def __init__(self, scheduler: str | None = None, *, n_workers: int = 2,
                 partition_size: int = PARTITION_SIZE, memory_limit: str = "auto", timeout: str = "20s"):
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.partition_size = int(partition_size)
        self.memory_limit = memory_limit
        self.timeout = timeout
        self._client = None
        self._cluster = None
        self._tables: dict = {}

    # lifecycle
    @property
    def client(self):
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, timeout=self.timeout)
                except OSError as exc:
                    raise ConfigError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from exc
            else:
                # ":0": its HTTP server on a free port, so two clusters (two commands, or
                # another user's dashboard on 8787) never collide
                self._cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1, processes=True,
                                             dashboard_address=":0", memory_limit=self.memory_limit)
                self._client = Client(self._cluster)
            self._client.run(_warm_imports)
        return self._client

    @property
    def started(self) -> bool:
        """Whether the client (and a local cluster) has been started, i.e. the engine was used."""
        return self._client is not None

    def describe(self) -> dict:
        return {"engine": "dask", "scheduler": self.scheduler or f"LocalCluster({self.n_workers} workers)",
                "partition_size": self.partition_size}

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # partitions
    def partitions(self, geoms) -> list[np.ndarray]:
        """Positions of the units in each spatial partition: compact patches of the map.

        dask-geopandas computes the Hilbert distance of each unit's representative point
        (partitioned, on the cluster); the units sorted by it are cut into equal partitions
        (what ``spatial_shuffle`` does, without a distributed shuffle of the rows).
        """
        import dask_geopandas
        import geopandas as gpd

        n = len(geoms)
        k = max(1, -(-n // self.partition_size))
        if k == 1:
            return [np.arange(n)]
        pts = gpd.GeoSeries(geoms).representative_point()
        ddf = dask_geopandas.from_geopandas(gpd.GeoDataFrame(geometry=pts), npartitions=min(k, 4 * self.n_workers))
        dist = ddf.hilbert_distance(total_bounds=tuple(pts.total_bounds)).compute(scheduler=self.client.get)
        order = np.argsort(dist.to_numpy(), kind="stable")
        return [np.sort(part) for part in np.array_split(order, k)]

    # weights
    def contiguity_builder(self, method: str):
        """A ``build_weights(builder=…)`` builder computing contiguity per partition + halo."""
        if method not in _CONTIGUITY:
            raise ConfigError(f"the Dask engine builds {' and '.join(_CONTIGUITY)} weights; "
                              f"{method!r} runs single-process")

        def build(projected, params) -> _Neighbours:
            import shapely

            geoms = projected.geometry.to_numpy()
            bounds = shapely.bounds(geoms)
            tree = shapely.STRtree(geoms)
            wkb = shapely.to_wkb(geoms)
            futures, owners = [], []
            for own in self.partitions(geoms):
                box = shapely.box(bounds[own, 0].min(), bounds[own, 1].min(), bounds[own, 2].max(),
                                  bounds[own, 3].max())
                cand = tree.query(box)
                halo = np.setdiff1d(cand, own, assume_unique=False)
                local = np.concatenate([own, halo])
                futures.append(self.client.submit(_contiguity_task, wkb[local], len(own), method, pure=False))
                owners.append(local)
            neighbors: dict[int, list[int]] = {}
            for fut, local in zip(futures, owners, strict=True):
                counts, flat = fut.result()
                glob = local[flat]
                ends = np.cumsum(counts)
                for k, (a, b) in enumerate(zip(ends - counts, ends, strict=True)):
                    neighbors[int(local[k])] = np.sort(glob[a:b]).tolist()
            n = len(geoms)
            return _Neighbours(neighbors={i: neighbors[i] for i in range(n)},
                               weights={i: [1.0] * len(neighbors[i]) for i in range(n)})

        return build

    def build_weights(self, gdf, method: str = "queen", **kwargs):
        """:func:`cityrank.geo.analysis.weights.build_weights` with contiguity built on Dask."""
        from cityrank.geo.analysis.weights import build_weights

        return build_weights(gdf, method, builder=self.contiguity_builder(method), **kwargs)

    # permutation inference
    def _crand(self, kind: str, W: sparse.csr_matrix, z: np.ndarray, permuted_ids: np.ndarray,
               scaling: float, positions: list[np.ndarray]):
        zf = self.client.scatter(z, broadcast=True)
        tf = self.client.scatter(permuted_ids, broadcast=True)
        futures = []
        for pos in positions:
            rows = W[pos]
            futures.append(self.client.submit(_crand_rows, kind, pos, rows.indptr, rows.indices, rows.data,
                                              zf, tf, scaling, pure=False))
        observed = np.empty(W.shape[0])
        p = np.empty(W.shape[0])
        for pos, fut in zip(positions, futures, strict=True):
            o, ps = fut.result()
            observed[pos], p[pos] = o, ps
        return observed, p

    def local_moran(self, y, sw, *, permutations: int = 999, seed: int | None = 12345,
                    alpha: float = 0.05, fdr: bool = False, positions=None) -> pd.DataFrame:
        """:func:`cityrank.geo.analysis.autocorrelation.local_moran`, partitioned (same table)."""
        from cityrank.geo.analysis import autocorrelation as ac

        arr = ac._values(y, sw)
        if not permutations:
            raise DataError("the partitioned LISA needs permutations (> 0)")
        sw.w.transform = sw.w.transform or "r"
        W = sparse.csr_matrix(sw.w.sparse)
        z = arr - arr.mean()
        with np.errstate(all="ignore"):
            sy = arr.std()
            z /= sy
        scaling = (len(z) - 1) / (z * z).sum()
        table = self._table(W, permutations, seed)
        positions = positions if positions is not None else self._unit_partitions(sw)
        Is, p = self._crand("moran", W, z, table, scaling, positions)
        lag = W @ z
        q = _esda_quadrants(z, lag)
        return ac.lisa_frame(sw.ids, Is, np.nan, p, q, alpha=alpha, fdr=fdr)

    def local_g_star(self, y, sw, *, permutations: int = 999, seed: int | None = 12345,
                     alpha: float = 0.05, fdr: bool = False, positions=None) -> pd.DataFrame:
        """:func:`cityrank.geo.analysis.autocorrelation.local_g_star`, partitioned (same table)."""
        from cityrank.geo.analysis import autocorrelation as ac

        arr = ac._values(y, sw)
        if np.any(arr < 0):
            raise DataError("Getis-Ord Gi* needs non-negative values")
        if not permutations:
            raise DataError("the partitioned Gi* needs permutations (> 0)")
        A = sparse.csr_matrix(sw.w.sparse)
        B = ((A != 0).astype(float) + sparse.identity(A.shape[0], format="csr")).tocsr()
        B.sort_indices()
        table = self._table(A, permutations, seed)
        positions = positions if positions is not None else self._unit_partitions(sw)
        Gs, p = self._crand("gstar", B, arr, table, float(arr.sum()), positions)
        z = g_star_z(arr, B, Gs)
        return ac.g_star_frame(sw.ids, Gs, z, p, alpha=alpha, fdr=fdr)

    def _table(self, W: sparse.csr_matrix, permutations: int, seed: int | None) -> np.ndarray:
        """esda's index table, drawn once per (n, largest cardinality, permutations, seed):
        LISA and Gi* on the same W use the same table, as esda would draw it twice."""
        if seed is None:
            return permutation_table(W, permutations, seed)
        key = (W.shape[0], _max_card(W), int(permutations), int(seed))
        if key not in self._tables:
            self._tables = {key: permutation_table(W, permutations, seed)}  # keep one table
        return self._tables[key]

    def _unit_partitions(self, sw) -> list[np.ndarray]:
        n = sw.n
        k = max(1, -(-n // self.partition_size))
        # W's rows in id order; the spatial partitions of the weights step are not kept on
        # the SpatialWeights, so contiguous blocks of that order are used (rows of a grid are
        # spatial strips). Equality with esda does not depend on the partitioning.
        return [np.arange(a, min(n, a + self.partition_size)) for a in range(0, n, self.partition_size)][:k]

    # zonal statistics
    def zonal_values(self, raster: str, geoms, stats: Sequence[str], *, band: int = 1) -> pd.DataFrame:
        import shapely

        arr = geoms.to_numpy() if hasattr(geoms, "to_numpy") else np.asarray(geoms)
        wkb = shapely.to_wkb(arr)
        crs_wkt = geoms.crs.to_wkt()
        parts = self.partitions(arr)
        futures = [self.client.submit(_zonal_task, raster, wkb[pos], crs_wkt, list(stats), band, pure=False)
                   for pos in parts]
        out = pd.DataFrame(index=np.arange(len(arr)), columns=list(stats), dtype=float)
        for pos, fut in zip(parts, futures, strict=True):
            out.iloc[pos] = fut.result().to_numpy()
        return out.astype(float)


def permutation_table(W: sparse.csr_matrix, permutations: int, seed: int | None) -> np.ndarray:
    """esda's random-index table for ``W`` (``esda.crand.vec_permutations``), global RNG restored.

    Sized by the largest number of neighbours other than the unit itself, as in esda.crand.
    """
    from esda.crand import vec_permutations

    from cityrank.geo.analysis._common import seeded

    max_card = _max_card(W)
    with seeded(None):
        if seed is None:
            seed = np.random.randint(12345, 12345000)
        return vec_permutations(max_card, W.shape[0], int(permutations), int(seed))


def _max_card(W: sparse.csr_matrix) -> int:
    """Largest number of non-zero weights in a row other than the diagonal (esda's max_card)."""
    W = sparse.csr_matrix(W)
    rows = np.repeat(np.arange(W.shape[0]), np.diff(W.indptr))
    off = (W.indices != rows) & (W.data != 0)
    return int(np.bincount(rows[off], minlength=W.shape[0]).max())


def _esda_quadrants(z: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """esda.Moran_Local.q: 1 HH, 2 LH, 3 LL, 4 HL (its formula, default quads)."""
    zp = z > 0
    lp = lag > 0
    return (1 * (zp * lp) + 2 * ((1 - zp) * lp) + 3 * ((1 - zp) * (1 - lp)) + 4 * (zp * (1 - lp))).astype(int)


def g_star_z(y: np.ndarray, B: sparse.csr_matrix, Gs: np.ndarray) -> np.ndarray:
    """esda.G_Local's analytic z of Gi* (star: the unit is its own neighbour, binary W)."""
    N = y.shape[0]
    empirical_mean = (y.sum() - y * False) / N
    mean_of_squares = ((y**2).sum() - (y**2) * False) / N
    empirical_variance = mean_of_squares - empirical_mean**2
    cardinality = np.asarray(B.sum(axis=1)).squeeze()
    expected_value = cardinality / N
    expected_variance = cardinality * (N - cardinality)
    expected_variance /= N - 1
    expected_variance *= 1 / N**2
    expected_variance *= empirical_variance / (empirical_mean**2)
    return (Gs - expected_value) / np.sqrt(expected_variance)


@contextlib.contextmanager
def engine_for(n: int, engine: str = "auto", scheduler: str | None = None, *,
               threshold: int = DASK_THRESHOLD, partition_size: int = PARTITION_SIZE):
    """``DaskEngine`` (closed on exit) when :func:`use_dask` says so, else ``None``."""
    if not use_dask(n, engine, threshold) and not scheduler:
        yield None
        return
    eng = DaskEngine(scheduler, partition_size=partition_size)
    try:
        yield eng
    finally:
        eng.close()
