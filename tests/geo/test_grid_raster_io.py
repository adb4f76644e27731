"""Grids inside real boundaries, and scored layers exported as GeoTIFF / GeoPackage and read back."""

from __future__ import annotations

import doctest

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
import shapely

from cityrank.errors import ConfigError, DataError
from cityrank.geo import grid as grid_mod
from cityrank.geo import raster_io
from cityrank.geo.boundaries import load_layer
from cityrank.geo.grid import build_grid, parse_length
from cityrank.geo.projection import ANALYSIS_CRS


@pytest.fixture(scope="module")
def shenzhen_dongguan():
    pref = load_layer("prefecture")
    return pref[pref["code"].isin(["440300", "441900"])][["code", "name", "geometry"]].reset_index(drop=True)


def test_parse_length():
    assert parse_length("1km") == 1000 and parse_length("500 m") == 500 and parse_length(250) == 250
    for bad in ("1 mile", "", "-1km", "0"):
        with pytest.raises(DataError):
            parse_length(bad)


def test_centroid_grid_inside_real_boundaries(shenzhen_dongguan):
    g = build_grid(shenzhen_dongguan, parse_length("1km"))
    assert g.crs.to_epsg() == 4490
    assert set(g["parent"]) == {"440300", "441900"}
    area = shenzhen_dongguan.to_crs(ANALYSIS_CRS).area.to_numpy() / 1e6
    counts = g["parent"].value_counts()
    # whole 1 km^2 cells whose centres are inside: about the area in km^2 (coastline effects)
    for code, a in zip(shenzhen_dongguan["code"], area, strict=True):
        assert counts[code] == pytest.approx(a, rel=0.05)
    np.testing.assert_allclose(g["area_m2"], 1e6)
    assert not g["code"].duplicated().any()
    # cells align across boundaries: Shenzhen's own grid is a subset with the same geometry
    sz = build_grid(shenzhen_dongguan[shenzhen_dongguan["code"] == "440300"], 1000)
    both = g.set_index("code")
    assert set(sz["code"]) <= set(both.index)
    same = both.loc[sz["code"]].geometry.to_numpy()
    assert shapely.equals_exact(same, sz.geometry.to_numpy(), tolerance=0).all()


def test_clip_grid_covers_the_boundary_exactly(shenzhen_dongguan):
    sz = shenzhen_dongguan[shenzhen_dongguan["code"] == "440300"]
    g = build_grid(sz, 2000, mode="clip")
    area = float(sz.to_crs(ANALYSIS_CRS).area.iloc[0])
    assert g["area_m2"].sum() == pytest.approx(area, rel=1e-6)
    assert (g["area_m2"] <= 4e6 * (1 + 1e-9)).all() and (g["area_m2"] < 4e6 * 0.999).any()
    assert (g["parent"] == "440300").all()


def test_grid_lattice_contiguity_after_storage_round_trip():
    from cityrank.geo.analysis.weights import build_weights

    b = gpd.GeoDataFrame({"code": ["d"]}, geometry=[shapely.box(1.2e6, 2.5e6, 1.21e6, 2.506e6)],
                         crs=ANALYSIS_CRS)
    g = build_grid(b, 1000)
    assert len(g) == 60
    sw = build_weights(g, "queen", ids=g["code"].tolist())
    card = np.array([sw.w.cardinalities[i] for i in range(sw.n)])
    # 10 x 6 lattice: 4 corners (3), 2*(8+4) edges (5), 8*4 interior (8)
    assert sorted(np.bincount(card)[[3, 5, 8]]) == sorted([4, 24, 32])
    assert sw.fixed == []


def test_grid_errors():
    b = gpd.GeoDataFrame({"code": ["d"]}, geometry=[shapely.box(0, 0, 100, 100)], crs=ANALYSIS_CRS)
    with pytest.raises(DataError, match="no 1000 m cell"):
        build_grid(b, 1000)
    assert len(build_grid(b, 1000, mode="clip")) == 1
    with pytest.raises(DataError, match="mode"):
        build_grid(b, 10, mode="hex")
    big = gpd.GeoDataFrame({"code": ["d"]}, geometry=[shapely.box(0, 0, 1e7, 1e7)], crs=ANALYSIS_CRS)
    with pytest.raises(DataError, match="exceed"):
        build_grid(big, 100)


@pytest.fixture
def scored():
    geoms = [shapely.box(1_200_000, 2_500_000, 1_210_000, 2_505_000),
             shapely.box(1_210_000, 2_500_000, 1_215_000, 2_505_000)]
    g = gpd.GeoDataFrame({"code": ["a", "b"], "total": [61.5, 40.0], "rank": [1, 2]},
                         geometry=geoms, crs=ANALYSIS_CRS).to_crs(4490)
    g.attrs["synthetic"] = True
    return g


def test_geotiff_equal_area_read_back(tmp_path, scored):
    out = raster_io.export_geotiff(scored, ["total", "rank"], tmp_path / "s.tif", resolution=1000,
                                   crs="equal-area", source="test")
    with rasterio.open(out) as ds:
        assert ds.count == 2 and ds.res == (1000.0, 1000.0)
        assert ds.descriptions == ("total", "rank")
        assert ds.tags()["SYNTHETIC"] == "true"
        assert "Albers" in ds.crs.to_wkt() or "aea" in ds.crs.to_proj4()
        a = ds.read(1)
        assert (a.shape[1], a.shape[0]) == (15, 5)
        assert np.all(a[:, :10] == np.float32(61.5)) and np.all(a[:, 10:] == np.float32(40.0))
        assert list(ds.sample([(1_205_000.5, 2_502_500.5), (1_212_500.5, 2_502_500.5)], indexes=2)) == [1, 2]


def test_geotiff_cgcs2000_and_nodata(tmp_path, scored):
    scored.loc[1, "total"] = np.nan
    out = raster_io.export_geotiff(scored, ["total"], tmp_path / "s.tif", resolution=0.01, crs="cgcs2000")
    with rasterio.open(out) as ds:
        assert ds.crs.to_epsg() == 4490 and ds.res == pytest.approx((0.01, 0.01))
        pts = scored.geometry.representative_point()
        vals = [v[0] for v in ds.sample([(p.x, p.y) for p in pts])]
        assert vals[0] == np.float32(61.5) and np.isnan(vals[1])


def test_geotiff_errors(tmp_path, scored):
    with pytest.raises(DataError, match="too large"):
        raster_io.export_geotiff(scored, ["total"], tmp_path / "x.tif", resolution=0.01, crs="equal-area")
    with pytest.raises(DataError, match="no column"):
        raster_io.export_geotiff(scored, ["nope"], tmp_path / "x.tif", resolution=1000)
    with pytest.raises(ConfigError):
        raster_io.export_geotiff(scored, ["total"], tmp_path / "x.tif", resolution=1000, crs="utm")
    assert not (tmp_path / "x.tif").exists()


def test_geopackage_read_back(tmp_path, scored):
    out = raster_io.export_geopackage(scored.to_crs(ANALYSIS_CRS), tmp_path / "s.gpkg")
    back = pyogrio.read_dataframe(out)
    assert back.crs.to_epsg() == 4490
    assert back["total"].tolist() == [61.5, 40.0] and back["synthetic"].all()
    assert shapely.equals_exact(back.geometry.to_numpy(), scored.geometry.to_numpy(), tolerance=1e-9).all()


def test_doctests():
    assert doctest.testmod(grid_mod).failed == 0
