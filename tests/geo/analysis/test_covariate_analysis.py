"""Covariates in the analysis: population-weighted Theil/Gini, a raster covariate as the
regressor of the spatial lag / Durbin models, on a grid built by cityrank.geo.grid."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from inequality.gini import Gini
from inequality.theil import TheilD
from rasterio.transform import from_origin
from scipy import sparse
from scipy.sparse.linalg import spsolve

from cityrank.errors import DataError
from cityrank.geo.analysis.disparity import weighted_gini, weighted_inequality, weighted_theil
from cityrank.geo.analysis.report import build_report
from cityrank.geo.analysis.weights import build_weights
from cityrank.geo.covariates import zonal_statistics
from cityrank.geo.grid import build_grid
from cityrank.geo.projection import ANALYSIS_CRS


def test_weighted_theil_and_gini_equal_inequality_on_repeated_units():
    rng = np.random.default_rng(8)
    y = rng.gamma(3.0, 10.0, size=40)
    pop = rng.integers(1, 30, size=40)
    groups = np.array(["East", "Central", "West", "Northeast"])[rng.integers(0, 4, size=40)]
    rep_y, rep_g = np.repeat(y, pop), np.repeat(groups, pop)
    td = TheilD(rep_y, rep_g)
    got = weighted_theil(y, pop, groups)
    assert got["T"] == pytest.approx(float(td.T), rel=1e-10)
    assert got["between"] == pytest.approx(float(np.ravel(td.bg)[0]), rel=1e-10)
    assert got["within"] == pytest.approx(float(np.ravel(td.wg)[0]), rel=1e-10)
    assert weighted_gini(y, pop) == pytest.approx(float(Gini(rep_y).g), rel=1e-10)
    # equal weights: the unweighted indices
    assert weighted_gini(y, np.ones(40)) == pytest.approx(float(Gini(y).g), rel=1e-12)
    # the weights matter: a populous poor unit raises inequality
    heavy = pop.astype(float).copy()
    heavy[np.argmin(y)] *= 50
    assert weighted_gini(y, heavy) != pytest.approx(weighted_gini(y, pop))


def test_weighted_inequality_report_and_errors():
    y, p = np.array([10.0, 20.0, 30.0, 40.0]), np.array([4.0, 3.0, 2.0, 1.0])
    out = weighted_inequality(y, p, weight_name="pop", n_boot=199, seed=1)
    assert out["weighted_mean"] == pytest.approx(20.0) and out["weighted_by"] == "pop"
    lo, hi = out["gini"]["G_ci95"]
    assert lo <= out["gini"]["G"] <= hi
    with pytest.raises(DataError, match="positive"):
        weighted_theil(y, [1, 0, 1, 1])
    with pytest.raises(DataError, match="values must be positive"):
        weighted_gini([1.0, -1.0], [1, 1])


@pytest.fixture(scope="module")
def grid_with_light(tmp_path_factory):
    """A 1 km grid (24 x 20 cells) in the equal-area CRS, a night-light raster in EPSG:3857
    over it, and a value generated from the light by a spatial lag process (seeded)."""
    tmp = tmp_path_factory.mktemp("light")
    x0, y0 = 1_150_000.0, 2_480_000.0
    boundary = gpd.GeoDataFrame({"code": ["440306"], "name": ["宝安区"]},
                                geometry=[shapely.box(x0, y0, x0 + 24_000, y0 + 20_000)], crs=ANALYSIS_CRS)
    grid = build_grid(boundary, 1000)
    assert len(grid) == 480 and set(grid["parent"]) == {"440306"}
    b = grid.to_crs(3857).total_bounds
    res = 250.0
    w, h = int((b[2] - b[0]) // res) + 4, int((b[3] - b[1]) // res) + 4
    xs = b[0] - res + (np.arange(w) + 0.5) * res
    ys = b[3] + res - (np.arange(h) + 0.5) * res
    light = (20 + 30 * np.sin(xs[None, :] / 4000.0) ** 2 + 0.001 * (ys[:, None] - ys.mean())).astype("float32")
    light += np.random.default_rng(4).normal(0, 3, light.shape).astype("float32")
    tif = tmp / "light.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=w, height=h, count=1, dtype="float32", crs="EPSG:3857",
                       transform=from_origin(b[0] - res, b[3] + res, res, res), nodata=-1) as ds:
        ds.write(light, 1)
    cov = zonal_statistics(tif, grid, ["mean"], name="light", unit="nW/cm²/sr")
    pop = zonal_statistics(tif, grid, ["sum"], name="pop")  # stands in for a population raster
    sw = build_weights(grid, "rook", ids=grid["code"].tolist())
    W = sparse.csr_matrix(sw.w.sparse)
    x = cov.values.loc[grid["code"], "light"].to_numpy()
    rng = np.random.default_rng(9)
    value = spsolve((sparse.identity(len(x)) - 0.5 * W).tocsc(), 5 + 1.5 * x + rng.normal(0, 2, len(x)))
    grid = grid.assign(value=value)
    return grid, cov.merge(pop), tif


def test_spatial_models_take_a_raster_covariate_as_regressor(grid_with_light):
    grid, cov, _ = grid_with_light
    rep = build_report(grid, "value", x_columns=("light",), covariates=cov, weights="rook",
                       permutations=99, zones=False, draws=200, synthetic=True, weight_column="pop",
                       id_column="code")
    lag = rep["spillover"]["models"]["lag"]
    assert lag["available"], lag
    coef = {r["name"]: r for r in lag["coefficients"]}
    assert coef["light"]["ci95"][0] < 1.5 < coef["light"]["ci95"][1]
    assert 0.3 < lag["rho"] < 0.7
    durbin = rep["spillover"]["models"]["durbin"]
    assert durbin["available"] and "light" in durbin["impacts"]
    assert [c["name"] for c in rep["covariates"]["metadata"]] == ["light", "pop"]
    assert rep["covariates"]["metadata"][0]["kind"] == "raster" and rep["covariates"]["metadata"][0]["crs"] == "EPSG:3857"
    wd = rep["disparity"]["overall_weighted"]
    assert wd["available"] and wd["weighted_by"] == "pop"
    data = grid.merge(cov.to_frame(), on="code")
    assert wd["theil"]["T"] == pytest.approx(weighted_theil(data["value"], data["pop"])["T"], rel=1e-9)
    assert rep["engine"] == {"engine": "single"}


def test_covariate_clash_and_missing_weight_column(grid_with_light):
    grid, cov, _ = grid_with_light
    with pytest.raises(DataError, match="already columns"):
        build_report(grid.assign(light=1.0), "value", covariates=cov, permutations=0, zones=False)
    with pytest.raises(DataError, match="weight column"):
        build_report(grid, "value", weight_column="people", permutations=0, zones=False)
