"""cityrank.geo.user_boundaries: GBK/UTF-8 Shapefiles, GeoPackage, GeoJSON load and join like ours."""

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, box

from cityrank.errors import DataError
from cityrank.geo.join import join_scores
from cityrank.geo.user_boundaries import detect_dbf_encoding, read_boundaries

# Bao'an district subdistricts (a few of its 10), as simple boxes.
NAMES = ["新安街道", "西乡街道", "航城街道", "福永街道"]
CODES = ["440306001", "440306002", "440306003", "440306004"]


def _gdf(crs=4490):
    geoms = [box(113.80 + 0.05 * i, 22.55, 113.85 + 0.05 * i, 22.60) for i in range(4)]
    g = gpd.GeoDataFrame({"区划码": CODES, "名称": NAMES, "人口": [1.0, 2.0, 3.0, 4.0]},
                         geometry=geoms, crs=4490)
    return g.to_crs(crs)


@pytest.mark.parametrize("keep_cpg", [True, False])
def test_gbk_shapefile_loads_and_joins(tmp_path, keep_cpg):
    shp = tmp_path / "baoan.shp"
    pyogrio.write_dataframe(_gdf(), shp, encoding="GBK")
    assert not (tmp_path / "baoan.dbf").read_bytes().__contains__("新安".encode())  # really GBK
    if not keep_cpg:
        (tmp_path / "baoan.cpg").unlink()
        assert detect_dbf_encoding(tmp_path / "baoan.dbf") == "GB18030"
    layer = read_boundaries(shp)
    assert layer["code"].tolist() == CODES
    assert layer["name"].tolist() == NAMES
    assert layer.crs.to_epsg() == 4490
    assert "名称" in layer.columns  # original attributes kept
    if not keep_cpg:
        assert "GB18030" in layer.attrs["warnings"][0]

    scores = pd.DataFrame({"街道": ["新安", "西鄉街道", "440306003", "沙井街道"],
                           "total": [60.0, 50.0, 40.0, 30.0]})
    res = join_scores(scores, layer=layer, name_column="街道", key_column=None)
    st = res.gdf.set_index("code")["status"]
    assert st.to_dict() == {"440306001": "scored", "440306002": "scored",
                            "440306003": "scored", "440306004": "no_data"}
    # short and traditional names match; 沙井 is not in this layer and is reported
    assert res.unmatched["source_row"].tolist() == [5]
    assert "沙井街道" in res.unmatched["problem"].iloc[0]


def test_codes_join_on_user_layer_and_utf8_shapefile(tmp_path):
    shp = tmp_path / "utf8.shp"
    pyogrio.write_dataframe(_gdf(), shp, encoding="UTF-8")
    (tmp_path / "utf8.cpg").unlink()
    assert detect_dbf_encoding(tmp_path / "utf8.dbf") == "UTF-8"
    layer = read_boundaries(shp, id_column="区划码", name_column="名称")
    scores = pd.DataFrame({"code": CODES, "total": [1.0, 2.0, 3.0, 4.0]})
    res = join_scores(scores, layer=layer)
    assert res.counts == {"scored": 4, "no_data": 0, "not_evaluated": 0, "unmatched": 0}


def test_geopackage_and_geojson_are_reprojected(tmp_path):
    gpkg = tmp_path / "grid.gpkg"
    _gdf(crs=3857).to_file(gpkg, layer="grid", driver="GPKG")
    layer = read_boundaries(gpkg)
    assert layer.crs.to_epsg() == 4490
    assert layer.total_bounds == pytest.approx([113.80, 22.55, 114.0, 22.60], abs=1e-6)
    gj = tmp_path / "grid.geojson"
    _gdf(crs=4326).to_file(gj, driver="GeoJSON")
    layer = read_boundaries(gj)
    assert layer["code"].tolist() == CODES


def test_numeric_ids_become_text(tmp_path):
    g = _gdf()
    g["区划码"] = g["区划码"].astype("int64")
    gj = tmp_path / "n.geojson"
    g.to_file(gj, driver="GeoJSON")
    assert read_boundaries(gj)["code"].tolist() == CODES


def test_errors_name_the_problem(tmp_path):
    g = _gdf()
    g.loc[1, "区划码"] = CODES[0]
    dup = tmp_path / "dup.geojson"
    g.to_file(dup, driver="GeoJSON")
    with pytest.raises(DataError, match="duplicate ids.*rows 1, 2"):
        read_boundaries(dup)

    g = _gdf(crs=3857)
    noprj = tmp_path / "noprj.shp"
    pyogrio.write_dataframe(g, noprj, encoding="UTF-8")
    (tmp_path / "noprj.prj").unlink()
    with pytest.raises(DataError, match="no CRS"):
        read_boundaries(noprj)
    with pytest.raises(DataError, match="outside China"):
        read_boundaries(noprj, crs="EPSG:4490")  # wrong declaration: metres read as degrees
    assert read_boundaries(noprj, crs="EPSG:3857").crs.to_epsg() == 4490

    lines = gpd.GeoDataFrame({"id": ["a"]}, geometry=[LineString([(113, 22), (114, 23)])], crs=4490)
    lp = tmp_path / "lines.geojson"
    lines.to_file(lp, driver="GeoJSON")
    with pytest.raises(DataError, match="row 1 is a LineString"):
        read_boundaries(lp)
    csv = tmp_path / "x.csv"
    csv.write_text("a\n1\n")
    with pytest.raises(DataError, match="unsupported"):
        read_boundaries(csv)
    ok = tmp_path / "ok.geojson"
    _gdf().to_file(ok, driver="GeoJSON")
    with pytest.raises(DataError, match="no column 'nope'"):
        read_boundaries(ok, id_column="nope")


def test_zipped_gbk_shapefile_without_cpg(tmp_path):
    import zipfile

    shp = tmp_path / "baoan.shp"
    pyogrio.write_dataframe(_gdf(), shp, encoding="GBK")
    archive = tmp_path / "baoan.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            zf.write(shp.with_suffix(ext), f"data/baoan{ext}")
    layer = read_boundaries(archive)
    assert layer["name"].tolist() == NAMES
    assert layer.attrs["source"].endswith("!baoan.shp")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "no boundaries here")
    with pytest.raises(DataError, match="exactly one boundary file"):
        read_boundaries(empty)
