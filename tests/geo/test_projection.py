"""cityrank.geo.projection: the analysis CRS, geodesic distances and GCJ-02 conversions."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from cityrank.errors import ConfigError
from cityrank.geo import projection as P

# Reference points of the eviltransform project (wgs lat, wgs lon, gcj lat, gcj lon).
REFERENCE = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def test_analysis_crs_is_named_equal_area_albers_on_cgcs2000():
    crs = P.ANALYSIS_CRS
    assert crs.name == P.ANALYSIS_CRS_NAME
    assert crs.is_projected
    assert crs.coordinate_operation.method_name == "Albers Equal Area"
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Latitude of 1st standard parallel"] == 25
    assert params["Latitude of 2nd standard parallel"] == 47
    assert params["Longitude of false origin"] == 105
    assert crs.geodetic_crs.to_epsg() == 4490


def test_equal_area_matches_geodesic_area():
    import geopandas as gpd
    from shapely.geometry import box

    # one degree cell at 30N: geodesic area from pyproj.Geod as reference
    gdf = gpd.GeoDataFrame(geometry=[box(110, 30, 111, 31)], crs=4490)
    area_proj = P.to_analysis(gdf).area.iloc[0]
    area_geod = abs(P._GEOD.geometry_area_perimeter(gdf.geometry.iloc[0])[0])
    assert area_proj == pytest.approx(area_geod, rel=1e-4)


def test_to_analysis_refuses_missing_crs():
    import geopandas as gpd
    from shapely.geometry import Point

    from cityrank.errors import DataError

    with pytest.raises(DataError, match="no CRS"):
        P.to_analysis(gpd.GeoDataFrame(geometry=[Point(0, 0)]))


def test_geodesic_distance_beijing_shanghai():
    # Tiananmen -> People's Square: about 1,066 km on the ellipsoid
    d = P.geodesic_distance_m(116.4074, 39.9042, 121.4737, 31.2304)
    assert d == pytest.approx(1_065_846, abs=50)
    arr = P.geodesic_distance_m([116.4074, 116.4074], [39.9042, 39.9042], 116.4074, 39.9042)
    assert_allclose(arr, [0.0, 0.0], atol=1e-6)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_wgs84_to_gcj02_reference_points(wlat, wlon, glat, glon):
    lon, lat = P.wgs84_to_gcj02(wlon, wlat)
    assert_allclose([lon, lat], [glon, glat], atol=1e-9)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_gcj02_to_wgs84_residual_below_one_metre(wlat, wlon, glat, glon):
    lon, lat = P.gcj02_to_wgs84(glon, glat)
    assert P.geodesic_distance_m(lon, lat, wlon, wlat) < 0.01
    # and the offset being removed is real (tens to hundreds of metres)
    assert P.geodesic_distance_m(glon, glat, wlon, wlat) > 50


def test_round_trip_over_china_grid():
    lon, lat = np.meshgrid(np.linspace(74, 134, 25), np.linspace(4, 53, 25))
    g_lon, g_lat = P.wgs84_to_gcj02(lon, lat)
    b_lon, b_lat = P.gcj02_to_wgs84(g_lon, g_lat)
    resid = P.geodesic_distance_m(lon, lat, b_lon, b_lat)
    assert resid.max() < 1.0


def test_outside_china_unchanged():
    assert P.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert P.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_convert_points_registry():
    assert P.convert_points(121.5272106, 31.1774276, "cgcs2000", "gcj02") == pytest.approx(
        (121.531541859215, 31.17530398364597)
    )
    with pytest.raises(ConfigError, match="bd09"):
        P.convert_points(0, 0, "bd09", "wgs84")
