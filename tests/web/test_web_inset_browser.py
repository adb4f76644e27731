"""The 南海诸岛 inset in headless Chromium (non-local requests blocked): present, visible
inside the viewport, clear of the legend, with the dashed line and the title; the main map's
first view still reaches Hainan's southern tip and Taiwan."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DATASET = "ndrc-2017-simulated"

BOUNDS_JS = """(pts) => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const b = map.getBounds();
  return pts.map(p => b.contains(p));
}"""


def _open(w, url: str):
    resp = w.page.goto(url, wait_until="load")
    assert resp.status == 200
    w.page.wait_for_selector("path.cr-scored", state="attached", timeout=15000)


def _box_inside(box, vw, vh) -> bool:
    return box["width"] > 0 and box["height"] > 0 and box["x"] >= 0 and box["y"] >= 0 \
        and box["x"] + box["width"] <= vw and box["y"] + box["height"] <= vh


def _overlap(a, b) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize(("path", "title"), [
    ("/", "南海诸岛"),
    (f"/embed/{DATASET}", "南海诸岛"),
    (f"/embed/{DATASET}?dark=1&lang=en", "South China Sea Islands"),
])
def test_inset_visible_with_dashed_line_and_title(live_server, watched_page, path, title):
    w = watched_page
    _open(w, live_server + path)
    inset = w.page.locator(".leaflet-bottom.leaflet-right .cr-inset")
    assert inset.count() == 1
    assert inset.is_visible()
    vp = w.page.viewport_size
    box = inset.bounding_box()
    assert _box_inside(box, vp["width"], vp["height"]), box
    assert 80 <= box["width"] <= 200
    assert w.page.locator(".cr-inset .cr-inset-title").inner_text().strip() == title
    assert w.page.locator(".cr-inset svg title").text_content() == title
    dashes = w.page.locator(".cr-inset g.cr-inset-dash path")
    assert dashes.count() >= 1
    dash_box = dashes.first.bounding_box()
    assert dash_box["width"] > 0 and dash_box["height"] > 0
    assert w.page.locator(".cr-inset g.cr-inset-land path").count() >= 3
    assert not _overlap(box, w.page.locator(".cr-legend").bounding_box())
    assert w.blocked == [] and w.errors == []
    # first view: Hainan's southern tip (18.16°N, 109.6°E), Taiwan's north and south tips
    assert w.page.evaluate(BOUNDS_JS, [[18.16, 109.6], [25.3, 121.5], [21.9, 120.8]]) == [True, True, True]


def test_inset_stays_visible_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 700}, locale="zh-CN")
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(live_server) else r.abort())
    try:
        page.goto(f"{live_server}/embed/{DATASET}", wait_until="load")
        page.wait_for_selector("path.cr-scored", state="attached", timeout=15000)
        inset = page.locator(".cr-inset")
        assert inset.is_visible()
        box = inset.bounding_box()
        assert _box_inside(box, 375, 700), box
        assert 50 <= box["width"] < 120  # shrunk, not hidden
        assert page.locator(".cr-inset g.cr-inset-dash path").count() >= 1
    finally:
        context.close()
