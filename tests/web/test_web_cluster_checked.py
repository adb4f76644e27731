"""Clusters compiled from plan summaries (checked: false) say so wherever they are listed."""

from __future__ import annotations

import pytest

from cityrank.geo.regions import load_clusters

NOTE = {"zh": "成员名单依据规划摘要整理，尚待与规划原文核对",
        "en": "Membership compiled from summaries of the plan; not yet checked against the plan text"}



def _checked_ids() -> set[str]:
    return {cid for cid, c in load_clusters().items() if c.checked}


def test_config_marks_only_the_three_documented_clusters():
    ids = _checked_ids()
    assert {"gba", "jjj"} <= ids
    assert any(cid.startswith("yrd") for cid in ids)
    assert not ids & {"chengyu", "middle-yangtze", "central-plains", "guanzhong"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unchecked_cluster_page_has_note(client, lang):
    html = client.get(f"/cluster/chengyu?lang={lang}").get_data(as_text=True)
    assert NOTE[lang] in html
    assert NOTE["en" if lang == "zh" else "zh"] not in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_checked_cluster_page_has_no_note(client, lang):
    for cid in ("gba", "jjj"):
        resp = client.get(f"/cluster/{cid}?lang={lang}")
        assert resp.status_code == 200
        assert NOTE[lang] not in resp.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_groups_page_marks_exactly_the_unchecked(client, lang):
    html = client.get(f"/groups?lang={lang}").get_data(as_text=True)
    assert NOTE[lang] in html
    clusters = load_clusters()
    for cid, cl in clusters.items():
        start = html.index(f'<li data-cluster="{cid}">')
        item = html[start:html.index("</li>", start)]
        assert ("cr-unchecked" in item) is (not cl.checked), cid


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_city_page_notes_unchecked_cluster_columns(client, lang):
    chengdu = client.get(f"/city/510100?lang={lang}").get_data(as_text=True)
    assert NOTE[lang] in chengdu
    assert 'class="cr-unchecked"' in chengdu
    shenzhen = client.get(f"/city/440300?lang={lang}").get_data(as_text=True)  # GBA only
    assert NOTE[lang] not in shenzhen


def test_city_api_describes_clusters_with_checked(client):
    body = client.get("/api/v1/datasets/ndrc-2017-simulated/cities/510100").get_json()
    info = {c["id"]: c for c in body["cluster_info"]}
    assert info["chengyu"]["checked"] is False
    assert info["chengyu"]["name"] == "成渝城市群"
    assert [c["id"] for c in body["cluster_info"]] == body["clusters"]
    gz = client.get("/api/v1/datasets/ndrc-2017-simulated/cities/440100").get_json()
    assert {c["id"]: c["checked"] for c in gz["cluster_info"]}["gba"] is True
