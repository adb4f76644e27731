"""The ``prefecture_web`` layer: a light copy of ``prefecture`` for browsers and embeds.

Simplifying each polygon on its own (``GeoSeries.simplify``) moves the two copies of a shared
border differently, opening slivers and overlaps between neighbours that show up as white
hairlines on a choropleth. We simplify the layer as a *coverage* instead
(``shapely.coverage_simplify``, GEOS' Visvalingam-Whyatt on shared edges): every shared edge
is simplified once and both neighbours receive the same result, and the nodes where three or
more units meet stay fixed, so no neighbour relation is lost.

Coverage simplification assumes a valid coverage (no overlaps, matching vertices along shared
edges). The source data is close but not perfect (the Tianditu 2024 city layer has a 0.3 km²
overlap between 日照 and 连云港 and one self-intersecting ring), so :func:`make_coverage`
repairs it first, deterministically, and says what it did.

Coordinates are then quantised to a grid (1e-4° ≈ 11 m, well below what a web map at
country or province zoom can show) which cuts GeoJSON size; shared vertices are identical
before rounding, so they stay identical after it.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon

from cityrank.errors import DataError

DEFAULT_TOLERANCE_DEG = 0.02
"""About 2 km: sqrt of the area of the triangles removed (Visvalingam-Whyatt)."""

DEFAULT_GRID_DEG = 1e-4
"""Quantisation grid in degrees (≈ 11 m)."""


def _polygonal(geom):
    """The polygonal part of a geometry (make_valid can return collections with lines)."""
    if geom is None or geom.is_empty:
        return geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [
        p
        for p in shapely.get_parts(geom)
        if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty
    ]
    polys = []
    for p in parts:
        polys.extend(shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])
    return MultiPolygon(polys) if polys else shapely.Polygon()


def _as_multi(geom):
    if geom is None or geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    return _polygonal(geom)


def make_coverage(geoms, labels=None) -> tuple[np.ndarray, list[str]]:
    """Repair polygons into a valid coverage; returns (geometries, warnings).

    Invalid rings are repaired with ``make_valid``. Where two units overlap, the overlap is
    kept by the unit that comes first in the given order (callers sort by code, so the
    result is reproducible) and cut from the other; the other's boundary is then re-noded
    against the first so that shared edges have matching vertices.
    """
    geoms = np.array(geoms, dtype=object).copy()
    labels = list(labels) if labels is not None else [str(i) for i in range(len(geoms))]
    warnings: list[str] = []
    invalid = ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        warnings.append(f"{labels[i]}: invalid geometry repaired with make_valid")
        geoms[i] = _polygonal(shapely.make_valid(geoms[i]))
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="overlaps")
    keep = left < right
    for i, j in zip(left[keep], right[keep], strict=True):
        overlap = shapely.area(shapely.intersection(geoms[i], geoms[j]))
        first, second = (i, j)
        geoms[second] = _polygonal(shapely.difference(geoms[second], geoms[first]))
        geoms[first] = _polygonal(shapely.difference(geoms[first], geoms[second]))
        warnings.append(
            f"{labels[first]} and {labels[second]} overlapped ({overlap:.2e} sq. deg); "
            f"overlap assigned to {labels[first]}"
        )
    if not shapely.coverage_is_valid(geoms):
        bad = np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(geoms)))
        names = ", ".join(labels[k] for k in bad[:10])
        raise DataError(f"boundaries do not form a valid coverage after repair: {names}")
    return geoms, warnings


def shared_borders(geoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Neighbour pairs (i < j) and the length of their shared border (CRS units).

    Only pairs with a shared border of positive length are returned: units that touch at
    a single point are not neighbours for this purpose (rook, not queen, contiguity).
    """
    geoms = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    bounds = shapely.boundary(geoms)
    length = shapely.length(shapely.intersection(bounds[left], bounds[right]))
    pos = length > 0
    return left[pos], right[pos], length[pos]


def build_web_layer(
    prefecture_gdf,
    tolerance: float = DEFAULT_TOLERANCE_DEG,
    grid_size: float = DEFAULT_GRID_DEG,
    *,
    sort_column: str | None = "code",
):
    """Coverage-simplified, quantised copy of a polygon layer in lon/lat degrees.

    Attributes are kept; ``attrs["warnings"]`` lists the repairs made. Raises DataError if
    the layer is not geographic, has non-polygon rows, or the result is not a valid coverage
    (validate first: the caller writes the layer only after this returns).
    """
    gdf = prefecture_gdf
    if gdf.crs is None or not gdf.crs.is_geographic:
        raise DataError(
            f"build_web_layer expects a lon/lat layer (EPSG:4490); got CRS {gdf.crs!r}"
        )
    types = set(gdf.geom_type.dropna())
    if not types <= {"Polygon", "MultiPolygon"}:
        raise DataError(f"build_web_layer expects polygons only; got {sorted(types)}")
    if tolerance <= 0 or grid_size < 0:
        raise DataError(f"tolerance must be > 0 and grid_size >= 0 (got {tolerance}, {grid_size})")
    if sort_column and sort_column in gdf.columns:
        order = np.argsort(gdf[sort_column].astype(str).to_numpy(), kind="stable")
        labels = [str(v) for v in gdf[sort_column]]
    else:
        order = np.arange(len(gdf))
        labels = [str(v) for v in gdf.index]
    geoms = gdf.geometry.to_numpy()
    sorted_geoms, warnings = make_coverage(geoms[order], [labels[k] for k in order])
    simplified = shapely.coverage_simplify(sorted_geoms, tolerance)
    if grid_size:
        simplified = shapely.set_precision(simplified, grid_size)
        decimals = -np.log10(grid_size)
        if abs(decimals - round(decimals)) < 1e-9:
            # set_precision leaves binary noise (113.12340000000001); rounding values that
            # are already on the grid gives the shortest decimal text in GeoJSON.
            simplified = shapely.transform(simplified, lambda xy: np.round(xy, round(decimals)))
    out_geoms = np.empty(len(gdf), dtype=object)
    out_geoms[order] = [_as_multi(g) for g in simplified]
    empty = np.flatnonzero(shapely.is_empty(out_geoms))
    if len(empty):
        raise DataError(
            "simplification emptied units " + ", ".join(labels[k] for k in empty[:10])
            + f"; use a smaller tolerance than {tolerance}"
        )
    if not shapely.coverage_is_valid(out_geoms):
        raise DataError(
            f"simplified layer is not a valid coverage (tolerance {tolerance}, grid {grid_size})"
        )
    import geopandas as gpd

    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(out_geoms, index=gdf.index, crs=gdf.crs)
    out.attrs["warnings"] = warnings
    out.attrs["tolerance_deg"] = tolerance
    out.attrs["grid_deg"] = grid_size
    return out
