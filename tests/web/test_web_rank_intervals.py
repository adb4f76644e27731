"""Rank intervals on every surface (issue 9): the ranking page and its CSV/XLSX export, the city
page and API, the scores and uncertainty APIs, the map's values; all read the ONE cached
analysis of a dataset (service/uncertainty.py).

The published top-10 table ranks 宁波 7th and 佛山 8th on equal totals (60.4): every surface
must report them tied, with 90% rank intervals that overlap."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

TOP10 = "ndrc-2017-top10"
SIM = "ndrc-2017-simulated"
NINGBO, FOSHAN = "330200", "440600"


def _meets(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _row(html: str, code: str) -> str:
    start = html.index(f'<tr data-code="{code}"')
    return html[start:html.index("</tr>", start)]


def _interval(row_html: str) -> tuple[int, int]:
    lo, hi = re.search(r'class="cr-iv-text">(\d+)–(\d+)<', row_html).groups()
    return int(lo), int(hi)


@pytest.mark.parametrize("lang, tied", [("zh", "并列第7"), ("en", "tied 7th")])
def test_ranking_page_states_the_tie_and_the_overlap(client, lang, tied):
    html = client.get(f"/ranking?dataset={TOP10}&lang={lang}").get_data(as_text=True)
    nb, fs = _row(html, NINGBO), _row(html, FOSHAN)
    for row, other in ((nb, "佛山" if lang == "zh" else "Foshan"), (fs, "宁波" if lang == "zh" else "Ningbo")):
        cell = re.search(r'<td data-v="7" class="cr-rank" title="([^"]+)">([^<]+)</td>', row)
        assert cell and cell.group(2) == tied and other in cell.group(1)
        mark = re.search(r'<abbr class="cr-overlap" title="([^"]+)">', row)
        assert mark and other in mark.group(1)  # each is shown overlapping the other
    assert _meets(_interval(nb), _interval(fs))
    # every other rank is a plain number, and no other row is marked tied
    assert html.count('class="cr-tied"') == 2
    assert re.search(r'<td data-v="9" class="cr-rank">9</td>', html)
    # the page says how the intervals were made (runs, seed) and why ≈ is there
    note = html[html.index('id="intervals-note"'):]
    assert ("1000 次，随机种子 1" if lang == "zh" else "1000 runs, seed 1") in note
    assert ("10/10" if lang == "zh" else "10 of 10") in note
    assert 'id="ties-note"' in html


def test_ranking_page_p_top_column_only_when_it_can_differ(client):
    top10 = client.get(f"/ranking?dataset={TOP10}").get_data(as_text=True)
    sim = client.get(f"/ranking?dataset={SIM}").get_data(as_text=True)
    assert "进入前10概率" not in top10  # 10 cities: always 100%, says nothing
    assert "进入前10概率" in sim
    # the median and the interval of 宁波 on the simulated data, as the API has them
    api = {r["code"]: r for r in client.get(f"/api/v1/datasets/{SIM}/scores").get_json()["scores"]}
    row = _row(sim, NINGBO)
    assert _interval(row) == (api[NINGBO]["rank_p05"], api[NINGBO]["rank_p95"])
    assert f'data-v="{api[NINGBO]["p_top10"]}"' in row


def _ids(row: dict, lang: str = "zh") -> dict:
    """A row of the export for people, keyed back by column ids (the headers are in ``lang``)."""
    from cityrank.scoring.export import KNOWN_COLUMNS, header

    back = {header(c, lang): c for c in KNOWN_COLUMNS}
    return {back.get(k, k): v for k, v in row.items()}


def _xlsx_rows(body: bytes, sheet: str = "排名", lang: str = "zh") -> list[dict]:
    wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    return [_ids(dict(zip(rows[0], r, strict=True)), lang) for r in rows[1:]]


def _check_export_rows(rows: dict) -> None:
    nb, fs = rows[NINGBO], rows[FOSHAN]
    for me, other in ((nb, FOSHAN), (fs, NINGBO)):
        assert int(me["rank"]) == 7 and str(me["tied"]).lower() == "true"
        assert int(me["tie_group"]) == 7 and me["tied_with"] == other
        assert str(me["overlaps"]).lower() == "true" and other in str(me["overlap_with"]).split(",")
    assert _meets((int(nb["rank_p05"]), int(nb["rank_p95"])), (int(fs["rank_p05"]), int(fs["rank_p95"])))
    assert str(rows["510100"]["tied"]).lower() == "false" and int(rows["510100"]["rank"]) == 9


def test_xlsx_export_read_with_openpyxl(client):
    r = client.get(f"/ranking.xlsx?dataset={TOP10}")
    assert r.status_code == 200
    rows = {str(x["code"]): x for x in _xlsx_rows(r.data)}
    _check_export_rows(rows)
    about = dict((k, v) for k, v in (tuple(x.values()) for x in _xlsx_rows(r.data, "说明")))
    assert "1000" in about["中位名次, 名次区间下限（5%）, 名次区间上限（95%）"] and "并列" in about["并列"]
    # in English: the same file with English headers, sheets and notes
    en = client.get(f"/ranking.xlsx?dataset={TOP10}&lang=en")
    _check_export_rows({str(x["code"]): x for x in _xlsx_rows(en.data, "ranking", "en")})
    about = dict((k, v) for k, v in (tuple(x.values()) for x in _xlsx_rows(en.data, "about", "en")))
    assert "1000 runs" in about["median rank, rank interval, 5%, rank interval, 95%"]
    assert "tied" in about["tied"]


def test_csv_export(client):
    r = client.get(f"/ranking.csv?dataset={TOP10}")
    rows = [_ids(x) for x in csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")))]
    assert list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))[0][:3] == ["排名", "代码", "城市"]
    _check_export_rows({x["code"]: x for x in rows})


def test_scores_api_json_and_csv(client):
    body = client.get(f"/api/v1/datasets/{TOP10}/scores").get_json()
    assert body["intervals"]["runs"] == 1000 and body["intervals"]["level"] == 0.9
    assert body["intervals"]["uncertainty"] == f"/api/v1/datasets/{TOP10}/uncertainty"
    rows = {r["code"]: r for r in body["scores"]}
    assert rows[NINGBO]["tied_with"] == [FOSHAN] and rows[FOSHAN]["tied_with"] == [NINGBO]
    assert rows[NINGBO]["tie_group"] == rows[FOSHAN]["tie_group"] == 7
    assert FOSHAN in rows[NINGBO]["overlap_with"] and NINGBO in rows[FOSHAN]["overlap_with"]
    assert _meets((rows[NINGBO]["rank_p05"], rows[NINGBO]["rank_p95"]),
                  (rows[FOSHAN]["rank_p05"], rows[FOSHAN]["rank_p95"]))
    text = client.get(f"/api/v1/datasets/{TOP10}/scores?format=csv").get_data(as_text=True)
    csv_rows = {x["code"]: x for x in csv.DictReader(io.StringIO(text))}
    _check_export_rows(csv_rows)
    # one indicator: the total's rank keeps its interval
    one = client.get(f"/api/v1/datasets/{TOP10}/scores?indicator=perception").get_json()["scores"]
    assert {r["code"]: r["rank_p95"] for r in one} == {c: r["rank_p95"] for c, r in rows.items()}


def test_uncertainty_endpoint(client):
    r = client.get(f"/api/v1/datasets/{TOP10}/uncertainty")
    assert r.status_code == 200 and r.headers.get("ETag")
    body = r.get_json()
    assert body["available"] and body["dataset"] == TOP10 and body["synthetic"] is False
    assert body["runs"] == 1000 and body["seed"] == 1 and body["n"] == 10
    units = {u["code"]: u for u in body["units"]}
    assert units[NINGBO]["tied"] and units[FOSHAN]["tied_with"] == [NINGBO]
    assert set(units[NINGBO]["sobol"]["ST"]) == set(body["factors"])
    # the same numbers as the scores API (one analysis)
    scores = {s["code"]: s for s in client.get(f"/api/v1/datasets/{TOP10}/scores").get_json()["scores"]}
    for code, u in units.items():
        assert (u["rank_p05"], u["rank_p95"], u["rank_median"]) == (
            scores[code]["rank_p05"], scores[code]["rank_p95"], scores[code]["rank_median"])
    assert client.get(f"/api/v1/datasets/{TOP10}/uncertainty", headers={"If-None-Match": r.headers["ETag"]}
                      ).status_code == 304
    assert client.get("/api/v1/datasets/no-such/uncertainty").status_code == 404
    simulated = client.get(f"/api/v1/datasets/{SIM}/uncertainty").get_json()
    assert simulated["synthetic"] is True and simulated["n"] == 293


def test_city_api_and_page(client):
    d = client.get(f"/api/v1/datasets/{SIM}/cities/{FOSHAN}").get_json()
    u = d["uncertainty"]
    assert u["tied"] and u["tied_with"] == [NINGBO] and u["rank_p05"] <= 7 <= u["rank_p95"]
    assert [s["ST"] for s in u["sobol"]] == sorted((s["ST"] for s in u["sobol"]), reverse=True)
    assert u["most_influential"] == u["sobol"][0]["factor"]
    prof = d["profile"]
    assert prof["groups"] == ["region:East", "cluster:gba"]
    detailed = [i for i in prof["indicators"] if i["detailed"]]
    ranks = {i["indicator"]: i["rank"] for i in detailed}
    assert max(ranks[s] for s in prof["strengths"]) <= min(ranks[w] for w in prof["weaknesses"])
    for ind in prof["indicators"]:
        for gap in ind["gaps"].values():
            assert gap["gap"] == pytest.approx(gap["best_value"] - ind["value"]) and gap["gap"] >= 0

    html = client.get(f"/city/{FOSHAN}?dataset={SIM}").get_data(as_text=True)
    assert re.search(r'id="city-rank">排名: <strong>并列第7名</strong> / 293', html)
    assert f"90% 排名区间：第{u['rank_p05']}–{u['rank_p95']}名" in html
    assert f"进入前10名的概率：{100 * u['p_top10']:.0f}%" in html
    assert "与宁波市总分相同，并列第7名。" in html
    factors = re.findall(r'<tr data-factor="(\w+)">', html)
    assert factors == [s["factor"] for s in u["sobol"]]
    strengths = re.findall(r'<li data-indicator="(\w+)">', html[html.index('id="strengths"'):html.index('id="weaknesses"')])
    assert strengths == prof["strengths"]
    assert "与组内最佳之差" in html and "粤港澳大湾区" in html

    en = client.get(f"/city/{FOSHAN}?dataset={SIM}&lang=en").get_data(as_text=True)
    assert "Rank: <strong>tied 7th</strong>" in en and "Same total as Ningbo: tied 7th." in en


def test_map_values_carry_the_intervals(client):
    v = client.get(f"/api/v1/datasets/{TOP10}/map?indicator=total").get_json()
    iv = v["intervals"]
    assert iv["runs"] == 1000 and iv["top"] == 10 and iv["level"] == 0.9
    i, j = v["codes"].index(NINGBO), v["codes"].index(FOSHAN)
    assert iv["tied"][i] == iv["tied"][j] == 1 and v["ranks"][i] == v["ranks"][j] == 7
    assert _meets((iv["p05"][i], iv["p95"][i]), (iv["p05"][j], iv["p95"][j]))
    assert len(iv["p05"]) == len(iv["p95"]) == len(iv["median"]) == len(v["codes"])
    # another indicator's ranks are not the total's: no intervals
    assert client.get(f"/api/v1/datasets/{TOP10}/map?indicator=perception").get_json()["intervals"] is None


def test_viewer_toggle_and_embed_parameters(client):
    html = client.get(f"/?dataset={TOP10}&intervals=1").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="f-intervals"[^>]*checked', html)
    assert '"intervals":true' in html  # the client starts in the interval view
    assert "intervals=1" in html  # the embed snippet keeps it
    off = client.get(f"/?dataset={TOP10}&indicator=perception&intervals=1").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="f-intervals"[^>]*disabled', off) and '"intervals":false' in off
    assert client.get(f"/embed/{TOP10}?intervals=1").status_code == 200


def test_one_analysis_per_dataset(monkeypatch, tmp_path):
    """Every surface reads one cached analysis: built once per dataset, never per request."""
    import cityrank.scoring.uncertainty as core
    from cityrank.service.site import Site
    from cityrank.web.app import create_app

    calls = []
    real = core.analyse

    def counting(*a, **kw):
        calls.append(kw.get("config"))
        return real(*a, **kw)

    monkeypatch.setattr(core, "analyse", counting)
    site = Site(store_dir=tmp_path)
    c = create_app({"TESTING": True, "SITE": site}).test_client()
    for path in (f"/ranking?dataset={TOP10}", f"/ranking.xlsx?dataset={TOP10}", f"/ranking.csv?dataset={TOP10}",
                 f"/city/{NINGBO}?dataset={TOP10}", f"/api/v1/datasets/{TOP10}/cities/{NINGBO}",
                 f"/api/v1/datasets/{TOP10}/scores", f"/api/v1/datasets/{TOP10}/uncertainty",
                 f"/api/v1/datasets/{TOP10}/map?indicator=total", f"/?dataset={TOP10}",
                 f"/embed/{TOP10}", f"/cluster/gba?dataset={TOP10}", f"/api/v1/datasets/{TOP10}/workbook.xlsx",
                 f"/ranking?dataset={TOP10}&lang=en"):
        assert c.get(path).status_code == 200, path
    assert len(calls) == 1
    assert calls[0].seed == 1 and calls[0].runs == 1000 and calls[0].sobol_base == 256
    assert len(site.cache.keys(TOP10, "uncertainty")) == 1


def test_without_intervals_ties_are_still_stated(monkeypatch, tmp_path):
    from cityrank.service import uncertainty
    from cityrank.service.site import Site
    from cityrank.web.app import create_app

    monkeypatch.setattr(uncertainty, "result", lambda site, ds: None)
    c = create_app({"TESTING": True, "SITE": Site(store_dir=tmp_path)}).test_client()
    html = c.get(f"/ranking?dataset={TOP10}").get_data(as_text=True)
    assert "并列第7" in _row(html, FOSHAN) and "cr-iv-text" not in html
    assert "该数据集无法计算排名区间" in html
    rows = {x["code"]: x for x in (_ids(r) for r in csv.DictReader(io.StringIO(
        c.get(f"/ranking.csv?dataset={TOP10}").get_data(as_text=True).lstrip("\ufeff"))))}
    assert rows[NINGBO]["tied_with"] == FOSHAN and "rank_p05" not in rows[NINGBO]
    city = c.get(f"/city/{NINGBO}?dataset={TOP10}").get_data(as_text=True)
    assert "并列第7名" in city and "该数据集无法计算排名区间" in city
    assert c.get(f"/api/v1/datasets/{TOP10}/uncertainty").get_json()["available"] is False
    assert c.get(f"/api/v1/datasets/{TOP10}/map?indicator=total").get_json()["intervals"] is None
