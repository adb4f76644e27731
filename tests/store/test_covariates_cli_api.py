"""Covariates kept with a dataset, end to end: ``cityrank covariates --raster|--data
--dataset`` stores them (a raster with a known answer per unit, a table with given values),
``cityrank datasets covariates`` lists them, ``/api/v1/datasets/<id>/covariates`` serves them
(OpenAPI, ETag, 304) and the city page shows them in both languages; the sidecar still works."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from cityrank.geo.covariates import read_covariates
from cityrank.web.app import create_app

DS = "ndrc-2017-simulated"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A lon/lat raster: 7.0 over a box holding all of Hangzhou, nodata around it; and a
    table of a population figure keyed by name and code."""
    tmp = tmp_path_factory.mktemp("cov")
    from cityrank.geo.boundaries import load_layer

    pref = load_layer("prefecture")
    hz = pref[pref["code"] == "330100"].to_crs(4326)
    b = hz.total_bounds
    res = 0.02
    x0, y1 = np.floor(b[0]) - 1, np.ceil(b[3]) + 1
    w, h = int((np.ceil(b[2]) + 1 - x0) / res), int((y1 - (np.floor(b[1]) - 1)) / res)
    arr = np.full((h, w), -9999.0, dtype="float32")
    # 7.0 on every pixel within 0.1° of Hangzhou's bounding box
    c0, c1 = int((b[0] - 0.1 - x0) / res), int((b[2] + 0.1 - x0) / res) + 1
    r0, r1 = int((y1 - b[3] - 0.1) / res), int((y1 - b[1] + 0.1) / res) + 1
    arr[r0:r1, c0:c1] = 7.0
    with rasterio.open(tmp / "light.tif", "w", driver="GTiff", width=w, height=h, count=1,
                       dtype="float32", crs="EPSG:4326", nodata=-9999.0,
                       transform=from_origin(x0, y1, res, res)) as ds:
        ds.write(arr, 1)
    (tmp / "pop.csv").write_text("城市,人口\n杭州市,1237.6\n宁波,961.8\n330300,964.5\n",
                                 encoding="utf-8")
    return tmp


def test_store_list_serve_and_show(cli, inputs, tmp_path):
    code, out, err = cli("covariates", "--raster", inputs / "light.tif", "--stat", "mean",
                         "--name", "light", "--unit", "nW/cm²/sr", "--date", "2020",
                         "--dataset", DS)
    assert code == 0, err
    assert "已与数据集 ndrc-2017-simulated 一起保存协变量 light" in out and "版本 2" in out
    code, out, err = cli("covariates", "--data", inputs / "pop.csv", "--unit", "万人",
                         "--dataset", DS, "--out", tmp_path / "side.csv", "--lang", "en")
    assert code == 0, err
    assert "stored covariate(s) 人口 with dataset ndrc-2017-simulated (3 units with a value)" in out
    assert read_covariates(tmp_path / "side.csv").values.loc["330200", "人口"] == 961.8  # sidecar too
    code, _, err = cli("covariates", "--data", inputs / "pop.csv", "--dataset", DS)
    assert code != 0 and "--replace" in err  # the same name again
    assert cli("covariates", "--data", inputs / "pop.csv", "--dataset", "nope")[0] != 0
    assert cli("covariates", "--data", inputs / "pop.csv")[0] != 0  # neither --out nor --dataset

    code, out, _ = cli("datasets", "covariates", "--dataset", DS)
    assert code == 0 and "2 个协变量" in out and "[万人]" in out and "light" in out
    code, out, _ = cli("datasets", "covariates", "--dataset", DS, "--json")
    doc = json.loads(out)
    light, pop = doc["covariates"]
    assert light["unit"] == "nW/cm²/sr" and light["kind"] == "raster" and light["date"] == "2020"
    assert light["crs"] == "EPSG:4326" and light["nodata"] == "-9999.0"
    assert light["statistic"] == "mean" and light["source"] == "light.tif"
    assert pop["revision"] == light["revision"] + 1 == doc["revision"]
    units = {u["code"]: u for u in doc["units"]}
    assert units["330100"]["light"] == pytest.approx(7.0, abs=1e-9)  # all of Hangzhou is 7
    assert units["330200"]["人口"] == 961.8 and units["330400"]["人口"] is None
    assert len(units) == 293  # every unit of the dataset, with or without a value
    csv_out = tmp_path / "cov.csv"
    assert cli("datasets", "covariates", "--dataset", DS, "--out", csv_out)[0] == 0
    assert csv_out.read_text(encoding="utf-8-sig").splitlines()[0] == "code,name,light,人口"

    app = create_app({"TESTING": True, "STORE_DIR": tmp_path})
    try:
        c = app.test_client()
        r = c.get(f"/api/v1/datasets/{DS}/covariates")
        assert r.status_code == 200 and r.headers["ETag"]
        body = r.get_json()
        assert body["synthetic"] is True and [x["name"] for x in body["covariates"]] == ["light", "人口"]
        assert body["covariates"][1]["unit"] == "万人"
        assert c.get(f"/api/v1/datasets/{DS}/covariates",
                     headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
        assert c.get("/api/v1/datasets/nope/covariates").status_code == 404
        spec = c.get("/api/v1/openapi.json").get_json()
        assert "/datasets/{dataset}/covariates" in spec["paths"]
        assert "Covariates" in spec["components"]["schemas"]
        assert c.get(f"/api/v1/datasets/{DS}").get_json()["links"]["covariates"].endswith("/covariates")
        city = c.get(f"/api/v1/datasets/{DS}/cities/330100").get_json()
        assert {x["name"]: x["value"] for x in city["covariates"]} == {"light": 7.0, "人口": 1237.6}
        zh = c.get(f"/city/330100?dataset={DS}").get_data(as_text=True)
        en = c.get(f"/city/330100?dataset={DS}&lang=en").get_data(as_text=True)
        assert 'id="covariates-table"' in zh and "协变量" in zh and "表格" in zh and "万人" in zh
        assert ">Covariates<" in en and "raster " in en and "1,238" in en
        # another dataset has none: no section
        other = c.get("/city/330100?dataset=ndrc-2019-simulated").get_data(as_text=True)
        assert other.count("330100") and 'id="covariates-table"' not in other
        # storing more raises the revision: the API's document follows at once
        cli("covariates", "--data", inputs / "pop.csv", "--dataset", DS, "--replace",
            "--date", "2021")
        again = c.get(f"/api/v1/datasets/{DS}/covariates")
        assert again.headers["ETag"] != r.headers["ETag"]
        assert again.get_json()["covariates"][1]["date"] == "2021"
    finally:
        app.extensions["cityrank"].close()


def test_analyze_uses_stored_covariates_as_regressor_and_weight(cli, tmp_path):
    """``cityrank analyze --dataset`` finds the covariates stored with the dataset: one is a
    regressor of the spillover models, another the weight of Theil and Gini, which equal the
    ``inequality`` package's indices of the data with each unit repeated by its population."""
    from inequality.gini import Gini
    from inequality.theil import Theil

    from cityrank.scoring.datasets import load_catalog

    scores = load_catalog().get(DS).scores()
    codes = scores["code"].astype(str).tolist()
    rng = np.random.default_rng(4)
    pop = {c: int(50 + int(c) % 397) for c in codes}  # whole numbers: repeatable units
    light = {c: float(v) for c, v in zip(codes, rng.gamma(2.0, 3.0, len(codes)), strict=True)}
    table = tmp_path / "cov.csv"
    table.write_text("code,pop,light\n" + "".join(f"{c},{pop[c]},{light[c]}\n" for c in codes),
                     encoding="utf-8")
    code, out, err = cli("covariates", "--data", table, "--dataset", DS)
    assert code == 0, err
    rep_path = tmp_path / "rep.json"
    code, out, err = cli("analyze", "--dataset", DS, "--x", "light", "--weight", "pop",
                         "--permutations", "19", "--draws", "50", "--no-zones", "--out", rep_path,
                         "--engine", "single")
    assert code == 0, err
    assert "使用与数据集 ndrc-2017-simulated 一起保存的协变量：pop, light" in out
    rep = json.loads(rep_path.read_text(encoding="utf-8"))
    assert rep["x_columns"] == ["light"] and rep["engine"] == {"engine": "single"}
    assert [c["name"] for c in rep["covariates"]["metadata"]] == ["pop", "light"]
    models = rep["spillover"]["models"]
    for kind in ("lag", "durbin"):
        assert models[kind]["available"] is True, models[kind]
        assert [c["name"] for c in models[kind]["coefficients"]][:2] == ["CONSTANT", "light"]
    assert list(models["durbin"]["impacts"]) == ["light"]
    wd = rep["disparity"]["overall_weighted"]
    assert wd["available"] is True and wd["weighted_by"] == "pop" and wd["n"] == len(codes)
    y = scores.set_index(scores["code"].astype(str)).loc[codes, "total"].to_numpy(dtype=float)
    reps = np.repeat(y, [pop[c] for c in codes])
    assert wd["theil"]["T"] == pytest.approx(float(Theil(reps).T), rel=1e-9)
    assert wd["gini"]["G"] == pytest.approx(float(Gini(reps).g), rel=1e-9)
    # written formula, too: T = sum (p_i/P)(y_i/mu) ln(y_i/mu), mu the weighted mean
    p = np.array([pop[c] for c in codes], dtype=float)
    mu = p @ y / p.sum()
    assert wd["theil"]["T"] == pytest.approx(float(np.sum(p / p.sum() * y / mu * np.log(y / mu))),
                                             rel=1e-9)
    # a weight that is no column is a clear error; a sidecar covariate works the same way
    code, _, err = cli("analyze", "--dataset", DS, "--weight", "nope", "--permutations", "0",
                       "--no-zones", "--out", rep_path)
    assert code != 0 and "nope" in err

    # the viewer's analysis offers and uses the stored covariates (no upload needed)
    app = create_app({"TESTING": True, "STORE_DIR": tmp_path, "ANALYSIS_PERMUTATIONS": 19,
                      "ANALYSIS_DRAWS": 50})
    try:
        c = app.test_client()
        api = c.get(f"/api/v1/datasets/{DS}/analysis?x=light").get_json()
        coefs = api["spillover"]["models"]["lag"]["coefficients"]
        assert [x["name"] for x in coefs][:2] == ["CONSTANT", "light"]
        assert api["covariates"]["columns"] == ["pop", "light"] and api["covariates"]["n"] == len(codes)
        assert coefs[1]["coef"] == pytest.approx(models["lag"]["coefficients"][1]["coef"], rel=1e-9)
        page = c.get(f"/analysis/{DS}?x=light").get_data(as_text=True)
        form = page[page.index('id="an-x"'):page.index("</select>", page.index('id="an-x"'))]
        assert 'value="light"' in form and 'value="pop"' in form and "cov.csv" in page
    finally:
        app.extensions["cityrank"].close()
