"""``cityrank analyze`` with a covariates sidecar (``--covariates``: a regressor, a weight) on
the user's polygons, on one process and on Dask (``--engine dask``): the same report."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cityrank.cli import main
from cityrank.geo.covariates import CovariateColumn, Covariates


def test_analyze_with_sidecar_covariates_single_and_dask(tmp_path, capsys):
    side = 20
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    gx, gy = gx.ravel(), gy.ravel()
    x0, y0 = 12_600_000.0, 2_500_000.0
    rng = np.random.default_rng(8)
    ids = [f"g{i:03d}" for i in range(gx.size)]
    light = rng.gamma(2.0, 2.0, gx.size) + 0.1 * gx
    value = 3.0 + 0.8 * light + rng.normal(0, 1.0, gx.size) + 0.05 * gy
    cells = gpd.GeoDataFrame({"grid_id": ids, "score": value},
                             geometry=shapely.box(x0 + gx * 1000.0, y0 + gy * 1000.0,
                                                  x0 + (gx + 1) * 1000.0, y0 + (gy + 1) * 1000.0),
                             crs=3857)
    cells.to_file(tmp_path / "cells.gpkg")
    pop = rng.integers(100, 5000, gx.size).astype(float)
    cov = Covariates(pd.DataFrame({"light": light, "pop": pop}, index=ids),
                     {"light": CovariateColumn("light", "raster", "ntl.tif", "mean", "nW/cm²/sr"),
                      "pop": CovariateColumn("pop", "table", "pop.csv", "pop", "人")})
    cov.write(tmp_path / "cov.gpkg")
    reports = {}
    for engine in ("single", "dask"):
        out = tmp_path / f"{engine}.json"
        rc = main(["analyze", "--boundaries", str(tmp_path / "cells.gpkg"), "--id-column", "grid_id",
                   "--indicator", "score", "--covariates", str(tmp_path / "cov.gpkg"), "--x", "light",
                   "--weight", "pop", "--permutations", "99", "--draws", "50", "--no-zones",
                   "--engine", engine, "--out", str(out), "--lang", "en"])
        printed = capsys.readouterr()
        assert rc == 0, printed.err
        reports[engine] = json.loads(out.read_text(encoding="utf-8"))
    one, many = reports["single"], reports["dask"]
    assert one["engine"] == {"engine": "single"} and many["engine"]["engine"] == "dask"
    assert "LocalCluster" in printed.out
    for key in ("weights", "global_moran", "local_moran", "getis_ord", "disparity"):
        assert one[key] == many[key], key
    assert one["local_moran"]["summary"] and one["x_columns"] == ["light"]
    light_coef = one["spillover"]["models"]["lag"]["coefficients"][1]
    assert light_coef["name"] == "light" and light_coef["ci95"][0] > 0  # the planted effect
    wd = one["disparity"]["overall_weighted"]
    assert wd["weighted_by"] == "pop" and wd["n"] == side * side
    assert one["covariates"]["metadata"][0]["unit"] == "nW/cm²/sr"
