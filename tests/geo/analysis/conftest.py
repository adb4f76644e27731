"""Fixtures of the spatial-analysis tests: PySAL's bundled Columbus data and small grids."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box


@pytest.fixture(scope="session")
def columbus():
    """Columbus, Ohio, 1980 (Anselin 1988), shipped inside libpysal (no download)."""
    from libpysal import examples

    return gpd.read_file(examples.get_path("columbus.shp"))


@pytest.fixture(scope="session")
def columbus_w(columbus):
    from cityrank.geo.analysis.weights import build_weights

    return build_weights(columbus, "queen", ids=columbus["POLYID"].astype(str).tolist())


def make_grid(nx: int, ny: int, *, cell: float = 1.0, crs=None, x0: float = 0.0, y0: float = 0.0):
    """nx * ny square cells, ids 'r{row}c{col}', row 0 at the bottom."""
    cells, ids, rows, cols = [], [], [], []
    for r in range(ny):
        for c in range(nx):
            cells.append(box(x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell))
            ids.append(f"r{r}c{c}")
            rows.append(r)
            cols.append(c)
    return gpd.GeoDataFrame({"id": ids, "row": rows, "col": cols}, geometry=cells, crs=crs)


@pytest.fixture
def corner_grid():
    """10x10 grid: values 10 in the 3x3 top-right block, 1 in the bottom-left block, 5 elsewhere."""
    g = make_grid(10, 10)
    v = np.full(len(g), 5.0)
    v[(g["row"] >= 7) & (g["col"] >= 7)] = 10.0
    v[(g["row"] <= 2) & (g["col"] <= 2)] = 1.0
    g["v"] = v + np.random.default_rng(0).normal(0, 0.05, len(g))
    return g


@pytest.fixture(scope="session")
def grid_factory():
    return make_grid
