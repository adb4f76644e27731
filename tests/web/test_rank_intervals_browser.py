"""Rank intervals in a real browser (headless Debian Chromium): the ranking page, its Excel
export downloaded and read with openpyxl, the map's tooltip under the mouse, the embed's data
table, and the map's interval view switched on and off without a navigation.

Done-when of issue 9: on the published top 10, 宁波 and 佛山 are reported tied and their
intervals overlap -- on the page, in the tooltip, the embed table and the export."""

from __future__ import annotations

import re

import openpyxl
import pytest

from cityrank.scoring.export import KNOWN_COLUMNS, header

pytestmark = pytest.mark.browser

TOP10 = "ndrc-2017-top10"
NINGBO, FOSHAN = "330200", "440600"


def _meets(a, b) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def test_ranking_page_and_its_excel_export(watched_page, live_server, tmp_path):
    page = watched_page.page
    page.goto(f"{live_server}/ranking?dataset={TOP10}")
    rows = {}
    for code in (NINGBO, FOSHAN):
        tr = page.locator(f'tr[data-code="{code}"]')
        rank = tr.locator("td.cr-rank").inner_text()
        lo, hi = map(int, re.match(r"(\d+)–(\d+)", tr.locator(".cr-iv-text").inner_text()).groups())
        assert rank == "并列第7"
        assert tr.locator("abbr.cr-overlap").is_visible()
        rows[code] = (lo, hi)
    assert _meets(rows[NINGBO], rows[FOSHAN])
    # sorting by the interval keeps the rows (the table's script reads data-v)
    page.locator("#cr-ranking th.cr-iv-head").click()
    assert page.locator("#cr-ranking tbody tr").count() == 10

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    path = tmp_path / "ranking.xlsx"
    info.value.save_as(path)
    wb = openpyxl.load_workbook(path, read_only=True)  # read-only keeps the file open: close it
    table = list(wb["排名"].iter_rows(values_only=True))  # the page's language
    wb.close()
    back = {header(c, "zh"): c for c in KNOWN_COLUMNS}
    head = [back.get(h, h) for h in table[0]]
    body = [dict(zip(head, r, strict=True)) for r in table[1:]]
    assert {"tied", "tie_group", "rank_median", "rank_p05", "rank_p95", "overlaps"} <= set(head)
    by_code = {str(r["code"]): r for r in body}
    for me, other in ((NINGBO, FOSHAN), (FOSHAN, NINGBO)):
        r = by_code[me]
        assert r["rank"] == 7 and r["tied"] is True and r["tie_group"] == 7 and r["tied_with"] == other
        assert r["overlaps"] is True and other in r["overlap_with"].split(",")
        assert (r["rank_p05"], r["rank_p95"]) == rows[me]  # the page and the file agree
    assert not watched_page.errors and not watched_page.blocked


def _hover(page, code: str, name: str) -> str:
    """Move the mouse onto a city's polygon and return its tooltip's text."""
    pt = page.evaluate("""(code) => {
        const m = document.querySelector('[data-cr-map]').cityMap;
        const layer = m.layers.get(code);
        const p = m.map.latLngToContainerPoint(layer.getBounds().getCenter());
        const r = m.map.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""", code)
    page.mouse.move(pt[0] - 30, pt[1] - 30)
    page.mouse.move(pt[0], pt[1])
    tip = page.locator(".leaflet-tooltip.cr-tip", has_text=name)  # others may still be fading out
    tip.wait_for(state="visible")
    return tip.inner_text()


def test_map_tooltip_carries_the_interval(watched_page, live_server):
    page = watched_page.page
    page.goto(f"{live_server}/?dataset={TOP10}")
    page.wait_for_selector("[data-cr-map].cr-ready")
    page.evaluate("document.querySelector('[data-cr-map]').cityMap.map.setView([30.2, 118.5], 7, {animate: false})")
    text = _hover(page, NINGBO, "宁波市")
    assert "宁波市" in text and "并列第7名（共10个）" in text
    nb = tuple(map(int, re.search(r"90% 排名区间：第(\d+)–(\d+)名", text).groups()))
    page.evaluate("document.querySelector('[data-cr-map]').cityMap.map.setView([23.0, 113.1], 8, {animate: false})")
    text = _hover(page, FOSHAN, "佛山市")
    assert "佛山市" in text and "并列第7名" in text
    fs = tuple(map(int, re.search(r"90% 排名区间：第(\d+)–(\d+)名", text).groups()))
    assert _meets(nb, fs)
    assert "进入前10名的概率" not in text  # 10 cities: always 100%
    assert not watched_page.errors


def test_embed_table_carries_the_interval(watched_page, live_server):
    page = watched_page.page
    page.goto(f"{live_server}/embed/{TOP10}?lang=en")
    page.wait_for_selector("[data-cr-map].cr-ready")
    page.locator("details.cr-table-wrap summary").click()
    heads = page.locator("table.cr-table thead th").all_inner_texts()
    assert heads[3] == "90% rank interval"
    cells = {code: page.locator(f'table.cr-table tr[data-code="{code}"] td').all_inner_texts()
             for code in (NINGBO, FOSHAN, "510100")}
    assert cells[NINGBO][0] == cells[FOSHAN][0] == "=7" and cells["510100"][0] == "9"
    iv = {c: tuple(map(int, v[3].split("–"))) for c, v in cells.items()}
    assert _meets(iv[NINGBO], iv[FOSHAN])
    assert not watched_page.errors


def test_interval_view_toggles_without_a_navigation(watched_page, live_server):
    page = watched_page.page
    page.goto(f"{live_server}/")
    page.wait_for_selector("[data-cr-map].cr-ready")
    page.evaluate("window.__stay = 1")
    assert page.locator("path.cr-uncertain-hatch").count() == 0
    page.locator("#f-intervals").check()
    page.wait_for_function("() => document.querySelectorAll('path.cr-uncertain-hatch').length > 0")
    hatched = page.locator("path.cr-uncertain-hatch").count()
    legend = page.locator(".cr-legend-row:has(.cr-swatch-uncertain)")
    assert int(legend.get_attribute("data-count")) == hatched and "分级不确定" not in legend.inner_text()
    assert "intervals=true" in page.url
    # the hatched cities are exactly those whose interval ends fall in different classes
    expected = page.evaluate("""() => {
        const m = document.querySelector('[data-cr-map]').cityMap, iv = m.payload.intervals, yb = m.classes.yb;
        return m.payload.codes.filter((c, i) => yb[Math.min(iv.p05[i], yb.length) - 1] !== yb[Math.min(iv.p95[i], yb.length) - 1]).length;
    }""")
    assert expected == hatched and 0 < hatched < 293
    # fewer classes: fewer boundaries to straddle
    page.select_option("#f-k", "3")
    page.wait_for_function(f"() => document.querySelectorAll('path.cr-uncertain-hatch').length < {hatched}")
    page.locator("#f-intervals").uncheck()
    page.wait_for_function("() => document.querySelectorAll('path.cr-uncertain-hatch').length === 0")
    assert "intervals" not in page.url
    page.select_option("#f-indicator", "perception")
    page.wait_for_function("() => document.getElementById('f-intervals').disabled")
    assert page.evaluate("window.__stay") == 1  # no page load
    assert not watched_page.errors and not watched_page.blocked


@pytest.mark.parametrize("path", ["/ranking", f"/ranking?dataset={TOP10}&lang=en", f"/city/{FOSHAN}",
                                  f"/city/{NINGBO}?dataset={TOP10}&lang=en", "/?intervals=1"])
def test_no_sideways_scrolling_on_a_phone(browser, live_server, path):
    """Wide tables scroll inside their own box; nothing of the interval columns (bars, the
    overlap mark's hidden text, the legend's hatch row) widens the page at 390 px."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{live_server}{path}")
        if path.startswith("/?"):
            page.wait_for_selector("[data-cr-map].cr-ready")
            page.wait_for_selector(".cr-swatch-uncertain")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
