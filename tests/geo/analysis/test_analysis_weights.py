"""Weights registry; islands and disconnected components are attached and reported."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from cityrank.errors import ConfigError, DataError
from cityrank.geo.analysis.weights import WEIGHT_BUILDERS, build_weights
from cityrank.paths import ADMIN_GPKG


@pytest.fixture
def archipelago(grid_factory):
    """A 4x4 grid, one far island, and a detached pair of cells (a second component)."""
    g = grid_factory(4, 4)
    extra = gpd.GeoDataFrame(
        {"id": ["island", "p1", "p2"], "row": [-1] * 3, "col": [-1] * 3},
        geometry=[box(10, 10, 11, 11), box(-10, 0, -9, 1), box(-9, 0, -8, 1)],
    )
    return gpd.GeoDataFrame(pd.concat([g, extra], ignore_index=True), geometry="geometry")


def test_islands_and_components_attached_and_reported(archipelago):
    sw = build_weights(archipelago, "queen", ids=archipelago["id"].tolist())
    assert sw.islands == ["island"]
    assert sw.components_before == 3
    assert {f["unit"] for f in sw.fixed} | {f["attached_to"] for f in sw.fixed} >= {"island", "r3c3"}
    island_fix = next(f for f in sw.fixed if "island" in (f["unit"], f["attached_to"]))
    assert island_fix["reason"] == "island (no neighbours)"
    assert island_fix["attached_to"] == "r3c3" or island_fix["unit"] == "r3c3"
    pair_fix = next(f for f in sw.fixed if f["reason"] == "disconnected component")
    assert set(pair_fix["component"]) in ({"p1", "p2"}, {"island"} | set())
    assert min(sw.w.cardinalities.values()) >= 1  # nobody dropped, nobody without neighbours
    assert sw.n == len(archipelago)
    d = sw.to_dict()
    assert d["islands"] == ["island"] and len(d["fixed"]) == 2


def test_connect_false_keeps_island_but_reports_it(archipelago):
    sw = build_weights(archipelago, "rook", ids=archipelago["id"].tolist(), connect=False)
    assert sw.islands == ["island"] and sw.fixed == []


@pytest.mark.parametrize("method", sorted(WEIGHT_BUILDERS))
def test_every_method_builds_row_standardised(method, grid_factory):
    g = grid_factory(6, 6)
    sw = build_weights(g, method, ids=g["id"].tolist())
    rows = sw.w.sparse.sum(axis=1)
    assert abs(rows.min() - 1) < 1e-9 and abs(rows.max() - 1) < 1e-9
    assert sw.to_dict()["method"] == method


def test_rook_vs_queen_counts(grid_factory):
    g = grid_factory(5, 5)
    q = build_weights(g, "queen", ids=g["id"].tolist()).w.cardinalities
    r = build_weights(g, "rook", ids=g["id"].tolist()).w.cardinalities
    assert q[12] == 8 and r[12] == 4 and q[0] == 3 and r[0] == 2


def test_unknown_method_and_bad_k(grid_factory):
    g = grid_factory(3, 3)
    with pytest.raises(ConfigError, match="unknown weights method"):
        build_weights(g, "hexagonal")
    with pytest.raises(ConfigError, match="k=20"):
        build_weights(g, "knn", k=20)
    with pytest.raises(DataError):
        build_weights(g.iloc[:2], "queen")


def test_geographic_layer_uses_china_albers(grid_factory):
    g = grid_factory(3, 3, cell=0.5, crs="EPSG:4490", x0=110, y0=30)
    sw = build_weights(g, "distance_band", ids=g["id"].tolist())
    assert "Albers" in sw.crs
    assert 40_000 < sw.params["threshold"] < 60_000  # ~0.5 degree in metres at 30N


@pytest.mark.skipif(not ADMIN_GPKG.exists(), reason="boundaries not built")
def test_prefecture_islands_reported():
    from cityrank.geo.boundaries import load_layer

    g = load_layer("prefecture")
    sw = build_weights(g, "queen", ids=g["code"].tolist())
    assert "330900" in sw.islands  # 舟山 (Zhoushan archipelago)
    hainan = next(f for f in sw.fixed if "460100" in f["component"])  # 海口's component
    assert hainan["reason"] == "disconnected component"
    assert all(c.startswith("46") for c in hainan["component"])
