"""Spatial weights on an equal-area projection, with islands and disconnected parts fixed openly.

Why this module exists on top of libpysal: China's prefecture layer is not one connected
mosaic. Hainan's cities form a component of their own, Zhoushan and Xiamen-like island
units touch nothing under contiguity rules, and Hong Kong / Macao sit apart once the sea is
excluded. A Moran's I or a spatial lag model on such a W either drops these units (spreg
refuses islands) or treats them as having no neighbours at all. We attach every island and
every smaller component to its nearest unit (by centroid distance in metres on the
equal-area projection) and *report* each link, so nobody loses Haikou silently.

Methods are a registry (:data:`WEIGHT_BUILDERS`) selected by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
from libpysal import weights as lw
from scipy.sparse import coo_matrix, csgraph
from scipy.spatial import cKDTree

from cityrank.errors import ConfigError, DataError
from cityrank.geo.extent import CHINA
from cityrank.i18n import t

# Inside geo.extent.CHINA the project's Albers CRS is the right analysis CRS.


@dataclass
class SpatialWeights:
    """A row-standardised (by default) libpysal W plus what was done to make it usable.

    ``ids`` are the unit identifiers in W's positional order; ``fixed`` lists every link
    added for an island or a disconnected component (never silently).
    """

    w: lw.W
    ids: list[str]
    method: str
    crs: str
    islands: list[str] = field(default_factory=list)
    components_before: int = 1
    fixed: list[dict] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    projection: object = None  # the CRS the units were projected to (pyproj CRS or proj string)

    @property
    def n(self) -> int:
        return self.w.n

    def to_dict(self) -> dict:
        card = np.array(list(self.w.cardinalities.values()), dtype=float)
        return {
            "method": self.method,
            "params": self.params,
            "crs": self.crs,
            "n": int(self.w.n),
            "transform": self.w.transform,
            "mean_neighbours": float(card.mean()) if card.size else 0.0,
            "min_neighbours": int(card.min()) if card.size else 0,
            "max_neighbours": int(card.max()) if card.size else 0,
            "islands": list(self.islands),
            "components_before_fix": int(self.components_before),
            "fixed": list(self.fixed),
        }


def analysis_frame(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str]:
    """Project a layer to an equal-area CRS in metres; return it with a description of the CRS.

    Geographic data inside China's extent goes to the project's Albers (geo.projection);
    geographic data elsewhere to a Lambert azimuthal equal-area centred on the data. Projected
    data is kept as is (the user chose it). Data without a CRS is taken as planar: we cannot
    know its units, and say so in the CRS description.
    """
    if gdf.crs is None:
        return gdf, "none (coordinates used as planar; units unknown)"
    if not gdf.crs.is_geographic:
        return gdf, gdf.crs.name
    crs, name = equal_area_crs(gdf.total_bounds)
    return gdf.to_crs(crs), name


def equal_area_crs(bounds) -> tuple[object, str]:
    """The equal-area CRS (metres) for geographic data within ``bounds`` (minx, miny, maxx,
    maxy in degrees) and its description: the project's Albers inside China's extent, else a
    Lambert azimuthal equal-area centred on the data. The ONE choice for weights and for every
    distance computed with them (the gradients' spatial-HAC kernel)."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if CHINA.covers((minx, miny, maxx, maxy)):
        from cityrank.geo.projection import ANALYSIS_CRS

        return ANALYSIS_CRS, ANALYSIS_CRS.name
    lon0 = (minx + maxx) / 2
    lat0 = (miny + maxy) / 2
    proj = f"+proj=laea +lat_0={lat0:.4f} +lon_0={lon0:.4f} +ellps=GRS80 +units=m +no_defs"
    return proj, f"Lambert azimuthal equal-area centred {lon0:.2f},{lat0:.2f}"


def _centroids(gdf: gpd.GeoDataFrame) -> np.ndarray:
    pts = gdf.geometry.representative_point()
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def _queen(gdf, params):
    return lw.Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)


def _rook(gdf, params):
    return lw.Rook.from_dataframe(gdf, use_index=False, silence_warnings=True)


def _knn(gdf, params):
    k = int(params.get("k", 6))
    if k < 1 or k >= len(gdf):
        raise ConfigError(f"weights 'knn': k={k} must be between 1 and n-1={len(gdf) - 1}")
    return lw.KNN(_centroids(gdf), k=k, silence_warnings=True)


def _distance_band(gdf, params):
    pts = _centroids(gdf)
    threshold = params.get("threshold")
    if threshold is None:
        # The smallest distance (metres) giving every unit at least one neighbour.
        threshold = float(lw.min_threshold_distance(pts)) * 1.000001
        params["threshold"] = threshold
    return lw.DistanceBand(pts, threshold=float(threshold), binary=True, silence_warnings=True)


def _kernel(gdf, params):
    pts = _centroids(gdf)
    k = int(params.get("k", 6))
    function = params.get("function", "triangular")
    bandwidth = params.get("bandwidth")
    if bandwidth is not None:
        return lw.Kernel(pts, bandwidth=float(bandwidth), function=function, fixed=True)
    return lw.Kernel(pts, k=k, function=function, fixed=False)


WEIGHT_BUILDERS: dict[str, Callable[[gpd.GeoDataFrame, dict], lw.W]] = {
    "queen": _queen,
    "rook": _rook,
    "knn": _knn,
    "distance_band": _distance_band,
    "kernel": _kernel,
}
"""Name -> builder. Builders get the projected frame and a mutable params dict."""


def _link_components(neighbors: dict, weights: dict, pts: np.ndarray, ids: list[str]) -> tuple[int, list[dict]]:
    """Join every component to its nearest other unit until the graph is connected.

    Each round takes the smallest component, finds the closest pair (member, non-member) by
    centroid distance and adds a symmetric link of weight 1. Returns the initial number of
    components and the list of links added.
    """
    n = len(ids)
    fixed: list[dict] = []
    first = None
    while True:
        rows = [i for i in range(n) for _ in neighbors[i]]
        cols = [j for i in range(n) for j in neighbors[i]]
        adj = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
        ncomp, labels = csgraph.connected_components(adj, directed=False)
        if first is None:
            first = int(ncomp)
        if ncomp <= 1:
            return first, fixed
        sizes = np.bincount(labels)
        small = int(np.argmin(sizes))
        members = np.flatnonzero(labels == small)
        others = np.flatnonzero(labels != small)
        tree = cKDTree(pts[others])
        dist, idx = tree.query(pts[members], k=1)
        best = int(np.argmin(dist))
        a, b = int(members[best]), int(others[idx[best]])
        was_island = sizes[small] == 1 and not neighbors[a]
        for i, j in ((a, b), (b, a)):
            neighbors[i] = list(neighbors[i]) + [j]
            weights[i] = list(weights[i]) + [1.0]
        fixed.append(
            {
                "unit": ids[a],
                "attached_to": ids[b],
                "distance_m": float(dist[best]),
                "component": [ids[m] for m in members],
                "reason": t("analysis.reason.island" if was_island else "analysis.reason.disconnected", "en"),
            }
        )


def build_weights(
    gdf: gpd.GeoDataFrame,
    method: str = "queen",
    *,
    ids: list[str] | None = None,
    transform: str = "r",
    connect: bool = True,
    builder: Callable | None = None,
    **params,
) -> SpatialWeights:
    """Build spatial weights for ``gdf`` on an equal-area projection.

    ``ids`` name the rows (default: the index as str). With ``connect`` (the default) every
    island and smaller component is attached to its nearest unit and listed in ``.fixed``;
    with ``connect=False`` islands are still listed in ``.islands`` but left alone.
    Kernel weights are never fixed: an adaptive kernel always has neighbours.
    ``builder`` replaces the registry's builder of ``method`` (same signature, returning an
    object with libpysal's ``neighbors``/``weights`` dicts): the partitioned engine
    (:mod:`cityrank.geo.analysis.partitioned`) builds contiguity on Dask that way.
    """
    if method not in WEIGHT_BUILDERS:
        raise ConfigError(f"unknown weights method {method!r}; choose one of {sorted(WEIGHT_BUILDERS)}")
    if len(gdf) < 3:
        raise DataError(f"spatial weights need at least 3 units, got {len(gdf)}")
    if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
        raise DataError("spatial weights: some units have no geometry")
    ids = [str(i) for i in (ids if ids is not None else gdf.index)]
    projected, crs_name = analysis_frame(gdf.reset_index(drop=True))
    projection = projected.crs if gdf.crs is not None else None
    params = dict(params)
    w0 = (builder or WEIGHT_BUILDERS[method])(projected, params)
    n = len(ids)
    neighbors = {i: list(w0.neighbors[i]) for i in range(n)}
    wts = {i: list(w0.weights[i]) for i in range(n)}
    islands = [ids[i] for i in range(n) if not neighbors[i]]
    components, fixed = 1, []
    if connect and method != "kernel":
        components, fixed = _link_components(neighbors, wts, _centroids(projected), ids)
    w = lw.W(neighbors, wts, id_order=list(range(n)), silence_warnings=True)
    if transform:
        w.transform = transform
    return SpatialWeights(
        w=w,
        ids=ids,
        method=method,
        crs=crs_name,
        islands=islands,
        components_before=components,
        fixed=fixed,
        params={k: (float(v) if isinstance(v, float | np.floating) else v) for k, v in params.items()},
        projection=projection,
    )
