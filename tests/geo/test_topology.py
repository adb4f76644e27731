"""cityrank.geo.topology and the package's web geometry (prefecture.topo.json): one quantised,
topology-preserving TopoJSON: valid, no overlaps, no lost border, the named short borders kept,
Diaoyu and Hainan's southern tip present, the file current with the GeoPackage."""

from __future__ import annotations

import gzip
import hashlib
import json

import numpy as np
import pytest
import shapely

from cityrank import paths
from cityrank.geo import topology
from cityrank.geo.boundaries import load_layer
from cityrank.geo.extent import DIAOYU, MAIN_MAP
from cityrank.scoring.units import TAIWAN_CODE

from .test_web_layer import _assert_topology_preserved

NEIGHBOURS = [("320300", "340600"), ("440400", "820000"), ("653000", "659003")]  # 徐州–淮北, 珠海–澳门, 克孜勒苏–图木舒克


@pytest.fixture(scope="module")
def prefecture():
    return load_layer("prefecture").sort_values("code").reset_index(drop=True)


@pytest.fixture(scope="module")
def shipped():
    return json.loads(paths.WEB_TOPOLOGY.read_bytes())


def test_shipped_layer_is_a_valid_coverage_with_every_border(prefecture, shipped):
    report = topology.check(shipped, prefecture)
    assert report["invalid"] == [] and report["overlaps"] == [] and report["lost"] == []
    assert report["missing"] == []
    decoded = topology.decode(shipped).set_index("code").loc[prefecture["code"]]
    # today's topology test of the web layer, on the TopoJSON read back
    _assert_topology_preserved(prefecture.geometry.values, decoded.geometry.values)


@pytest.mark.parametrize(("a", "b"), NEIGHBOURS)
def test_named_short_borders_survive(shipped, a, b):
    g = topology.decode(shipped).set_index("code").geometry
    assert g[a].boundary.intersection(g[b].boundary).length > 0


def test_quantised_small_and_complete(shipped, prefecture):
    body = paths.WEB_TOPOLOGY.read_bytes()
    assert len(gzip.compress(body, 9)) <= 40 * 1024  # the national layer's budget
    tr = shipped["transform"]
    assert tr["scale"] == [topology.GRID_DEG, topology.GRID_DEG]
    assert all(isinstance(v, int) for arc in shipped["arcs"] for p in arc for v in p)
    units = topology.decode(shipped).set_index("code")
    assert set(units.index) == set(prefecture["code"])
    assert units.loc["110000", "n"] == "北京市" and units.loc["110000", "e"] == "Beijing"
    # Hainan's southern tip (18.16°N) and the Diaoyu islands are drawn
    assert units.loc["460200"].geometry.bounds[1] < 18.25 < MAIN_MAP.lat_max
    taiwan = units.loc[TAIWAN_CODE].geometry
    assert taiwan.intersects(shapely.box(*DIAOYU))
    lines = topology.decode(shipped, topology.LINES)
    assert "south_china_sea_dashed_line" in set(lines["k"])


def test_shipped_file_matches_the_geopackage_and_its_provenance():
    record = json.loads(paths.WEB_TOPOLOGY_PROVENANCE.read_text(encoding="utf-8"))
    gpkg = hashlib.sha256(paths.ADMIN_GPKG.read_bytes()).hexdigest()
    assert record["input"]["sha256"] == gpkg, "china_admin.gpkg changed: run scripts/build_topology.py"
    assert record["output"]["sha256"] == hashlib.sha256(paths.WEB_TOPOLOGY.read_bytes()).hexdigest()
    assert record["checks"] == {"invalid": 0, "overlaps": 0, "lost": 0, "missing": 0}


def test_dropping_small_parts_regardless_of_borders_would_lose_borders(prefecture):
    """The failure this module avoids: a small part that carries a border is kept."""
    import geopandas as gpd
    from shapely.geometry import box

    # B's small part is the only one touching A; a size filter alone would drop it
    a = shapely.Polygon([(0, 0), (1, 0), (1, 0.4), (1, 0.42), (1, 1), (0, 1)])
    b = shapely.MultiPolygon([box(1, 0.4, 1.02, 0.42), box(3, 0, 5, 2)])
    gdf = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[a, b], crs=4490)
    topo = topology.build(gdf, tolerance=0.001, grid=0.001, island_area=0.01, props={})
    assert topology.check(topo, gdf)["lost"] == []
    # a true island of the same size is dropped
    c = shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 2, 2.02, 2.02)])
    gdf2 = gpd.GeoDataFrame({"code": ["C"]}, geometry=[c], crs=4490)
    assert topology.decode(topology.build(gdf2, tolerance=0.001, grid=0.001, island_area=0.01,
                                          props={})).geometry[0].geom_type == "Polygon"


def test_decode_round_trips_the_quantised_geometry():
    import geopandas as gpd
    from shapely.geometry import Polygon

    ring = [(0, 0), (2, 0), (2, 2), (0, 2)]
    hole = [(0.5, 0.5), (0.5, 1.5), (1.5, 1.5), (1.5, 0.5)]
    gdf = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[Polygon(ring, [hole]), Polygon(hole)], crs=4490)
    back = topology.decode(topology.build(gdf, tolerance=0.001, grid=0.5, island_area=0, props={}))
    assert np.isclose(back.geometry[0].area, 3.0) and np.isclose(back.geometry[1].area, 1.0)


def test_refuses_projected_layers(prefecture):
    from cityrank.errors import DataError

    with pytest.raises(DataError, match="lon/lat"):
        topology.build(prefecture.head(3).to_crs(3857))
