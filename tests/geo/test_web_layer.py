"""cityrank.geo.simplify: the coverage-simplified web layer keeps every neighbour and adds no overlap."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from cityrank.errors import DataError
from cityrank.geo.boundaries import available_layers, load_layer
from cityrank.geo.simplify import build_web_layer, make_coverage, shared_borders

OVERLAP_TOL = 1e-9  # sq. degrees; numerical noise only


def _assert_topology_preserved(original, simplified):
    """Every neighbour pair of the original still shares a border and does not overlap."""
    left, right, _ = shared_borders(original)
    assert len(left) > 0
    simp = np.asarray(simplified, dtype=object)
    bounds = shapely.boundary(simp)
    shared = shapely.length(shapely.intersection(bounds[left], bounds[right]))
    lost = [(int(i), int(j)) for i, j, s in zip(left, right, shared, strict=True) if s <= 0]
    assert lost == []
    overlap = shapely.area(shapely.intersection(simp[left], simp[right]))
    assert overlap.max() < OVERLAP_TOL
    assert shapely.coverage_is_valid(simp)


def _jagged_pair():
    # Two units sharing a zig-zag border of 40 vertices.
    ys = np.linspace(0, 1, 41)
    xs = 1 + 0.01 * np.sin(ys * 60)
    border = list(zip(xs, ys, strict=True))
    west = Polygon([(0, 0), *border, (0, 1)])
    east = Polygon([*border, (2, 1), (2, 0)][::-1])
    return gpd.GeoDataFrame({"code": ["110000", "120000"]}, geometry=[west, east], crs=4490)


def test_jagged_border_is_simplified_identically_on_both_sides():
    gdf = _jagged_pair()
    web = build_web_layer(gdf, tolerance=0.05, grid_size=1e-4)
    assert shapely.get_num_coordinates(web.geometry.values).sum() < shapely.get_num_coordinates(
        gdf.geometry.values
    ).sum()
    _assert_topology_preserved(gdf.geometry.values, web.geometry.values)
    assert list(web["code"]) == ["110000", "120000"]
    # quantised: every coordinate is on the 1e-4 grid
    coords = shapely.get_coordinates(web.geometry.values)
    np.testing.assert_allclose(coords, np.round(coords, 4), atol=1e-12)


def test_overlap_is_repaired_deterministically_with_a_warning():
    a = box(0, 0, 1, 1)
    b = box(0.9, 0, 2, 1)  # overlaps a by 0.1 x 1
    geoms, warnings = make_coverage([a, b], ["A", "B"])
    assert shapely.coverage_is_valid(geoms)
    assert geoms[0].area == pytest.approx(1.0)
    assert geoms[1].area == pytest.approx(1.0)  # 1.1 minus the 0.1 overlap kept by A
    assert warnings == ["A and B overlapped (1.00e-01 sq. deg); overlap assigned to A"]


def test_refuses_projected_layers_and_lines():
    gdf = _jagged_pair()
    with pytest.raises(DataError, match="lon/lat"):
        build_web_layer(gdf.to_crs(3857))
    lines = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=4490)
    with pytest.raises(DataError, match="polygons only"):
        build_web_layer(lines)


@pytest.fixture(scope="module")
def prefecture():
    return load_layer("prefecture")


def test_prefecture_web_layer_built_now_preserves_topology(prefecture):
    web = build_web_layer(prefecture)
    assert list(web["code"]) == list(prefecture["code"])
    _assert_topology_preserved(prefecture.geometry.values, web.geometry.values)
    # a real reduction in size
    assert shapely.get_num_coordinates(web.geometry.values).sum() < 0.5 * shapely.get_num_coordinates(
        prefecture.geometry.values
    ).sum()


def test_committed_prefecture_web_layer_preserves_topology(prefecture):
    assert "prefecture_web" in available_layers()
    web = load_layer("prefecture_web")
    assert sorted(web["code"]) == sorted(prefecture["code"])
    web = web.set_index("code").loc[prefecture["code"]]
    _assert_topology_preserved(prefecture.geometry.values, web.geometry.values)
