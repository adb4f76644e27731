"""cityrank.geo.inset: the 南海诸岛 inset SVG drawn from the committed layers (and from a tiny layer file)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
from shapely.geometry import MultiLineString, box

from cityrank.errors import DataError
from cityrank.geo.inset import INSET_BOX, VIEW_WIDTH, build_inset, inset_geometry, inset_svg

SVG = "{http://www.w3.org/2000/svg}"


def _coords(d: str) -> list[tuple[int, int]]:
    nums = [int(n) for n in re.findall(r"-?\d+", d)]
    return list(zip(nums[::2], nums[1::2], strict=True))


def test_svg_is_wellformed_small_and_inert():
    svg = inset_svg("zh")
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert root.find(SVG + "title").text == "南海诸岛"
    assert len(svg.encode()) < 10_000  # a few KB inline on every map page
    # CSP-compatible: nothing executable, nothing fetched
    low = svg.lower()
    for bad in ("<script", " on", "href", "url(", "style=", "http://w", "https:"):
        assert bad not in low.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_english_title():
    root = ET.fromstring(inset_svg("en"))
    assert root.find(SVG + "title").text == "South China Sea Islands"
    assert root.get("aria-label") == "South China Sea Islands"


def test_dashed_line_drawn_inside_the_frame():
    g = inset_geometry()
    assert g.width == VIEW_WIDTH
    # 20° of longitude × cos(13.5°) across, 23° of latitude down: portrait, ~237 units
    assert g.height == 237
    pts = [p for d in g.dashes for p in _coords(d)]
    # the committed line has ten dashes, all of them in the box
    assert sum(d.count("M") for d in g.dashes) == 10
    assert all(0 <= x <= g.width and 0 <= y <= g.height for x, y in pts)
    # it reaches far south (曾母暗沙 ~4°N): y of 4°N is (25-4)/23 of the height
    assert max(y for _, y in pts) >= round(g.height * (25 - 4.5) / 23)
    root = ET.fromstring(inset_svg())
    dash_group = [e for e in root.iter(SVG + "g") if e.get("class") == "cr-inset-dash"]
    assert len(dash_group) == 1 and len(dash_group[0].findall(SVG + "path")) >= 1
    assert dash_group[0].get("data-kind") == "south_china_sea_dashed_line"


def test_land_includes_hainan_and_taiwan_and_islands():
    g = inset_geometry()
    pts = [p for d in g.land for p in _coords(d)]
    kx = 0.9724  # cos(13.5°)
    scale = VIEW_WIDTH / (20 * kx)

    def xy(lon, lat):
        return (lon - 105) * kx * scale, (25 - lat) * scale

    # Hainan's southern tip (~18.2°N, 109.5°E) and Taiwan's (~21.9°N, 120.8°E) are drawn
    for lon, lat in ((109.5, 18.2), (120.8, 21.9)):
        x, y = xy(lon, lat)
        assert any(abs(px - x) < 4 and abs(py - y) < 4 for px, py in pts), (lon, lat)
    # Xisha (~16.5°N 112°E) and Nansha (~10°N 114°E) are marked as island dots
    for lon, lat in ((112.0, 16.5), (114.0, 10.0)):
        x, y = xy(lon, lat)
        assert any(abs(px - x) < 12 and abs(py - y) < 12 for px, py in g.islands), (lon, lat)
    assert 20 <= len(g.islands) <= 200


def test_cached_once_per_process():
    assert inset_geometry() is inset_geometry()


def _tiny_gpkg(tmp_path, with_dash: bool = True):
    path = tmp_path / "tiny.gpkg"
    prov = gpd.GeoDataFrame({"code": ["460000"], "name": ["海南省"], "name_en": ["Hainan"]},
                            geometry=[box(108.6, 18.2, 111.0, 20.1)], crs=4490)
    prov.to_file(path, layer="province", engine="pyogrio")
    kind = "south_china_sea_dashed_line" if with_dash else "boundary_line"
    lines = gpd.GeoDataFrame({"name": ["x"], "kind": [kind]},
                             geometry=[MultiLineString([[(110, 6), (111, 4)], [(118, 10), (119, 12)]])], crs=4490)
    lines.to_file(path, layer="boundary_line", engine="pyogrio")
    return path


def test_build_from_a_small_layer_file(tmp_path):
    g = build_inset(_tiny_gpkg(tmp_path), width=100)
    kx = 0.9724
    scale = 100 / (20 * kx)
    assert len(g.land) == 1 and g.islands == ()
    assert _coords(g.dashes[0])[0] == (round(5 * kx * scale), round(19 * scale))
    assert sum(d.count("M") for d in g.dashes) == 2
    assert INSET_BOX == (105.0, 2.0, 125.0, 25.0)


def test_missing_dashed_line_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="south_china_sea_dashed_line"):
        build_inset(_tiny_gpkg(tmp_path, with_dash=False))
