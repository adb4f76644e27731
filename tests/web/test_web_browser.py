"""The map client in headless Debian Chromium with every non-local request blocked: one shape
per scored city, no console error, tooltips, attack labels shown as text, the inset, the
viewer's in-page recolouring, search, click-through, permalinks and the embed's host resizing."""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest

pytestmark = pytest.mark.browser

DATASET = "ndrc-2017-simulated"

# Container pixel of a lon/lat on the page's (first) map.
POINT_JS = """([lon, lat]) => {
  const m = document.querySelector('[data-cr-map]').cityMap.map;
  const pt = m.latLngToContainerPoint([lat, lon]);
  const box = m.getContainer().getBoundingClientRect();
  return [box.left + pt.x, box.top + pt.y];
}"""
BOUNDS_JS = """(pts) => {
  const b = document.querySelector('[data-cr-map]').cityMap.map.getBounds();
  return pts.map(p => b.contains(p));
}"""


def _n_scored(client, dataset=DATASET) -> int:
    return client.get(f"/api/v1/datasets/{dataset}/scores").get_json()["count"]


def _city_point(code: str):
    from cityrank.geo.boundaries import load_layer

    gdf = load_layer("prefecture")
    pt = gdf.loc[gdf["code"] == code].geometry.iloc[0].representative_point()
    return pt.x, pt.y


def _open(w, url: str):
    resp = w.page.goto(url, wait_until="load")
    assert resp.status == 200
    w.page.wait_for_selector("[data-cr-map].cr-ready", timeout=20000)
    return resp


def _hover(w, code: str, expect: str) -> str:
    x, y = w.page.evaluate(POINT_JS, list(_city_point(code)))
    w.page.mouse.move(x - 3, y - 3)
    w.page.mouse.move(x, y)
    tip = w.page.locator(".leaflet-tooltip", has_text=expect)
    tip.wait_for(timeout=5000)
    return tip.inner_text()


@pytest.mark.parametrize("path", ["/", f"/embed/{DATASET}", f"/embed/{DATASET}?dark=1&lang=en"])
def test_map_draws_offline_one_shape_per_city(client, live_server, watched_page, path):
    w = watched_page
    _open(w, live_server + path)
    assert w.page.locator("path.cr-scored").count() == _n_scored(client) == 293
    assert w.page.locator("path.cr-context").count() > 0  # municipalities, autonomous prefectures, HMT
    assert w.page.locator("path.cr-line").count() > 0  # boundary lines incl. the SCS dashed line
    assert w.page.locator("path.cr-province").count() == 1  # province borders: one mesh
    assert w.blocked == [] and w.errors == []
    assert all(r.status < 400 for r in w.responses), [(r.url, r.status) for r in w.responses if r.status >= 400]
    name, province = ("Hangzhou", "Zhejiang") if "lang=en" in path else ("杭州市", "浙江省")
    text = _hover(w, "330100", name)
    assert name in text and province in text and ("排名" in text or "Rank" in text)
    attribution = w.page.locator(".leaflet-control-attribution")
    assert attribution.inner_text().strip() == "Leaflet"  # a plain link, no flag icon
    assert attribution.locator("svg, img").count() == 0


def test_taiwan_label_synthetic_mark_and_inset(live_server, watched_page):
    w = watched_page
    _open(w, live_server + "/")
    assert w.page.locator(".cr-label", has_text="台湾省资料暂缺").count() == 1
    assert w.page.locator(".cr-synthetic").first.is_visible()
    assert "模拟数据" in w.page.locator(".cr-source").first.inner_text()
    inset = w.page.locator(".cr-inset")
    assert inset.count() == 1 and inset.is_visible()
    assert w.page.locator(".cr-inset .cr-inset-title").inner_text().strip() == "南海诸岛"
    assert inset.get_attribute("aria-label") == "南海诸岛" and inset.get_attribute("role") == "img"
    # drawn from the TopoJSON (inset.js): the dashed line, the land, the islands as dots
    assert len(w.page.locator(".cr-inset g.cr-inset-dash path").get_attribute("d")) > 50
    assert w.page.locator(".cr-inset g.cr-inset-land path").count() >= 2
    assert w.page.locator(".cr-inset g.cr-inset-island circle").count() >= 20
    # first view: Hainan's southern tip, Taiwan's north and south tips
    assert w.page.evaluate(BOUNDS_JS, [[18.16, 109.6], [25.3, 121.5], [21.9, 120.8]]) == [True, True, True]
    # HK and Macao: the hatched grey of 港澳台, never a foreign style
    for code in ("810000", "820000"):
        layer_class = w.page.evaluate(
            "(c) => document.querySelector('[data-cr-map]').cityMap.layers.get(c).getElement().getAttribute('class')", code)
        assert "cr-hmt" in layer_class


def test_attack_labels_do_not_run(evil_server, watched_page):
    w = watched_page
    for path in ("/", f"/embed/{DATASET}", "/ranking"):
        w.page.goto(evil_server + path, wait_until="load")
        if path != "/ranking":
            w.page.wait_for_selector("[data-cr-map].cr-ready", timeout=20000)
    _open(w, evil_server + "/")
    text = _hover(w, "330100", "onerror")
    assert "<img src=x onerror=alert(1)>" in text  # shown literally
    assert w.page.locator(".leaflet-tooltip img").count() == 0
    w.page.mouse.move(5, 5)
    text = _hover(w, "330200", "${alert(1)}")
    assert "${alert(1)}" in text
    w.page.locator(".cr-table-wrap summary").click()
    assert w.page.get_by_role("cell", name="<img src=x onerror=alert(1)>").count() == 1
    w.page.wait_for_timeout(300)
    assert w.dialogs == [] and w.blocked == []


def test_viewer_recolours_in_the_page_and_keeps_the_state_in_the_url(live_server, watched_page):
    w = watched_page
    _open(w, live_server + "/")
    w.page.evaluate("window.__same_page = true")
    before = w.page.locator("path.cr-scored").first.get_attribute("fill")
    w.page.select_option("#f-indicator", "perception")
    w.page.wait_for_function("() => new URL(location.href).searchParams.get('indicator') === 'perception'")
    w.page.wait_for_function("() => document.querySelector('.cr-legend-title').textContent === '智能感知'")
    assert w.page.evaluate("window.__same_page") is True  # no navigation
    assert w.page.locator('#f-class option[value="published"]').is_disabled()  # not offered
    w.page.select_option("#f-class", "natural_breaks")
    w.page.select_option("#f-k", "7")
    w.page.wait_for_function("() => document.querySelectorAll('.cr-legend-row[data-count]').length === 7")
    assert w.page.evaluate("window.__same_page") is True
    assert w.page.locator("path.cr-scored").first.get_attribute("fill") is not None
    url = w.page.url
    assert "classification=natural_breaks" in url and "k=7" in url
    png = w.page.locator(".cr-print-png").get_attribute("href")
    assert "indicator=perception" in png and "classification=natural_breaks" in png and "k=7" in png
    # the permalink reopens the same map
    w.page.goto(url, wait_until="load")
    w.page.wait_for_selector("[data-cr-map].cr-ready")
    assert w.page.locator(".cr-legend-title").inner_text() == "智能感知"
    assert w.page.locator(".cr-legend-row[data-count]").count() == 7
    assert before is not None and w.errors == [] and w.blocked == []


def test_search_by_name_pinyin_or_code_and_click_opens_the_city(live_server, watched_page):
    w = watched_page
    _open(w, live_server + "/")
    for query in ("杭州", "hangzhou", "Hangzhou", "330100"):  # "hangzhou" is in "changzhou" too
        w.page.fill("#cr-search", query)
        w.page.press("#cr-search", "Enter")
        w.page.wait_for_function("() => document.querySelector('[data-cr-map]').cityMap.focused === '330100'")
        w.page.evaluate("document.querySelector('[data-cr-map]').cityMap.focused = null")
    x, y = w.page.evaluate(POINT_JS, list(_city_point("330100")))
    w.page.mouse.click(x, y)
    w.page.wait_for_url(re.compile(r"/city/330100"))
    assert "杭州市" in w.page.locator("h1").inner_text()


def test_region_and_cluster_maps_highlight_members(live_server, watched_page):
    w = watched_page
    _open(w, live_server + "/cluster/yrd-2016")
    assert w.page.locator("path.cr-member").count() == 26
    assert w.page.locator("path.cr-outside").count() > 300
    _open(w, live_server + "/cluster/chengyu")
    assert w.page.locator("path.cr-partial-hatch").count() >= 1  # partial members marked
    assert w.page.locator(".cr-swatch-partial").count() == 1
    _open(w, live_server + "/region/West")
    assert w.page.locator("path.cr-member").count() > 50
    assert w.errors == [] and w.blocked == []


def test_snippet_generator(live_server, watched_page):
    w = watched_page
    _open(w, live_server + "/?indicator=perception")
    w.page.locator("details summary", has_text="嵌入").click()
    snippet = w.page.locator("#cr-snippet").input_value()
    assert "<iframe data-cityrank" in snippet and f"/embed/{DATASET}?indicator=perception" in snippet
    assert "embed-host.js" in snippet


def test_embed_resizes_host_iframe_to_its_real_height(live_server, watched_page, tmp_path):
    """A newsroom page on another origin frames the embed and loads the resizer from us; the
    iframe takes the embed's real height, with the data table open too (no cap)."""
    w = watched_page
    (tmp_path / "newsroom.html").write_text(
        f'<!DOCTYPE html><html><body><h1>News</h1>'
        f'<iframe data-cityrank src="{live_server}/embed/{DATASET}" style="width:600px;height:50px"></iframe>'
        f'<script src="{live_server}/static/embed-host.js"></script></body></html>', encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as newsroom:
        threading.Thread(target=newsroom.serve_forever, daemon=True).start()
        try:
            w.page.goto(f"http://127.0.0.1:{newsroom.server_port}/newsroom.html")
            w.page.wait_for_function("() => parseInt(document.querySelector('iframe').style.height) > 300", timeout=20000)
            frame = w.page.frame_locator("iframe")
            assert frame.locator("path.cr-scored").count() == 293
            frame.locator(".cr-table-wrap summary").click()
            w.page.wait_for_function("() => parseInt(document.querySelector('iframe').style.height) > 4000", timeout=10000)
            inner = w.page.frames[1].evaluate("document.documentElement.getBoundingClientRect().height")
            outer = w.page.evaluate("parseInt(document.querySelector('iframe').style.height)")
            assert abs(outer - inner) <= 2, (outer, inner)  # the whole table, not cut
            assert w.errors == []
        finally:
            newsroom.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


def test_ranking_table_search_and_sort(live_server, watched_page):
    w = watched_page
    w.page.goto(live_server + "/ranking?dataset=ndrc-2017-top10", wait_until="load")
    rows = w.page.locator("#cr-ranking tbody tr")
    assert rows.count() == 10
    w.page.fill("#cr-search", "杭州")
    assert w.page.locator("#cr-ranking tbody tr:visible").count() == 1
    w.page.fill("#cr-search", "")
    total = w.page.locator("#cr-ranking th", has_text="总分")
    total.click()  # ascending: Wuxi (59.8) first
    assert "无锡市" in rows.first.inner_text()
    total.click()  # descending: Qingdao first
    assert "青岛市" in rows.first.inner_text()
    assert w.errors == [] and w.blocked == []


@pytest.mark.parametrize("scheme, query, theme", [("dark", "", "dark"), ("light", "", "light"),
                                                   ("light", "&dark=1", "dark"), ("dark", "&dark=0", "light")])
def test_viewer_pages_follow_the_readers_colour_scheme(live_server, watched_page, scheme, query, theme):
    """Viewer pages are dark on a dark system (or with ?dark=1), like the embed: Bootstrap's
    theme on <html> and a dark body background, set before the first paint."""
    page = watched_page.page
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server}/ranking?dataset=ndrc-2017-top10{query}")
    assert page.evaluate("document.documentElement.dataset.bsTheme") == theme
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    rgb = [int(x) for x in re.findall(r"\d+", bg)[:3]]
    assert (sum(rgb) < 150) if theme == "dark" else (sum(rgb) > 600), bg
    assert not watched_page.errors
