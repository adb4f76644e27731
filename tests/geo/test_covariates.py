"""Zonal statistics against answers worked out by hand from small GeoTIFFs written here.

The raster: 10 x 10 pixels of 100 m, value = 10 * row + col (row 0 at the top), pixel
(row 2, col 3) is nodata. Polygons are drawn in the raster's CRS (where the answer is
obvious), then handed to the code in CGCS2000 lon/lat so it has to reproject them back.
"""

from __future__ import annotations

import doctest

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from cityrank.errors import DataError
from cityrank.geo.covariates import (
    Covariates,
    covariates_from_table,
    read_covariates,
    zonal_statistics,
)
from cityrank.geo.covariates import table as table_mod
from cityrank.geo.covariates import zonal as zonal_mod
from cityrank.geo.projection import ANALYSIS_CRS

NODATA = -9999.0
# Origin of the test rasters in their CRS: near Shenzhen in each.
ORIGINS = {
    "EPSG:3857": (12_680_000.0, 2_600_000.0),
    "analysis": (1_200_000.0, 2_600_000.0),
}


def _values() -> np.ndarray:
    a = (10 * np.arange(10)[:, None] + np.arange(10)[None, :]).astype("float32")
    a[2, 3] = NODATA
    return a


def write_raster(path, crs, origin, *, nodata=NODATA, values=None):
    a = _values() if values is None else values
    with rasterio.open(path, "w", driver="GTiff", width=a.shape[1], height=a.shape[0], count=1,
                       dtype="float32", crs=crs, transform=from_origin(origin[0], origin[1], 100, 100),
                       nodata=nodata) as ds:
        ds.write(a, 1)
    return path


def pixel_box(origin, c0, r0, c1, r1):
    """Box from pixel column c0..c1, row r0..r1 (fractions allowed), in the raster's CRS."""
    x0, y0 = origin
    return shapely.box(x0 + c0 * 100, y0 - r1 * 100, x0 + c1 * 100, y0 - r0 * 100)


def expected(cells: list[tuple[int, int, float]]) -> dict:
    """Coverage-weighted statistics from (row, col, covered fraction), nodata left out."""
    a = _values()
    vals = np.array([a[r, c] for r, c, _ in cells if a[r, c] != NODATA], dtype=float)
    cov = np.array([f for r, c, f in cells if a[r, c] != NODATA], dtype=float)
    mean = (vals * cov).sum() / cov.sum()
    return {"sum": (vals * cov).sum(), "count": cov.sum(), "mean": mean, "min": vals.min(),
            "max": vals.max(), "stdev": np.sqrt((cov * (vals - mean) ** 2).sum() / cov.sum())}


CASES = {
    # 2 x 2 whole pixels, rows 0-1, cols 0-1
    "whole": ((0, 0, 2, 2), [(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1)]),
    # half of col 0, all of col 1, half of col 2 in row 0
    "partial": ((0.5, 0, 2.5, 1), [(0, 0, .5), (0, 1, 1), (0, 2, .5)]),
    # cols 2.5-4.5, rows 1-3: includes the nodata pixel (2, 3)
    "nodata": ((2.5, 1, 4.5, 3), [(r, c, f) for r in (1, 2) for c, f in ((2, .5), (3, 1), (4, .5))]),
    # a quarter of four pixels around the corner (5, 5)
    "corners": ((4.5, 4.5, 5.5, 5.5), [(r, c, .25) for r in (4, 5) for c in (4, 5)]),
}


def polygons_in_lonlat(crs, origin):
    geoms = [pixel_box(origin, *CASES[k][0]) for k in CASES]
    return gpd.GeoDataFrame({"code": list(CASES)}, geometry=geoms, crs=crs).to_crs(4490)


@pytest.mark.parametrize("crs_key", ["EPSG:3857", "analysis"])
def test_zonal_statistics_known_answers_in_another_crs(tmp_path, crs_key):
    crs = ANALYSIS_CRS if crs_key == "analysis" else crs_key
    origin = ORIGINS[crs_key]
    tif = write_raster(tmp_path / "r.tif", crs, origin)
    polys = polygons_in_lonlat(crs, origin)
    assert polys.crs.to_epsg() == 4490
    stats = ["mean", "sum", "min", "max", "count", "stdev", "median"]
    cov = zonal_statistics(tif, polys, stats, name="v", unit="units")
    for code, (_box, cells) in CASES.items():
        want = expected(cells)
        for s in ("mean", "sum", "min", "max", "count", "stdev"):
            got = cov.values.loc[code, f"v_{s}"]
            assert got == pytest.approx(want[s], rel=1e-6, abs=1e-6), (code, s)
    # Partial coverage matters: a centre-of-pixel rule would give 1.0 (col 1 only) or 1.5.
    assert cov.values.loc["partial", "v_mean"] == pytest.approx(1.0)
    assert cov.values.loc["partial", "v_sum"] == pytest.approx(0.5 * 0 + 1 + 0.5 * 2)
    # nodata: 5 valid pixels, 3 pixels' worth of coverage (2 + 1; the nodata pixel's 1 is
    # left out), never -9999 in a minimum
    assert cov.values.loc["nodata", "v_count"] == pytest.approx(3.0)
    assert cov.values.loc["nodata", "v_min"] == 12
    # corners: weighted median of 44, 45, 54, 55 with equal weights lies in [45, 54]
    assert 45 <= cov.values.loc["corners", "v_median"] <= 54
    meta = cov.columns["v_sum"]
    assert meta.kind == "raster" and meta.statistic == "sum" and meta.nodata == "-9999.0"
    assert meta.unit == "units" and cov.columns["v_count"].unit == "pixels"
    if crs_key == "EPSG:3857":
        assert meta.crs == "EPSG:3857"
    else:
        assert "Albers" in meta.crs or "aea" in meta.crs


def test_nan_nodata_and_uncovered_polygon(tmp_path):
    a = _values()
    a[a == NODATA] = np.nan
    origin = ORIGINS["EPSG:3857"]
    tif = write_raster(tmp_path / "nan.tif", "EPSG:3857", origin, nodata=np.nan, values=a)
    outside = shapely.box(origin[0] - 5000, origin[1] - 5000, origin[0] - 4000, origin[1] - 4000)
    polys = gpd.GeoDataFrame({"code": ["nodata", "outside"]},
                             geometry=[pixel_box(origin, *CASES["nodata"][0]), outside], crs=3857)
    cov = zonal_statistics(tif, polys, ["mean", "sum", "count"], name="v")
    assert cov.values.loc["nodata", "v_mean"] == pytest.approx(expected(CASES["nodata"][1])["mean"])
    # Outside the raster: no pixels -> count 0 and a missing sum (not "zero people").
    assert cov.values.loc["outside", "v_count"] == 0
    assert np.isnan(cov.values.loc["outside", "v_sum"]) and np.isnan(cov.values.loc["outside", "v_mean"])


def test_prefecture_layer_zonal_sum_equals_area_of_a_constant_raster(tmp_path):
    """A raster of 1 per km^2 (1 km equal-area pixels): the sum over Shenzhen is its area."""
    from cityrank.geo.boundaries import load_layer

    pref = load_layer("prefecture")
    sz = pref[pref["code"] == "440300"]
    b = sz.to_crs(ANALYSIS_CRS).total_bounds
    w, h = int((b[2] - b[0]) // 1000) + 3, int((b[3] - b[1]) // 1000) + 3
    tif = write_raster(tmp_path / "ones.tif", ANALYSIS_CRS, (b[0] - 1000, b[3] + 1000),
                       values=np.ones((h, w), dtype="float32"))
    with rasterio.open(tif, "r+") as ds:  # 1 km pixels
        ds.transform = from_origin(b[0] - 1000, b[3] + 1000, 1000, 1000)
    cov = zonal_statistics(tif, sz, ["sum"], name="area_km2")
    area_km2 = float(sz.to_crs(ANALYSIS_CRS).area.iloc[0]) / 1e6
    assert cov.values.loc["440300", "area_km2"] == pytest.approx(area_km2, rel=1e-4)


def test_zonal_errors(tmp_path):
    polys = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=3857)
    with pytest.raises(DataError, match="unknown statistic"):
        zonal_statistics(write_raster(tmp_path / "r.tif", "EPSG:3857", (0, 1000)), polys, ["avg"], name="v")
    no_crs = tmp_path / "nocrs.tif"
    with rasterio.open(no_crs, "w", driver="GTiff", width=2, height=2, count=1, dtype="uint8",
                       transform=from_origin(0, 2, 1, 1)) as ds:
        ds.write(np.ones((2, 2), dtype="uint8"), 1)
    with pytest.raises(DataError, match="no CRS"):
        zonal_statistics(no_crs, polys, ["mean"], name="v")
    (tmp_path / "bad.tif").write_bytes(b"not a tiff")
    with pytest.raises(DataError, match="cannot read"):
        zonal_statistics(tmp_path / "bad.tif", polys, ["mean"], name="v")
    with pytest.raises(DataError, match="band 2"):
        zonal_statistics(tmp_path / "r.tif", polys, ["mean"], name="v", band=2)


@pytest.mark.parametrize("suffix", [".gpkg", ".csv"])
def test_sidecar_round_trip(tmp_path, suffix):
    tif = write_raster(tmp_path / "r.tif", "EPSG:3857", ORIGINS["EPSG:3857"])
    cov = zonal_statistics(tif, polygons_in_lonlat("EPSG:3857", ORIGINS["EPSG:3857"]), ["mean", "sum"],
                           name="人口", unit="人", date="2020")
    out = cov.write(tmp_path / f"side{suffix}")
    back = read_covariates(out)
    pd.testing.assert_frame_equal(back.values, cov.values)
    assert back.columns == cov.columns
    assert back.columns["人口_sum"].unit == "人" and back.columns["人口_sum"].date == "2020"
    if suffix == ".csv":
        assert table_mod.columns_path(out).exists()


def test_table_covariates_keyed_by_names_and_codes(tmp_path):
    path = tmp_path / "pop.csv"
    # GBK, names in traditional characters, one by 9-digit code, thousands separators
    path.write_bytes("城市,常住人口,GDP\n深圳市,\"17,560,000\",32387\n廣州,18676605,28839\n"
                     "156330100,12203000,18753\n".encode("gbk"))
    cov, warnings = covariates_from_table(path, "prefecture", units={"常住人口": "人"})
    assert cov.names == ["常住人口", "GDP"]
    assert cov.values.loc["440300", "常住人口"] == 17_560_000
    assert cov.values.loc["440100", "GDP"] == 28839
    assert cov.values.loc["330100", "常住人口"] == 12_203_000
    assert cov.columns["常住人口"].unit == "人" and cov.columns["GDP"].kind == "table"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,pop\n440300,many\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2, column 'pop'"):
        covariates_from_table(bad, "prefecture")
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("name,pop\n火星市,3\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 2"):
        covariates_from_table(unknown, "prefecture")


def test_merge_and_join_to(tmp_path):
    a = Covariates(pd.DataFrame({"pop": [1.0, 2.0]}, index=["x", "y"]),
                   {"pop": table_mod.CovariateColumn("pop", "table", "a.csv")})
    b = Covariates(pd.DataFrame({"gdp": [5.0]}, index=["y"]),
                   {"gdp": table_mod.CovariateColumn("gdp", "table", "b.csv")})
    m = a.merge(b)
    assert np.isnan(m.values.loc["x", "gdp"]) and m.values.loc["y", "gdp"] == 5
    with pytest.raises(DataError, match="defined twice"):
        m.merge(b)
    frame = pd.DataFrame({"code": ["y", "x", "z"], "total": [1, 2, 3]})
    joined = m.join_to(frame)
    assert joined["pop"].tolist()[:2] == [2.0, 1.0] and np.isnan(joined["pop"].iloc[2])
    with pytest.raises(DataError, match="already columns"):
        m.join_to(joined)


def test_doctests():
    for mod in (table_mod, zonal_mod):
        assert doctest.testmod(mod).failed == 0
