"""Headless Debian Chromium with every non-local request blocked: the maps must still draw,
one shape per scored city, without console errors; tooltips work; attack labels stay text."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

pytestmark = pytest.mark.browser

DATASET = "ndrc-2017-simulated"

# Puts the mouse over the representative point of a city's shape and returns that point.
HOVER_POINT_JS = """([code, lon, lat]) => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const pt = map.latLngToContainerPoint([lat, lon]);
  const box = map.getContainer().getBoundingClientRect();
  return [box.left + pt.x, box.top + pt.y];
}"""


def _n_scored(client, dataset=DATASET) -> int:
    return client.get(f"/api/v1/datasets/{dataset}/scores").get_json()["count"]


def _city_point(app, code: str, dataset=DATASET):
    from cityrank.service.geometry import map_layer

    gdf = map_layer(app.extensions["cityrank"], dataset)
    geom = gdf.loc[gdf["code"] == code].geometry.iloc[0]
    pt = geom.representative_point()
    return pt.x, pt.y


def _open(w, url: str):
    resp = w.page.goto(url, wait_until="load")
    assert resp.status == 200
    w.page.wait_for_selector("path.cr-scored", state="attached", timeout=15000)
    return resp


def _hover(w, app, code: str, expect: str) -> str:
    """Move the mouse onto the city and return the text of the tooltip that names it."""
    lon, lat = _city_point(app, code)
    x, y = w.page.evaluate(HOVER_POINT_JS, [code, lon, lat])
    w.page.mouse.move(x - 3, y - 3)
    w.page.mouse.move(x, y)
    tip = w.page.locator(".leaflet-tooltip", has_text=expect)
    tip.wait_for(timeout=5000)
    return tip.inner_text()


@pytest.mark.parametrize("path", ["/", f"/embed/{DATASET}", f"/embed/{DATASET}?dark=1&lang=en"])
def test_map_draws_offline_one_shape_per_city(app, client, live_server, watched_page, path):
    w = watched_page
    _open(w, live_server + path)
    assert w.page.locator("path.cr-scored").count() == _n_scored(client) == 293
    assert w.page.locator("path.cr-context").count() > 0  # municipalities, autonomous prefectures, HMT
    assert w.page.locator("path.cr-line").count() > 0  # boundary lines incl. the SCS dashed line
    assert w.blocked == []  # nothing even tried to leave localhost
    assert w.errors == []
    assert all(r.status < 400 for r in w.responses), [(r.url, r.status) for r in w.responses if r.status >= 400]
    name = "Hangzhou" if "lang=en" in path else "杭州市"
    text = _hover(w, app, "330100", name)
    assert name in text and ("排名" in text or "Rank" in text)
    # Leaflet's attribution prefix: the word as a plain link, no flag icon
    attribution = w.page.locator(".leaflet-control-attribution")
    assert attribution.inner_text().strip() == "Leaflet"
    assert attribution.locator("svg, img").count() == 0


def test_taiwan_label_and_synthetic_mark(live_server, watched_page):
    w = watched_page
    _open(w, live_server + "/")
    assert w.page.locator(".cr-label", has_text="台湾省资料暂缺").count() == 1
    assert w.page.locator(".cr-synthetic").first.is_visible()
    assert "模拟数据" in w.page.locator(".cr-source").first.inner_text()


def test_attack_labels_do_not_run(evil_app, evil_server, watched_page, tmp_path):
    w = watched_page
    for path in ("/", f"/embed/{DATASET}", "/ranking"):
        w.page.goto(evil_server + path, wait_until="load")
        if path != "/ranking":
            w.page.wait_for_selector("path.cr-scored", state="attached")
    _open(w, evil_server + "/")
    text = _hover(w, evil_app, "330100", "onerror")
    assert "<img src=x onerror=alert(1)>" in text  # shown literally
    assert w.page.locator(".leaflet-tooltip img").count() == 0
    w.page.mouse.move(5, 5)
    text = _hover(w, evil_app, "330200", "alert")
    assert "${alert(1)}" in text
    w.page.locator("details summary").last.click()
    assert w.page.get_by_role("cell", name="<img src=x onerror=alert(1)>").count() == 1
    w.page.wait_for_timeout(300)
    assert w.dialogs == []
    assert w.blocked == []


def test_snippet_generator(live_server, watched_page):
    w = watched_page
    _open(w, live_server + "/?indicator=perception")
    w.page.locator("details summary").first.click()
    snippet = w.page.locator("#cr-snippet").input_value()
    assert "<iframe data-cityrank" in snippet and f"/embed/{DATASET}?indicator=perception" in snippet
    assert "embed-host.js" in snippet


def test_embed_resizes_host_iframe(live_server, watched_page, tmp_path):
    """A newsroom page on another origin (its own server and port) frames the embed, loads the
    resizer script from us, and the iframe grows to the embed's height."""
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
            w.page.wait_for_function(
                "() => parseInt(document.querySelector('iframe').style.height) > 300", timeout=15000
            )
            frame = w.page.frame_locator("iframe")
            assert frame.locator("path.cr-scored").count() == 293
            assert w.errors == []
        finally:
            newsroom.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


def test_screenshot(live_server, watched_page, tmp_path):
    w = watched_page
    _open(w, live_server + "/")
    w.page.wait_for_timeout(300)
    out = tmp_path / "national.png"
    w.page.screenshot(path=str(out), full_page=False)
    assert out.stat().st_size > 20000


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
