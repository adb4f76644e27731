"""Labels in the page language: the dataset source note (zh/en, API carries both) and
province names (the province layer's ``name_en`` on English pages)."""

from __future__ import annotations

import re

import pytest

from cityrank.scoring.datasets import load_catalog

DATASET = "ndrc-2017-simulated"
ZH_NOTE = "由 scripts/make_demo_data.py 模拟生成"
EN_NOTE = "Simulated by scripts/make_demo_data.py"


def _source(html: str) -> str:
    m = re.search(r'<p class="cr-source">(.*?)</p>', html, re.S)
    assert m, "no source note"
    return m.group(1)


def test_api_has_both_source_notes(client):
    body = client.get("/api/v1/datasets").get_json()
    demo = next(d for d in body["datasets"] if d["id"] == DATASET)
    assert demo["source"].startswith(EN_NOTE)
    assert demo["source_zh"].startswith(ZH_NOTE) and "不是真实城市数据" in demo["source_zh"]
    assert demo["synthetic"] is True
    top10 = next(d for d in body["datasets"] if d["id"] == "ndrc-2017-top10")
    assert top10["source_zh"].startswith("国家发展改革委城市和小城镇改革发展中心")
    assert top10["source"].startswith("NDRC Center")


@pytest.mark.parametrize("path", ["/", f"/embed/{DATASET}", f"/ranking?dataset={DATASET}",
                                  f"/city/330100?dataset={DATASET}", f"/region/East?dataset={DATASET}",
                                  f"/cluster/yrd-2016?dataset={DATASET}"])
def test_source_note_in_page_language(client, path):
    sep = "&" if "?" in path else "?"
    zh = _source(client.get(path).get_data(as_text=True))
    en = _source(client.get(f"{path}{sep}lang=en").get_data(as_text=True))
    assert ZH_NOTE in zh and EN_NOTE not in zh
    assert EN_NOTE in en and ZH_NOTE not in en
    assert "模拟数据" in zh and "simulated" in en.lower()


def test_png_gets_the_note_in_its_language(client, monkeypatch):
    from cityrank.service import png as web_png

    seen = []

    def fake(site, p, note, title, legend_title=None, fmt="png", view=None):
        seen.append((p.lang, note))
        return b"\x89PNG\r\n\x1a\n"

    monkeypatch.setattr(web_png, "render_png", fake)
    cache = client.application.extensions["cityrank"].cache
    cache.drop(DATASET, "png")  # drawn afresh (by the fake), and the fake's bytes forgotten after
    try:
        assert client.get(f"/embed/{DATASET}.png").status_code == 200
        assert client.get(f"/embed/{DATASET}.png?lang=en").status_code == 200
    finally:
        cache.drop(DATASET, "png")
    assert seen[0][0] == "zh" and seen[0][1].startswith(ZH_NOTE)
    assert seen[1][0] == "en" and seen[1][1].startswith(EN_NOTE)


def test_catalog_without_source_zh_still_loads(tmp_path):
    (tmp_path / "x.csv").write_text("code,perception\n330100,1\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text(
        "datasets:\n  x:\n    title: x\n    system: ndrc-2017\n    data: x.csv\n"
        "    synthetic: false\n    source: Only English.\n", encoding="utf-8")
    ds = load_catalog(tmp_path).get("x")
    assert ds.source_zh == ""
    assert ds.source_in("zh") == ds.source_in("en") == "Only English."
    assert ds.to_dict()["source_zh"] == ""


def test_ranking_provinces_in_english(client):
    en = client.get(f"/ranking?dataset={DATASET}&lang=en").get_data(as_text=True)
    zh = client.get(f"/ranking?dataset={DATASET}").get_data(as_text=True)
    for name in ("Shaanxi", "Inner Mongolia", "Guangxi", "Zhejiang"):
        assert f"<td>{name}</td>" in en
    assert "<td>陕西省</td>" not in en and "<td>内蒙古自治区</td>" not in en
    assert "<td>陕西省</td>" in zh and "<td>Shaanxi</td>" not in zh


def test_city_and_group_pages_provinces_in_english(client):
    en = client.get(f"/city/610100?dataset={DATASET}&lang=en").get_data(as_text=True)
    assert re.search(r'<small class="text-muted">Shaanxi · West</small>', en)
    assert "陕西省" not in re.search(r"<h1.*?</h1>", en, re.S).group(0)
    zh = client.get(f"/city/610100?dataset={DATASET}").get_data(as_text=True)
    assert "陕西省 · 西部" in zh
    west = client.get(f"/region/West?dataset={DATASET}&lang=en").get_data(as_text=True)
    assert "(Shaanxi)" in west and "(Inner Mongolia)" in west and "(陕西省)" not in west
    assert "(陕西省)" in client.get(f"/region/West?dataset={DATASET}").get_data(as_text=True)
    api = client.get(f"/api/v1/datasets/{DATASET}/cities/610100").get_json()
    assert api["province"] == "陕西省" and api["province_en"] == "Shaanxi"


def test_map_tooltips_carry_the_province_in_the_page_language(client):
    """The client's tooltip shows the province from the geometry's names in the page's
    language (checked in the browser by test_map_client_browser); the words come with the page.
    The geometry carries the Chinese names; English pages fetch the English ones besides, so a
    Chinese page downloads no English name."""
    import json

    topo = client.get(_topology_url(client)).get_json()
    assert topo["provinces"]["61"] == "陕西省" and "Shaanxi" not in json.dumps(topo, ensure_ascii=False)
    en = _config(client.get("/?lang=en").get_data(as_text=True))
    zh = _config(client.get("/").get_data(as_text=True))
    assert en["urls"]["topology"] == zh["urls"]["topology"]
    assert zh["urls"]["names"] == en["urls"]["names"]  # the viewer's search finds pinyin
    zh_embed = _config(client.get(f"/embed/{DATASET}").get_data(as_text=True))
    assert zh_embed["urls"]["names"] is None  # a Chinese embed downloads no English name
    names = client.get(en["urls"]["names"])
    assert names.status_code == 200 and "immutable" in names.headers["Cache-Control"]
    english = names.get_json()
    assert english["provinces"]["61"] == "Shaanxi"
    assert len(english["names"]) == len(topo["names"]) == len(topo["objects"]["units"]["geometries"])
    assert english["names"][topo["names"].index("西安市")] == "Xi'an"
    assert en["strings"]["province"] == "Province" and zh["strings"]["province"] == "省份"
    assert en["lang"] == "en" and zh["lang"] == "zh"
    assert json.dumps(en, ensure_ascii=False).count("Shaanxi") == 0  # names travel once, in the geometry


def _config(html: str) -> dict:
    import json
    import re

    text = re.search(r'<script type="application/json" class="cr-config">(.*?)</script>', html, re.S).group(1)
    return json.loads(text)


def _topology_url(client) -> str:
    return _config(client.get("/").get_data(as_text=True))["urls"]["topology"]
