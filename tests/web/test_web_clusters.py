"""Cluster pages a planner can use (test client): hubs shown even outside the scored universe,
members with ranks and rank intervals, internal disparity, the core-periphery profile, tiers,
and clusters compared side by side with their gaps and bootstrap intervals."""

from __future__ import annotations

import re

import pytest

DATASET = "ndrc-2017-simulated"
TOP10 = "ndrc-2017-top10"


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</ul>" if "hubs" in element_id else "</table>", start)]


@pytest.mark.parametrize(("cid", "hubs"), [("jjj", {"110000": "北京市", "120000": "天津市"}),
                                           ("yrd-2016", {"310000": "上海市"}),
                                           ("gba", {"810000": "香港特别行政区", "820000": "澳门特别行政区"})])
def test_hubs_outside_the_universe_are_shown_as_such(client, cid, hubs):
    html = client.get(f"/cluster/{cid}?dataset={DATASET}").get_data(as_text=True)
    block = _section(html, "hubs")
    for code, name in hubs.items():
        item = block[block.index(f'data-code="{code}"'):]
        item = item[:item.index("</li>")]
        assert name in item and "不在参评范围内" in item
        assert f'<li data-code="{code}" class="cr-hub cr-outside">' in block
    # and in the members table, marked as hubs without a score
    members = _section(html, "members")
    for code in hubs:
        row = members[members.index(f'data-code="{code}"'):]
        row = row[:row.index("</tr>")]
        assert "未评分" in row and "中心城市" in row


def test_hub_with_data_shows_its_score_and_rank(client):
    html = client.get(f"/cluster/gba?dataset={DATASET}&lang=en").get_data(as_text=True)
    block = _section(html, "hubs")
    sz = block[block.index('data-code="440300"'):]
    assert re.search(r"61\.8 · rank 5", sz[:sz.index("</li>")])
    assert "outside the scored universe (special administrative region)" in block


def test_members_have_ranks_and_rank_intervals(client):
    html = client.get(f"/cluster/yrd-2016?dataset={DATASET}").get_data(as_text=True)
    members = _section(html, "members")
    rows = re.findall(r'<tr data-code="(\d{6})"><td>(\d+|–)</td>.*?<td>(\d+)–(\d+)</td>', members)
    assert len(rows) == 25  # the 25 scored members; 上海 has no interval
    for _code, rank, lo, hi in rows:
        assert int(lo) <= int(rank) <= int(hi)
    assert "排名区间来自不确定性分析" in html


def test_disparity_and_core_periphery(client):
    html = client.get(f"/cluster/yrd-2016?dataset={DATASET}").get_data(as_text=True)
    disparity = html[html.index('id="disparity"'):]
    assert re.search(r"25 个参评成员：均值 52\.9\d", disparity)
    assert "基尼系数 0." in disparity and "差异系数" in disparity
    slope = html[html.index('id="profile-slope"'):]
    assert re.search(r"距最近中心城市每远 100 公里，总分变化 [+-]\d+\.\d\d 分（95% 置信区间", slope)
    profile = _section(html, "profile")
    assert profile.count("<tr>") == 26  # header + 25 scored members, nearest first
    # the same numbers as the analysis core
    from cityrank.geo.analysis.clusters import core_periphery  # noqa: F401  (the one implementation)


def test_central_plains_tiers(client):
    html = client.get(f"/cluster/central-plains?dataset={DATASET}&lang=en").get_data(as_text=True)
    assert '<li data-tier="core">core area: 14' in html
    assert '<li data-tier="linked">linked area: 16' in html
    row = html[html.index('<tr data-code="140800"'):]
    assert "linked area" in row[:row.index("</tr>")]


def test_partial_members_say_which_counties(client):
    html = client.get(f"/cluster/guanzhong?dataset={DATASET}").get_data(as_text=True)
    row = html[html.index('<tr data-code="140800"'):]
    row = row[:row.index("</tr>")]
    assert "部分县区" in row and "平陆县" in row and "垣曲县" in row
    assert "省级规划" in client.get(f"/cluster/shandong-peninsula?dataset={DATASET}").get_data(as_text=True)


def test_top10_cluster_page_lists_every_member(client):
    html = client.get(f"/cluster/jjj?dataset={TOP10}").get_data(as_text=True)
    assert "成员 13 个，其中 0 个在本数据集中有得分" in html
    assert 'id="hubs"' in html and "北京市" in html
    assert "参评成员少于 2 个" in html


def test_compare_two_clusters_side_by_side(client):
    url = f"/clusters/compare?dataset={DATASET}&c=yrd-2016&c=jjj&c=rest:yrd-2016"
    html = client.get(url).get_data(as_text=True)
    table = _section(html, "compare-table")
    for group in ("yrd-2016", "jjj", "rest:yrd-2016"):
        assert f'data-group="{group}"' in table
    row = table[table.index('data-indicator="total"'):]
    row = row[:row.index("</tr>")]
    means = [float(m) for m in re.findall(r"<td>(\d+\.\d\d) <span", row)]
    gaps = re.findall(r'<td class="cr-gap">([+-]\d+\.\d\d) <span class="small">\[([+-]\d+\.\d\d), ([+-]\d+\.\d\d)\]', row)
    assert len(means) == 3 and len(gaps) == 2
    for gap, lo, hi in gaps:
        assert float(lo) <= float(gap) <= float(hi)
    assert float(gaps[0][0]) == pytest.approx(means[1] - means[0], abs=0.011)
    assert client.get(url).get_data(as_text=True) == html  # seeded: the same intervals again


def test_compare_api_of_the_core(client):
    """The numbers come from geo.analysis.clusters.compare_groups (seeded, reproducible)."""
    import pandas as pd

    from cityrank.geo.analysis.clusters import compare_groups

    frame = pd.DataFrame({"code": ["a", "b", "c", "d", "e", "f"], "v": [1.0, 2.0, 3.0, 5.0, 6.0, 7.0]})
    out = compare_groups(frame, ["v"], {"low": ["a", "b", "c"], "high": ["d", "e", "f"]}, n_boot=499, seed=1)
    assert out["columns"]["v"]["high"]["gap_vs_reference"] == pytest.approx(4.0)
    lo, hi = out["columns"]["v"]["high"]["gap_ci95"]
    assert lo < 4.0 < hi
    assert out == compare_groups(frame, ["v"], {"low": ["a", "b", "c"], "high": ["d", "e", "f"]}, n_boot=499, seed=1)


def test_compare_refuses_unknown_and_too_many(client):
    assert client.get("/clusters/compare?c=jjj&c=nope").status_code == 404
    many = "&".join(f"c={c}" for c in ("jjj", "gba", "yrd-2016", "chengyu", "guanzhong", "beibu-gulf", "lanzhou-xining"))
    assert client.get(f"/clusters/compare?{many}").status_code == 400
    html = client.get("/clusters/compare?c=jjj").get_data(as_text=True)
    assert 'id="compare-empty"' in html


def test_groups_page_lists_levels_and_links_the_comparison(client):
    html = client.get("/groups?lang=en").get_data(as_text=True)
    item = html[html.index('<li data-cluster="shandong-peninsula">'):]
    assert "provincial plan" in item[:item.index("</li>")]
    assert 'id="compare-link"' in html
    for cid in ("harbin-changchun", "hohhot-baotou-ordos-yulin", "lanzhou-xining", "central-southern-liaoning",
                "central-shanxi", "central-guizhou", "central-yunnan", "ningxia-yellow-river", "tianshan-north-slope"):
        assert f'data-cluster="{cid}"' in html
