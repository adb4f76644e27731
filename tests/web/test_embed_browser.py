"""The embed as a newsroom reader meets it, in headless Chromium with every other host blocked:
at 320-1,400 px, light and dark (prefers-color-scheme and ?dark=1): title, legend, source line,
notes and the South China Sea inset never overlap each other or the land; the first view fits
China with Hainan's southern tip and the inset; the background is opaque; the keyboard reaches
the map (one Tab stop, arrows between cities), the labelled zoom buttons and the data table;
the classes computed in JavaScript equal cityrank.geo.classify's. Screenshots of 390/600/1,024 px
in both schemes are written to docs/ by scripts/screenshots.py from the same pages."""

from __future__ import annotations

import json
import warnings
from urllib.parse import urlparse

import numpy as np
import pytest

pytestmark = pytest.mark.browser

DATASET = "ndrc-2017-simulated"
WIDTHS = [320, 390, 600, 768, 1024, 1400]

BOXES_JS = """() => {
  const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
    return r.width && r.height ? {x: r.left, y: r.top, width: r.width, height: r.height} : null; };
  const q = (s) => box(document.querySelector(s));
  const units = [...document.querySelectorAll('path.cr-unit')].map(box).filter(Boolean);
  return {title: q('.cr-head'), legend: q('.cr-legend'), source: q('.cr-source'), notes: q('.cr-links'),
          table: q('.cr-table-wrap'), canvas: q('.cr-canvas'), inset: q('.cr-inset'), label: q('.cr-label'),
          zoom: q('.leaflet-control-zoom'), attribution: q('.leaflet-control-attribution'), units};
}"""


def _overlap(a, b, tol=0.5) -> bool:
    return not (a["x"] + a["width"] <= b["x"] + tol or b["x"] + b["width"] <= a["x"] + tol
                or a["y"] + a["height"] <= b["y"] + tol or b["y"] + b["height"] <= a["y"] + tol)


def _inside(a, b, tol=1.0) -> bool:
    return (a["x"] >= b["x"] - tol and a["y"] >= b["y"] - tol and a["x"] + a["width"] <= b["x"] + b["width"] + tol
            and a["y"] + a["height"] <= b["y"] + b["height"] + tol)


def _page(browser, live_server, width, scheme="light", lang="zh"):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                              locale="en-GB" if lang == "en" else "zh-CN")
    page = ctx.new_page()
    blocked, errors = [], []

    def route(r):
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page, blocked, errors


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("mode", ["light", "dark", "param"])
def test_embed_layout_at_every_width(browser, live_server, width, mode):
    scheme = "dark" if mode == "dark" else "light"
    query = "?dark=1" if mode == "param" else ""
    ctx, page, blocked, errors = _page(browser, live_server, width, scheme)
    try:
        page.goto(f"{live_server}/embed/{DATASET}{query}", wait_until="load")
        page.wait_for_selector("[data-cr-map].cr-ready", timeout=20000)
        b = page.evaluate(BOXES_JS)
        furniture = {k: b[k] for k in ("title", "legend", "source", "notes", "table", "inset", "zoom", "attribution")}
        assert all(furniture.values()), furniture
        names = list(furniture)
        for i, a in enumerate(names):
            for c in names[i + 1:]:
                if {a, c} <= {"inset", "zoom", "attribution"} or {a, c} & {"inset", "zoom", "attribution"} == set():
                    assert not _overlap(furniture[a], furniture[c]), (width, mode, a, c)
        for k in ("title", "legend", "source", "notes", "table"):
            assert not _overlap(b[k], b["canvas"]), (width, mode, k)  # outside the map: never on land
        for k in ("inset", "zoom", "attribution"):
            assert _inside(b[k], b["canvas"]), (width, mode, k)
            hits = [u for u in b["units"] if _overlap(u, b[k], tol=1.0)]
            assert hits == [], (width, mode, k, len(hits))  # over open sea only
        assert not _overlap(b["label"], b["inset"]), (width, mode)
        assert b["inset"]["width"] >= 40, (width, b["inset"])
        # the first view: Hainan's southern tip, Taiwan and the inset inside the map
        inside = page.evaluate("""(pts) => { const m = document.querySelector('[data-cr-map]').cityMap.map;
            const b = m.getBounds(); return pts.map(p => b.contains(p)); }""", [[18.16, 109.6], [25.3, 121.5], [21.9, 120.8]])
        assert inside == [True, True, True], (width, mode)
        # opaque background, dark when asked for either way
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        rgb = [int(v) for v in bg[bg.index("(") + 1:bg.index(")")].split(",")[:3]]
        assert "rgba" not in bg or bg.endswith(", 1)"), bg
        assert (sum(rgb) < 150) == (mode != "light"), (mode, bg)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        assert blocked == [] and errors == []
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [320, 390, 600])
def test_english_labels_fit_on_narrow_maps(browser, live_server, width):
    """English words are wider than Chinese characters: the Taiwan label stays inside the map
    and clear of the inset; the inset's caption never cuts a word and takes at most two lines
    (at 320 px, a word a line)."""
    ctx, page, blocked, errors = _page(browser, live_server, width, lang="en")
    try:
        page.goto(f"{live_server}/embed/{DATASET}?lang=en", wait_until="load")
        page.wait_for_selector("[data-cr-map].cr-ready", timeout=20000)
        b = page.evaluate(BOXES_JS)
        assert _inside(b["label"], b["canvas"]) and not _overlap(b["label"], b["inset"]), (width, b["label"])
        lines, fits = page.evaluate("""() => { const e = document.querySelector('.cr-inset-title');
            const cs = getComputedStyle(e);
            const h = e.getBoundingClientRect().height - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
            return [h / parseFloat(cs.lineHeight), e.scrollWidth <= e.clientWidth]; }""")
        assert fits, (width, lines)  # no word cut or sticking out of the inset
        assert lines <= (2.1 if width >= 390 else 4.1), (width, lines)  # 320 px: a word per line
        assert blocked == [] and errors == []
    finally:
        ctx.close()


def test_keyboard_one_tab_stop_arrows_labels_and_table(browser, live_server):
    ctx, page, blocked, errors = _page(browser, live_server, 600, lang="en")
    try:
        page.goto(f"{live_server}/embed/{DATASET}?lang=en", wait_until="load")
        page.wait_for_selector("[data-cr-map].cr-ready", timeout=20000)
        describe = """() => { const e = document.activeElement;
            return (e.className && e.className.baseVal !== undefined ? 'svg:' + e.tagName : e.tagName + '.' + e.className)
                   + '|' + (e.getAttribute('aria-label') || e.textContent.trim().slice(0, 20)); }"""
        order = []
        for _ in range(8):
            page.keyboard.press("Tab")
            order.append(page.evaluate(describe))
        assert order[0].startswith("DIV.cr-canvas"), order  # the map: one Tab stop
        assert order[1] == "A.leaflet-control-zoom-in|Zoom in" and order[2] == "A.leaflet-control-zoom-out|Zoom out", order
        assert not any(o.startswith("svg:") for o in order)  # no city shape is a Tab stop
        summary = [i for i, o in enumerate(order) if o.startswith("SUMMARY")]
        assert summary and summary[0] <= 5, order
        # back to the map: arrows move between cities, the tooltip and the live region follow
        page.focus(".cr-canvas")
        first = page.evaluate("document.querySelector('[data-cr-map]').cityMap.focused")
        page.keyboard.press("ArrowLeft")
        second = page.evaluate("document.querySelector('[data-cr-map]').cityMap.focused")
        assert first and second and first != second
        assert page.locator(".leaflet-tooltip").count() >= 1
        assert page.locator(".cr-live").inner_text().strip() != ""
        outline = page.evaluate("getComputedStyle(document.querySelector('.cr-canvas')).outlineStyle")
        assert outline != "none"  # visible focus
        # the data table opens from the keyboard and lists every scored city
        page.focus(".cr-table-wrap summary")
        page.keyboard.press("Enter")
        assert page.locator("table.cr-table tbody tr").count() == 293
        # the alt text says what the map shows
        label = page.get_attribute(".cr-canvas", "aria-label")
        assert "highest in" in label and "293" in label
        assert blocked == [] and errors == []
    finally:
        ctx.close()


def _python_cases():
    from cityrank.geo.classify import classify
    from cityrank.service.site import Site

    rng = np.random.default_rng(20171)
    scores = Site(None).dataset(DATASET).scores()
    arrays = [scores[c].round(2).tolist() for c in ("total", "perception", "data_management", "one_stop")]
    arrays += [rng.normal(45, 10, n).round(1).tolist() for n in (7, 60, 293)]
    arrays += [rng.integers(0, 6, 120).astype(float).tolist(), [0.25, 0.75, 1.25, 2.25, 3.75, 0.05, 0.15, 47.25]]
    cases = []
    for values in arrays:
        for method in ("quantiles", "natural_breaks", "equal_interval", "published"):
            for k in (3, 5, 7):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    c = classify(np.array(values), method, k, lang="en")
                cases.append({"values": values, "method": method, "k": k, "yb": c.yb.tolist(), "labels": list(c.labels)})
    return cases


def test_javascript_classes_equal_python(browser, live_server):
    """classify.js against cityrank.geo.classify (mapclassify) on real and random data."""
    from cityrank.scoring.bins import PUBLISHED_BINS, band_labels

    cases = _python_cases()
    ctx, page, blocked, errors = _page(browser, live_server, 600)
    try:
        page.goto(f"{live_server}/embed/{DATASET}", wait_until="load")
        src = page.get_attribute('script[type="module"]', "src")  # the bundle exports classify
        results = page.evaluate("""async ([src, cases, bins, labels]) => {
            const m = await import(src);
            return cases.map(c => { const r = m.classify(c.values, c.method, c.k, {bins, bandLabels: labels});
                                    return {yb: r.yb, labels: r.labels}; });
        }""", [src, cases, list(PUBLISHED_BINS), list(band_labels(PUBLISHED_BINS, "en"))])
        bad = [(c["method"], c["k"], c["labels"], r["labels"]) for c, r in zip(cases, results, strict=True)
               if c["yb"] != r["yb"] or c["labels"] != r["labels"]]
        assert bad == [] and len(cases) > 100
        assert json.dumps(results)  # plain data back
        assert errors == []
    finally:
        ctx.close()
