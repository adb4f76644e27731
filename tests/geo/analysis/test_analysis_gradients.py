"""Gradients: OLS against scipy.stats.linregress, bands, statements, chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cityrank.errors import DataError
from cityrank.geo.analysis.gradients import band_means, gradient_chart, gradients, ols


@pytest.fixture
def east_high():
    rng = np.random.default_rng(3)
    lon = rng.uniform(75, 130, 300)
    lat = rng.uniform(20, 50, 300)
    y = 45 + 0.5 * (lon - 105) - 0.3 * (lat - 32) + rng.normal(0, 3, 300)
    return pd.DataFrame({"lon": lon, "lat": lat, "total": y})


def test_ols_matches_linregress(east_high):
    fit = ols(east_high["total"], [east_high["lon"]], ["lon"])
    ref = stats.linregress(east_high["lon"], east_high["total"])
    c = fit["coefficients"]["lon"]
    assert abs(c["coef"] - ref.slope) < 1e-9
    assert abs(c["se"] - ref.stderr) < 1e-9
    t = stats.t.ppf(0.975, len(east_high) - 2)
    assert abs(c["ci95"][0] - (ref.slope - t * ref.stderr)) < 1e-9
    assert abs(fit["r2"] - ref.rvalue**2) < 1e-9


def test_gradients_recover_east_high_south_high(east_high):
    g = gradients(east_high, "total")
    ew = g["east_west"]["slope"]
    sn = g["joint"]["coefficients"]["lat"]
    assert ew["ci95"][0] < 5.0 < ew["ci95"][1]  # true +0.5 per degree = +5 per 10 degrees
    assert sn["ci95"][0] < -3.0 < sn["ci95"][1]
    assert g["east_west"]["statement"].startswith("East-high/west-low")
    assert g["south_north"]["statement"].startswith("South-high/north-low")
    assert sum(b["n"] for b in g["east_west"]["bands"]) == len(east_high)


def test_band_means():
    bands = band_means([1, 2, 3, 10], [100.0, 101.0, 104.0, 106.0], 5.0)
    assert [(b["lower"], b["n"], b["mean"]) for b in bands] == [(100.0, 3, 2.0), (105.0, 1, 10.0)]


def test_chart_is_png(east_high, tmp_path):
    png = gradient_chart(east_high, "total", tmp_path / "g.png", synthetic=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "g.png").read_bytes() == png


def test_too_few_units():
    with pytest.raises(DataError, match="fewer than 4"):
        gradients(pd.DataFrame({"lon": [1, 2], "lat": [1, 2], "v": [1, 2]}), "v")


def test_hac_interval_matches_spreg_and_widens_under_autocorrelation():
    import spreg
    from libpysal import weights as lw

    rng = np.random.default_rng(8)
    n = 400
    lon = rng.uniform(100, 120, n)
    lat = rng.uniform(25, 40, n)
    # A smooth regional shock shared by neighbours: errors are spatially autocorrelated.
    shock = 4 * np.sin(lon / 2.0) * np.cos(lat / 2.0)
    df = pd.DataFrame({"lon": lon, "lat": lat, "v": 0.3 * lon + shock + rng.normal(0, 1, n)})
    g = gradients(df, "v", geographic=False)
    hac = g["east_west"]["hac"]["coefficients"]["lon"]
    kern = lw.Kernel(df[["lon", "lat"]].to_numpy(), k=20, function="triangular", fixed=False, diagonal=True)
    ref = spreg.OLS(df[["v"]].to_numpy(), (df[["lon"]] / 10).to_numpy(), robust="hac", gwk=kern, sig2n_k=True)
    assert abs(hac["se"] - float(np.ravel(ref.std_err)[1])) < 1e-9
    assert hac["se"] > g["east_west"]["slope"]["se"]
    assert "spatial-HAC 95% CI" in g["east_west"]["statement"]


def test_hac_kernel_uses_the_weights_projection_outside_china(grid_factory):
    """New Zealand polygons: the spatial-HAC distances are measured on the weights' local
    equal-area projection, not on China's Albers (which is ~8% off there)."""
    import numpy as np
    from pyproj import Transformer

    from cityrank.geo.analysis.gradients import hac_ols
    from cityrank.geo.analysis.report import build_report

    g = grid_factory(8, 14, cell=0.5, crs="EPSG:4326", x0=167.0, y0=-47.0)
    rng = np.random.default_rng(4)
    pts = g.geometry.representative_point()
    g["v"] = 50 + 2.0 * (pts.x - 167) - 1.5 * (pts.y + 47) + rng.normal(0, 1, len(g))
    rep = build_report(g, "v", id_column="id", permutations=9, zones=False, draws=20)
    hac = rep["gradients"]["east_west"]["hac"]
    assert "Lambert azimuthal equal-area" in rep["weights"]["crs"]
    assert hac["crs"] == rep["weights"]["crs"]
    # the same numbers as a kernel built on the weights' projection by hand
    from cityrank.geo.analysis.weights import equal_area_crs

    crs, _ = equal_area_crs(g.total_bounds)
    tr = Transformer.from_crs(4326, crs, always_xy=True)
    x, y = tr.transform(pts.x.to_numpy(), pts.y.to_numpy())
    by_hand = hac_ols(g["v"].to_numpy(), [pts.x.to_numpy() / 10.0], ["lon"], np.column_stack([x, y]))
    assert hac["coefficients"]["lon"]["se"] == pytest.approx(by_hand["coefficients"]["lon"]["se"], rel=1e-9)
    from cityrank.geo.projection import ANALYSIS_CRS

    ta = Transformer.from_crs(4326, ANALYSIS_CRS, always_xy=True)
    xa, ya = ta.transform(pts.x.to_numpy(), pts.y.to_numpy())
    albers = hac_ols(g["v"].to_numpy(), [pts.x.to_numpy() / 10.0], ["lon"], np.column_stack([xa, ya]))
    assert albers["coefficients"]["lon"]["se"] != pytest.approx(hac["coefficients"]["lon"]["se"], rel=1e-6)
