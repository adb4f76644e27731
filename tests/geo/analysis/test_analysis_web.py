"""The viewer's analysis pages (web/views/analysis.py over service/analysis.py) through Flask's test client."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cityrank.paths import ADMIN_GPKG, DEMO_DIR

pytestmark = pytest.mark.skipif(
    not (ADMIN_GPKG.exists() and (DEMO_DIR / "ndrc-2017-simulated.csv").exists()),
    reason="boundaries or demo data not built",
)

DS = "ndrc-2017-simulated"
COVARIATES = Path(__file__).resolve().parents[2] / "data" / "analysis" / "covariates_synthetic.csv"
GDP = "模拟人均GDP（万元）"


@pytest.fixture(scope="module")
def client():
    from cityrank.web.app import create_app

    app = create_app({"TESTING": True, "ANALYSIS_PERMUTATIONS": 99, "ANALYSIS_DRAWS": 200})
    return app.test_client()


def _upload(client, data: bytes, name: str = "covariates.csv", query: str = "lang=en"):
    from io import BytesIO

    return client.post(f"/analysis/{DS}/covariates?{query}", data={"file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture(scope="module")
def cov_key(client):
    r = _upload(client, COVARIATES.read_bytes(), "covariates_synthetic.csv", "lang=en&hub=深圳")
    assert r.status_code == 303
    query = parse_qs(urlsplit(r.headers["Location"]).query)
    assert query["hub"] == ["深圳"] and query["lang"] == ["en"]
    return query["cov"][0]


def test_page_shows_findings_maps_and_clusters(client, cov_key):
    r = client.get(f"/analysis/{DS}?lang=en&cov={cov_key}&x={GDP}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="synthetic-banner"' in html
    for anchor in ('id="findings"', 'id="moran"', 'id="lisa-table"', 'id="gradients"', 'id="regions"',
                   'id="indicator-rates"', 'data-cluster="yrd-2016"', 'data-cluster="gba"', 'id="distance-decay"', 'id="weights-fixed"'):
        assert anchor in html, anchor
    assert "East-high/west-low" in html and "percentage points" in html and "spatial HAC" in html
    assert f"/analysis/{DS}/lisa_clusters.png" in html
    assert "Spatial Durbin model" in html
    assert "covariates_synthetic.csv" in html and GDP in html


def test_hub_by_chinese_name_pinyin_or_code(client, cov_key):
    """The hub box takes 深圳, Shenzhen or 440300: the same report, the hub's effect in words."""
    reps = [client.get(f"/api/v1/datasets/{DS}/analysis?hub={h}&cov={cov_key}&x={GDP}").get_json()
            for h in ("深圳", "Shenzhen", "440300")]
    assert {r["spillover"]["hub"]["id"] for r in reps} == {"440300"}
    assert reps[0]["spillover"]["hub_column"] == reps[2]["spillover"]["hub_column"]
    assert reps[0]["spillover"]["hub"]["status"] in ("effect", "no_effect")
    html = client.get(f"/analysis/{DS}?hub=Shenzhen&cov={cov_key}&x={GDP}").get_data(as_text=True)
    assert 'id="hub-status"' in html and "深圳市（440300）" in html
    assert 'value="Shenzhen"' in html  # the box keeps what was typed
    assert '<datalist id="an-hub-list">' in html and 'label="Shenzhen · 440300"' in html


def test_hub_without_data_or_regressor_says_so(client):
    html = client.get(f"/analysis/{DS}?hub=北京").get_data(as_text=True)  # a municipality: no score
    assert 'data-status="no_data"' in html and "没有数值" in html
    html = client.get(f"/analysis/{DS}?hub=杭州").get_data(as_text=True)
    assert 'data-status="no_regressor"' in html
    html = client.get(f"/analysis/{DS}?hub=Suzhou").get_data(as_text=True)
    assert "苏州市 (320500)" in html and "宿州市 (341300)" in html  # ambiguous pinyin: named, not guessed


def test_circular_regressors_are_refused_plainly(client):
    """Explaining the total by its own components is circular: no model, and the page says why."""
    rep = client.get(f"/api/v1/datasets/{DS}/analysis?x=perception").get_json()
    models = rep["spillover"]["models"]
    assert models["available"] is False and models["reason_key"] == "report.reason.circular"
    assert rep["spillover"]["refused_regressors"] == ["perception"]
    assert any(f.startswith("No valid spatial regression model") for f in rep["findings"])
    html = client.get(f"/analysis/{DS}?x=perception").get_data(as_text=True)
    assert "循环论证" in html and 'id="models-reason"' in html
    # the form offers no part of the value as a regressor
    form = html[html.index('id="an-x"'):html.index("</select>", html.index('id="an-x"'))]
    assert 'value="perception"' not in form and 'value="population_db"' not in form
    # a sibling of an indicator is not part of it: allowed when the value is perception
    rep = client.get(f"/api/v1/datasets/{DS}/analysis?value=perception&x=management").get_json()
    assert rep["spillover"]["models"]["durbin"]["available"] is True


def test_covariate_upload_errors_name_row_and_column(client):
    bad = "城市,人均GDP\n深圳,abc\n不存在市,3\n".encode()
    r = _upload(client, bad)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "row 2" in html and "人均GDP" in html and "row 3" in html
    assert _upload(client, b"x", "covariates.pdf").status_code == 400
    r = client.post(f"/analysis/{DS}/covariates", data={"file": (__import__("io").BytesIO(b"a,b"), "c.csv")},
                    content_type="multipart/form-data", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_expired_covariates_say_so(client):
    html = client.get(f"/analysis/{DS}?cov=0123456789abcdef").get_data(as_text=True)
    assert "协变量表已过期" in html


def test_images_are_png(client):
    for name in ("lisa_clusters", "lisa_significance", "getis_ord", "gradients"):
        r = client.get(f"/analysis/{DS}/{name}.png?value=total&hub=330100")
        assert r.status_code == 200 and r.mimetype == "image/png"
        assert r.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_json_matches_page_numbers(client):
    r = client.get(f"/api/v1/datasets/{DS}/analysis")
    assert r.status_code == 200
    rep = r.get_json()
    assert rep["synthetic"] is True and rep["dataset"] == DS
    assert rep["global_moran"]["permutations"] == 99
    assert rep["spillover"]["distance_decay"]["hub"] == "330100"
    assert len(rep["findings_zh"]) == len(rep["findings"]) and rep["findings_zh"][0].startswith("模拟数据")
    assert rep["indicator_names"]["total"] == {"zh": "总分", "en": "Total score"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unchecked_clusters_marked_in_json_and_page(client, lang):
    rep = client.get(f"/api/v1/datasets/{DS}/analysis").get_json()
    checked = {c["id"]: c["checked"] for c in rep["clusters"]["clusters"]}
    assert checked["gba"] is True and checked["jjj"] is True and checked["yrd-2016"] is True
    assert checked["chengyu"] is False and checked["middle-yangtze"] is False
    html = client.get(f"/analysis/{DS}?lang={lang}").get_data(as_text=True)
    note = {"zh": "成员名单依据规划摘要整理，尚待与规划原文核对",
            "en": "Membership compiled from summaries of the plan; not yet checked against the plan text"}[lang]
    assert note in html
    row = html[html.index('data-cluster="chengyu"'):]
    assert "cr-unchecked" in row[:row.index("</th>")]
    row = html[html.index('data-cluster="gba"'):]
    assert "cr-unchecked" not in row[:row.index("</th>")]


def test_map_images_follow_the_page_language(client):
    for lang in ("zh", "en"):
        html = client.get(f"/analysis/{DS}?lang={lang}").get_data(as_text=True)
        assert f"/analysis/{DS}/lisa_clusters.png?lang={lang}" in html.replace("&amp;", "&")
    zh = client.get(f"/analysis/{DS}/getis_ord.png?value=total&lang=zh")
    en = client.get(f"/analysis/{DS}/getis_ord.png?value=total&lang=en")
    default = client.get(f"/analysis/{DS}/getis_ord.png?value=total")
    assert zh.status_code == en.status_code == 200 and zh.data != en.data
    assert default.data == zh.data  # zh is the default


def test_bad_parameters(client):
    r = client.get(f"/api/v1/datasets/{DS}/analysis?value=%3Cscript%3E")
    assert r.status_code == 404 and "error" in r.get_json()
    r = client.get(f"/analysis/{DS}?hub=abc")
    assert r.status_code == 200 and "找不到中心城市“abc”" in r.get_data(as_text=True)
    assert client.get(f"/analysis/{DS}?cov=<x>").status_code == 422
    assert client.get(f"/analysis/{DS}/nope.png").status_code == 404
    assert client.get("/analysis/no-such-dataset").status_code == 404


def test_default_dataset_page(client):
    r = client.get("/analysis/")
    assert r.status_code == 200 and "id=\"findings\"" in r.get_data(as_text=True)


def test_maps_drawn_one_at_a_time():
    """Requesting one map draws that map only (the page's images load independently)."""
    from cityrank.web.app import create_app

    app = create_app({"TESTING": True, "ANALYSIS_PERMUTATIONS": 19, "ANALYSIS_DRAWS": 50})
    c = app.test_client()
    r = c.get(f"/analysis/{DS}/lisa_significance.png?value=services&hub=")
    assert r.status_code == 200 and r.data[:4] == b"\x89PNG"
    cache = app.extensions["cityrank"].cache
    drawn = cache.keys(DS, "analysis_png")
    assert [k[2][-2:] for k in drawn] == [("lisa_significance", "zh")]
    assert c.get(f"/analysis/{DS}/hub_effects.png?value=services&hub=").status_code == 404  # no hub, no map
    assert len(cache.keys(DS, "weights")) == 1
    c.get(f"/api/v1/datasets/{DS}/analysis?value=management&hub=")
    assert len(cache.keys(DS, "weights")) == 1  # the second value reused the first one's weights
    assert len(cache.keys(DS, "analysis")) == 2
