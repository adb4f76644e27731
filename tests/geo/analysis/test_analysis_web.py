"""The viewer's analysis pages (web/views/analysis.py over service/analysis.py) through Flask's test client."""

from __future__ import annotations

import pytest

from cityrank.paths import ADMIN_GPKG, DEMO_DIR

pytestmark = pytest.mark.skipif(
    not (ADMIN_GPKG.exists() and (DEMO_DIR / "ndrc-2017-simulated.csv").exists()),
    reason="boundaries or demo data not built",
)

DS = "ndrc-2017-simulated"


@pytest.fixture(scope="module")
def client():
    from cityrank.web.app import create_app

    app = create_app({"TESTING": True, "ANALYSIS_PERMUTATIONS": 99, "ANALYSIS_DRAWS": 200})
    return app.test_client()


def test_page_shows_findings_maps_and_clusters(client):
    r = client.get(f"/analysis/{DS}?lang=en&x=perception")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="synthetic-banner"' in html
    for anchor in ('id="findings"', 'id="moran"', 'id="lisa-table"', 'id="gradients"', 'id="regions"',
                   'id="indicator-rates"', 'data-cluster="yrd-2016"', 'data-cluster="gba"', 'id="distance-decay"', 'id="weights-fixed"'):
        assert anchor in html, anchor
    assert "East-high/west-low" in html and "percentage points" in html and "spatial HAC" in html
    assert f"/analysis/{DS}/lisa_clusters.png" in html
    assert "Spatial Durbin model" in html


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
    assert r.status_code == 422 and "6-digit" in r.get_data(as_text=True)
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
