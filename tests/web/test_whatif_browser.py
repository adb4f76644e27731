"""What-if weights in a real browser (headless Debian Chromium): moving a first-level slider
re-ranks, recolours and rewrites the data table without a navigation; the ranking is the
scoring core's with those weights; the weights go into the URL, a reload restores them, and
the reset button brings back the published weights and clears the URL. Done-when of issue 9:
"Moving a slider in headless Chromium re-ranks and recolours without a navigation"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from cityrank.scoring.engine import score

pytestmark = pytest.mark.browser

IDS = ["perception", "management", "services", "cyberspace", "collaboration"]
STATE = """() => {
    const m = document.querySelector('[data-cr-map]').cityMap;
    return {codes: m.payload.codes, ranks: m.payload.ranks,
            fills: Object.fromEntries(m.payload.codes.map((c) => [c, m.layers.get(c).options.fillColor])),
            rows: [...document.querySelectorAll('table.cr-table tbody tr')].map((tr) => tr.dataset.code),
            weights: [...document.querySelectorAll('.cr-whatif-range')].map((i) => Number(i.value))};
}"""


def _w(url: str):
    return parse_qs(urlparse(url).query).get("w")


def _core_order(app, weights):
    ds = app.extensions["cityrank"].dataset("ndrc-2017-simulated")
    core = score(ds.system, ds.raw()[0], weighting="user", weights=dict(zip(IDS, weights, strict=True)))
    return list(core["code"]), [int(r) for r in core["rank"]]


def test_slider_reranks_recolours_and_round_trips_the_url(watched_page, live_server, app):
    page = watched_page.page
    page.goto(f"{live_server}/")
    page.wait_for_selector("[data-cr-map].cr-ready")
    page.evaluate("window.__stay = 1")
    before = page.evaluate(STATE)
    assert before["weights"] == [15, 25, 25, 15, 20] and before["rows"] == before["codes"]
    panel = page.locator("details.cr-whatif")
    assert panel.locator(".cr-whatif-note").text_content().endswith("当前为发布的权重。")
    assert page.locator("#f-intervals").is_enabled()
    panel.locator("summary").click()
    page.get_by_label("主体协同").focus()  # a labelled <input type=range>, moved by the keyboard
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('[data-cr-map]').cityMap.payload.whatifWeights")
    after = page.evaluate(STATE)
    assert after["weights"] == [15, 25, 25, 15, 100]
    assert page.evaluate("window.__stay") == 1  # no page load
    codes, ranks = _core_order(app, after["weights"])
    assert after["codes"] == codes and after["ranks"] == ranks  # the core's ranking, ties and all
    assert after["codes"] != before["codes"]
    assert after["rows"] == after["codes"]  # the table follows
    changed = sum(after["fills"][c] != before["fills"][c] for c in before["codes"])
    assert changed > 20  # recoloured
    assert page.locator("#cr-w-out-collaboration").inner_text() == "100（占55.6%）"
    assert "不是发布的权重" in panel.locator(".cr-whatif-note").inner_text()
    assert page.locator(".cr-head .cr-whatif-badge").inner_text() == "自定义权重"
    assert page.locator("#f-intervals").is_disabled()  # intervals are the published weights'
    assert page.locator("table.cr-table th.cr-whatif-col").count() == 1
    assert _w(page.url) == ["15,25,25,15,100"]
    # the embed snippet and the language switch carry the weights
    snippet = page.locator("#cr-snippet").input_value()
    assert "w=15%2C25%2C25%2C15%2C100" in snippet and "whatif=1" in snippet
    lang = urlparse(page.locator("#lang-switch").get_attribute("href"))
    assert parse_qs(lang.query)["w"] == ["15,25,25,15,100"] and parse_qs(lang.query)["lang"] == ["en"]
    first = after["codes"][0]
    tip = page.evaluate("(c) => document.querySelector('[data-cr-map]').cityMap.tooltip(c).textContent", first)
    published = before["ranks"][before["codes"].index(first)]
    assert "第1名（共293个）" in tip and f"按发布权重排名：第{published}名" in tip and "区间" not in tip
    cells = page.locator(f'table.cr-table tr[data-code="{first}"] td').all_text_contents()
    assert len(cells) == 4 and cells[3] == (f"{published} (↑{published - 1})" if published > 1 else "1")

    # the URL restores the state
    page.goto(page.url)
    page.wait_for_selector("[data-cr-map].cr-ready")
    page.wait_for_function("() => document.querySelector('[data-cr-map]').cityMap.payload.whatifWeights")
    again = page.evaluate(STATE)
    assert again["weights"] == after["weights"] and again["codes"] == after["codes"]
    assert again["fills"] == after["fills"]
    assert page.locator("details.cr-whatif").get_attribute("open") is not None

    # reset: the published weights, ranking and colours, and no w in the URL
    page.evaluate("window.__stay = 2")
    page.get_by_role("button", name="恢复发布的权重").click()
    page.wait_for_function("() => !document.querySelector('[data-cr-map]').cityMap.payload.whatifWeights")
    reset = page.evaluate(STATE)
    assert reset["weights"] == before["weights"] and reset["codes"] == before["codes"]
    assert reset["fills"] == before["fills"] and reset["rows"] == before["codes"]
    assert _w(page.url) is None and page.evaluate("window.__stay") == 2
    assert "w=" not in page.locator("#cr-snippet").input_value()
    assert page.locator(".cr-whatif-badge").count() == 0 and page.locator("#f-intervals").is_enabled()
    assert not watched_page.errors and not watched_page.blocked


def test_other_indicator_keeps_the_weights_for_the_total(watched_page, live_server):
    page = watched_page.page
    page.goto(f"{live_server}/?lang=en&w=40,20,20,10,10")
    page.wait_for_selector("[data-cr-map].cr-ready")
    page.wait_for_function("() => document.querySelector('[data-cr-map]').cityMap.payload.whatifWeights")
    mine = page.evaluate(STATE)["codes"]
    assert "not the published ones" in page.locator(".cr-whatif-note").inner_text()
    page.select_option("#f-indicator", "perception")
    page.wait_for_function("() => document.getElementById('cr-w-perception').disabled")
    assert "total only" in page.locator(".cr-whatif-note").inner_text()
    page.select_option("#f-indicator", "total")
    page.wait_for_function("() => document.querySelector('[data-cr-map]').cityMap.payload.whatifWeights")
    assert page.evaluate(STATE)["codes"] == mine and _w(page.url) == ["40,20,20,10,10"]
    assert not watched_page.errors


def test_embed_offers_the_sliders_and_fits_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/embed/ndrc-2017-top10?whatif=1")
        page.wait_for_selector("[data-cr-map].cr-ready")
        page.locator("details.cr-whatif summary").click()
        page.locator("details.cr-table-wrap summary").click()
        before = page.locator("table.cr-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.code)")
        page.locator("#cr-w-collaboration").fill("100")
        page.wait_for_function("() => document.querySelector('[data-cr-map]').cityMap.payload.whatifWeights")
        after = page.locator("table.cr-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.code)")
        assert sorted(after) == sorted(before) and after != before
        assert _w(page.url) == ["15,25,25,15,100"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{live_server}/embed/ndrc-2017-top10")  # without whatif=1: no sliders
        page.wait_for_selector("[data-cr-map].cr-ready")
        assert page.locator("details.cr-whatif").count() == 0
    finally:
        context.close()


def test_viewer_with_sliders_fits_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 800}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/?w=30,20,20,15,15&lang=en")
        page.wait_for_selector("[data-cr-map].cr-ready")
        assert page.locator("details.cr-whatif").get_attribute("open") is not None
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator("details.cr-whatif").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    finally:
        context.close()


@pytest.mark.parametrize("w", ["1,2", "0,0,0,0,0", "a,b,c,d,e", "15,25,25,15,-1", "15,25,25,15,101"])
def test_weights_the_client_cannot_use_leave_the_published_map(watched_page, live_server, w):
    page = watched_page.page
    page.goto(f"{live_server}/?w={w}")
    page.wait_for_selector("[data-cr-map].cr-ready")
    assert page.evaluate("document.querySelector('[data-cr-map]').cityMap.payload.whatifWeights") is None
    assert page.evaluate(STATE)["weights"] == [15, 25, 25, 15, 20]
    assert page.locator(".cr-whatif-badge").count() == 0 and not watched_page.errors
