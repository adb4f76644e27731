"""Regular grids inside any boundary, and users' own grids, as layers every analysis runs on.

Grid management is a unit of governance (Shenzhen's Bao'an district runs 4,833 work grids),
and rasters (population, night-time lights) are summarised best on equal cells. A grid is
built in the project's equal-area CRS (:data:`cityrank.geo.projection.ANALYSIS_CRS`, metres),
so every cell has the same area:

* cell ``(ix, iy)`` is the square ``[ix*s, (ix+1)*s) x [iy*s, (iy+1)*s)`` for cell size ``s``
  metres: grids of one cell size always align, whatever the boundary (a grid of Bao'an and a
  grid of Shenzhen share their cells). Its id (``code``) is ``E{ix}N{iy}``;
* ``mode="centroid"`` (the default) keeps the whole cells whose centre lies inside the
  boundary: equal areas, exact shared edges (queen/rook contiguity is the lattice's), the
  boundary approximated to half a cell. ``mode="clip"`` keeps every cell that intersects the
  boundary, cut to it: the union of the cells is the boundary exactly, border cells are
  smaller (``area_m2`` says how much) and may be in several parts;
* ``parent`` is the id of the boundary unit holding the cell's centre (or, when clipped, a
  point inside the clipped cell), so grid results roll up to districts and cities.

The layer comes back in CGCS2000 lon/lat (EPSG:4490) with ``code``, ``name``, ``ix``, ``iy``,
``cell_m``, ``parent``, ``area_m2``, like any user boundary layer, so joins, covariates,
weights and the analysis report take it unchanged. A user's own grid (work grids drawn by a
district) is read with :func:`cityrank.geo.user_boundaries.read_boundaries`.
"""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import shapely

from cityrank.errors import DataError

GRID_MODES = ("centroid", "clip")
MAX_CELLS = 20_000_000
"""Refuse grids with more candidate cells than this (a 1 km grid of China has ~9.6 million)."""
_ROWS_PER_BLOCK = 256

_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(km|m|公里|千米|米)?\s*$", re.IGNORECASE)


def parse_length(text) -> float:
    """A length in metres from ``1km``, ``500m``, ``0.5 km``, ``250`` (metres), ``1公里``.

    >>> parse_length("1km"), parse_length("250"), parse_length("0.5 公里")
    (1000.0, 250.0, 500.0)
    """
    if isinstance(text, int | float):
        value, unit = float(text), "m"
    else:
        m = _LENGTH.match(str(text))
        if not m:
            raise DataError(f"cannot read {text!r} as a length; write e.g. 1km, 500m or 250 (metres)")
        value, unit = float(m.group(1)), (m.group(2) or "m").lower()
    metres = value * (1000.0 if unit in ("km", "公里", "千米") else 1.0)
    if not metres > 0:
        raise DataError(f"a cell size must be positive, got {text!r}")
    return metres


def cell_code(ix, iy) -> str:
    return f"E{int(ix)}N{int(iy)}"


def build_grid(boundary: gpd.GeoDataFrame, cell_m: float, *, mode: str = "centroid",
               id_column: str = "code") -> gpd.GeoDataFrame:
    """A regular grid of ``cell_m``-metre squares inside ``boundary`` (see the module docstring).

    >>> import shapely, geopandas as gpd
    >>> from cityrank.geo.projection import ANALYSIS_CRS
    >>> b = gpd.GeoDataFrame({"code": ["d1"]}, geometry=[shapely.box(0, 0, 3000, 2000)], crs=ANALYSIS_CRS)
    >>> g = build_grid(b, 1000)
    >>> len(g), sorted(g["code"])[:2], round(float(g["area_m2"].iloc[0]))
    (6, ['E0N0', 'E0N1'], 1000000)
    """
    from cityrank.geo.projection import ANALYSIS_CRS, STORAGE_CRS

    if mode not in GRID_MODES:
        raise DataError(f"unknown grid mode {mode!r}; choose {' or '.join(GRID_MODES)}")
    cell_m = float(cell_m)
    if not cell_m > 0:
        raise DataError(f"cell size must be positive, got {cell_m}")
    if boundary.crs is None:
        raise DataError("grid: the boundary has no CRS")
    if len(boundary) == 0:
        raise DataError("grid: the boundary layer is empty")
    parents = (boundary[id_column].astype(str).to_numpy() if id_column in boundary.columns
               else np.array([str(i) for i in range(len(boundary))]))
    b = boundary.to_crs(ANALYSIS_CRS)
    geoms = b.geometry.to_numpy()
    union = shapely.union_all(geoms)
    shapely.prepare(union)
    tree = shapely.STRtree(geoms)
    minx, miny, maxx, maxy = union.bounds
    ix0, ix1 = math.floor(minx / cell_m), math.ceil(maxx / cell_m)
    iy0, iy1 = math.floor(miny / cell_m), math.ceil(maxy / cell_m)
    if (ix1 - ix0) * (iy1 - iy0) > MAX_CELLS:
        raise DataError(f"grid: {(ix1 - ix0) * (iy1 - iy0):,} candidate cells of {cell_m:g} m exceed the "
                        f"limit of {MAX_CELLS:,}; choose a larger cell")
    cols = np.arange(ix0, ix1)
    parts = []
    for r0 in range(iy0, iy1, _ROWS_PER_BLOCK):  # row blocks bound the memory of candidates
        rows = np.arange(r0, min(r0 + _ROWS_PER_BLOCK, iy1))
        gx, gy = np.meshgrid(cols, rows)
        gx, gy = gx.ravel(), gy.ravel()
        cx, cy = (gx + 0.5) * cell_m, (gy + 0.5) * cell_m
        if mode == "centroid":
            inside = shapely.contains_xy(union, cx, cy)
            gx, gy = gx[inside], gy[inside]
            cells = shapely.box(gx * cell_m, gy * cell_m, (gx + 1) * cell_m, (gy + 1) * cell_m)
            probe = shapely.points(cx[inside], cy[inside])
        else:
            cells = shapely.box(gx * cell_m, gy * cell_m, (gx + 1) * cell_m, (gy + 1) * cell_m)
            hit = shapely.intersects(union, cells)
            gx, gy, cells = gx[hit], gy[hit], cells[hit]
            whole = shapely.contains_properly(union, cells)
            cut = shapely.intersection(cells[~whole], union)
            cells = cells.copy()
            cells[~whole] = cut
            polygonal = ~shapely.is_empty(cells) & (shapely.area(cells) > 0)
            gx, gy, cells = gx[polygonal], gy[polygonal], cells[polygonal]
            probe = shapely.point_on_surface(cells)
        if len(cells) == 0:
            continue
        pi, gi = tree.query(probe, predicate="within")
        parent = np.full(len(cells), None, dtype=object)
        parent[pi] = parents[gi]  # a point on a shared edge: the later unit wins, deterministically
        parts.append((gx, gy, cells, parent))
    if not parts:
        raise DataError(f"grid: no {cell_m:g} m cell has its centre inside the boundary; use a smaller "
                        "cell or mode='clip'")
    gx = np.concatenate([p[0] for p in parts])
    gy = np.concatenate([p[1] for p in parts])
    cells = np.concatenate([p[2] for p in parts])
    codes = [cell_code(x, y) for x, y in zip(gx, gy, strict=True)]
    grid = gpd.GeoDataFrame(
        {"code": codes, "name": codes, "ix": gx.astype(np.int64), "iy": gy.astype(np.int64),
         "cell_m": cell_m, "parent": np.concatenate([p[3] for p in parts]),
         "area_m2": shapely.area(cells)},
        geometry=cells, crs=ANALYSIS_CRS).to_crs(STORAGE_CRS)
    grid.attrs["grid"] = {"cell_m": cell_m, "mode": mode, "crs": ANALYSIS_CRS.name,
                          "n_cells": len(grid), "code": "E{ix}N{iy}, ix = floor(x / cell_m) in the CRS"}
    return grid
