"""``cityrank covariates``, ``cityrank grid`` and ``cityrank export`` through cityrank.cli.main."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from cityrank.cli import main
from cityrank.geo.covariates import read_covariates
from cityrank.geo.projection import ANALYSIS_CRS


@pytest.fixture(scope="module")
def area(tmp_path_factory):
    """Two districts (GeoPackage, EPSG:4490) and a light raster in EPSG:3857 over them."""
    tmp = tmp_path_factory.mktemp("cli")
    x0, y0 = 1_150_000.0, 2_480_000.0
    districts = gpd.GeoDataFrame({"code": ["440306", "440307"], "name": ["宝安区", "龙岗区"]},
                                 geometry=[shapely.box(x0, y0, x0 + 12_000, y0 + 10_000),
                                           shapely.box(x0 + 12_000, y0, x0 + 24_000, y0 + 10_000)],
                                 crs=ANALYSIS_CRS).to_crs(4490)
    districts.to_file(tmp / "districts.gpkg")
    b = districts.to_crs(3857).total_bounds
    res = 200.0
    w, h = int((b[2] - b[0]) // res) + 4, int((b[3] - b[1]) // res) + 4
    xs = np.arange(w)[None, :] * np.ones((h, 1))
    light = (10 + 40 * np.sin(xs / 25.0) ** 2 + np.random.default_rng(2).normal(0, 2, (h, w))).astype("float32")
    with rasterio.open(tmp / "light.tif", "w", driver="GTiff", width=w, height=h, count=1, dtype="float32",
                       crs="EPSG:3857", transform=from_origin(b[0] - 2 * res, b[3] + 2 * res, res, res)) as ds:
        ds.write(light, 1)
    return tmp


def test_covariates_from_raster_and_table(area, capsys):
    out = area / "cov.gpkg"
    rc = main(["covariates", "--raster", str(area / "light.tif"), "--stat", "mean", "--stat", "sum",
               "--name", "light", "--boundaries", str(area / "districts.gpkg"), "--out", str(out), "--lang", "en"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "2 covariate(s) for 2 units: light_mean, light_sum" in printed and "weighted by pixel coverage" in printed
    cov = read_covariates(out)
    assert cov.names == ["light_mean", "light_sum"] and cov.columns["light_sum"].crs == "EPSG:3857"
    # 12 km x 10 km = 120 km^2; 200 m pixels in Mercator at 22.5N are ~0.854 the ground size,
    # so the count of pixels is about 120e6 / (200 * 0.854)^2
    assert cov.values.loc["440306", "light_mean"] > 10
    table = area / "pop.csv"
    table.write_text("区划代码,常住人口\n440306,4476554\n440307,3979037\n", encoding="utf-8")
    rc = main(["covariates", "--data", str(table), "--boundaries", str(area / "districts.gpkg"), "--unit", "人",
               "--columns", "常住人口", "--append", "--out", str(out)])
    assert rc == 0
    assert "已写入" in capsys.readouterr().out  # Chinese by default
    cov = read_covariates(out)
    assert cov.names == ["light_mean", "light_sum", "常住人口"]
    assert cov.values.loc["440307", "常住人口"] == 3979037 and cov.columns["常住人口"].unit == "人"


def test_grid_build_attach_and_analyse(area, capsys, tmp_path):
    grid_path = tmp_path / "g.gpkg"
    assert main(["grid", "--boundaries", str(area / "districts.gpkg"), "--cell", "1km", "--out", str(grid_path),
                 "--lang", "en"]) == 0
    assert "240 grid cells of 1000 m" in capsys.readouterr().out
    grid = pyogrio.read_dataframe(grid_path)
    assert len(grid) == 240 and set(grid["parent"]) == {"440306", "440307"}
    cov_path = tmp_path / "cov.csv"
    assert main(["covariates", "--raster", str(area / "light.tif"), "--name", "light", "--boundaries", str(grid_path),
                 "--out", str(cov_path)]) == 0
    cov = read_covariates(cov_path)
    # user data per cell, generated from the covariate (synthetic, seeded)
    rng = np.random.default_rng(1)
    light = cov.values.loc[grid["code"], "light"].to_numpy()
    data = tmp_path / "cells.csv"
    rows = [f"{c},{5 + 0.8 * v + rng.normal(0, 1):.4f},{rng.integers(100, 5000)}"
            for c, v in zip(grid["code"], light, strict=True)]
    data.write_text("code,incidents,pop\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = tmp_path / "r.json"
    rc = main(["grid", "--grid", str(grid_path), "--data", str(data), "--covariates", str(cov_path),
               "--indicator", "incidents", "--x", "light", "--weight", "pop", "--permutations", "99",
               "--synthetic", "--report", str(report), "--out", str(tmp_path / "g2.gpkg"), "--lang", "en"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "240 row(s) matched a cell, 0 did not" in printed and "Moran's I" in printed
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["synthetic"] is True and rep["n_analysed"] == 240
    lag = rep["spillover"]["models"]["lag"]
    assert lag["available"] and any(c["name"] == "light" for c in lag["coefficients"])
    assert rep["disparity"]["overall_weighted"]["weighted_by"] == "pop"
    g2 = pyogrio.read_dataframe(tmp_path / "g2.gpkg")
    assert {"incidents", "pop", "light"} <= set(g2.columns) and g2["synthetic"].all()


def test_grid_from_builtin_codes_and_errors(tmp_path, capsys):
    assert main(["grid", "--boundaries", "440300", "--cell", "5km", "--mode", "clip", "--out", str(tmp_path / "s.gpkg")]) == 0
    assert "5000 米网格" in capsys.readouterr().out
    assert main(["grid", "--boundaries", "999999", "--out", str(tmp_path / "x.gpkg")]) == 2
    assert "不是地级市图层的代码" in capsys.readouterr().err
    assert main(["grid", "--boundaries", "440300", "--report", "r.json", "--out", str(tmp_path / "x.gpkg")]) == 2
    assert "--report 需要 --indicator" in capsys.readouterr().err
    assert main(["grid", "--boundaries", "440300", "--out", str(tmp_path / "x.shp")]) == 2
    assert not (tmp_path / "x.gpkg").exists()


def test_export_scores_as_geotiff_and_geopackage(tmp_path, capsys):
    scores = tmp_path / "scores.csv"
    scores.write_text("城市,total,synthetic\n深圳,61.8,true\n东莞,55.0,true\n广州,62.0,true\n", encoding="utf-8")
    tif = tmp_path / "total.tif"
    assert main(["export", "--data", str(scores), "--indicator", "total", "--resolution", "2km", "--out", str(tif),
                 "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "exported total (equal-area, resolution 2000 m)" in printed and "simulated data" in printed
    from cityrank.geo.boundaries import load_layer

    pref = load_layer("prefecture").set_index("code")
    with rasterio.open(tif) as ds:
        assert ds.tags()["SYNTHETIC"] == "true" and ds.descriptions == ("total",)
        pts = gpd.GeoSeries(pref.loc[["440300", "441900"]].geometry.representative_point(), crs=4490).to_crs(ds.crs)
        vals = [v[0] for v in ds.sample([(p.x, p.y) for p in pts])]
    assert vals == pytest.approx([61.8, 55.0])
    gpkg = tmp_path / "total.gpkg"
    assert main(["export", "--data", str(scores), "--out", str(gpkg)]) == 0
    back = pyogrio.read_dataframe(gpkg)
    assert back.crs.to_epsg() == 4490 and back.loc[back["code"] == "440100", "total"].iloc[0] == 62.0
    assert main(["export", "--data", str(scores), "--crs", "cgcs2000", "--resolution", "1km",
                 "--out", str(tmp_path / "d.tif")]) == 2
    assert "度数" in capsys.readouterr().err


def test_messages_have_both_languages_with_the_same_placeholders():
    import re
    from pathlib import Path

    import cityrank.cli as cli_package
    from cityrank.i18n import catalogue, placeholders

    keys = {k for k in catalogue() if k.startswith("grid.")}
    here = Path(cli_package.__file__).parent
    used = set()
    for name in ("covariates", "grid", "export", "spatial"):
        used |= set(re.findall(r'say\(args, "(grid\.[a-z_]+)"', (here / f"{name}.py").read_text(encoding="utf-8")))
    assert used == keys
    for k in keys:
        pair = catalogue()[k]
        assert placeholders(pair["zh"]) == placeholders(pair["en"]), k
