"""The viewer's print button gives the print map (geo.static_map, PNG/PDF) of the current view:
the indicator and classes shown and, once the reader has moved the map, its bounding box."""

from __future__ import annotations

import io

import pytest

from cityrank.errors import ParameterError
from cityrank.service.png import parse_bbox

DATASET = "ndrc-2017-simulated"


def test_bbox_is_checked_cut_to_china_and_rounded():
    assert parse_bbox(None, "zh") is None and parse_bbox("", "en") is None
    assert parse_bbox("118.123,27.456,123.001,32.9999", "zh") == (118.12, 27.46, 123.0, 33.0)
    assert parse_bbox("50,-10,130,40", "zh") == (70.0, 0.0, 130.0, 40.0)  # cut to geo.extent.CHINA
    for bad in ("1,2,3", "a,b,c,d", "120,30,110,35", "10,10,20,20", "nan,1,2,3", "120,30,120.01,30.01"):
        with pytest.raises(ParameterError, match="west,south,east,north"):
            parse_bbox(bad, "en")
    with pytest.raises(ParameterError, match="西界经度"):
        parse_bbox("1,2,3", "zh")


def test_print_map_of_a_view_differs_from_the_national_map(client):
    from PIL import Image

    url = f"/embed/{DATASET}.png?indicator=total&classification=quantiles&k=5&lang=zh"
    whole = client.get(url)
    view = client.get(url + "&bbox=118,27,123,32")
    assert whole.status_code == view.status_code == 200 and view.mimetype == "image/png"
    assert view.data != whole.data
    # the national map has the South China Sea inset in its bottom-right corner; a view of
    # Zhejiang has none: the corner is blank paper
    corner = Image.open(io.BytesIO(view.data)).convert("L").crop((1000, 700, 1250, 900))
    assert corner.getextrema()[0] > 200
    pdf = client.get(f"/embed/{DATASET}.pdf?bbox=118,27,123,32&lang=en")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    bad = client.get(url + "&bbox=1,2,3")
    assert bad.status_code == 400 and "西界经度" in bad.get_data(as_text=True)


@pytest.mark.browser
def test_print_button_follows_the_current_view(browser, live_server):
    from urllib.parse import parse_qs, urlparse

    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server}/?dataset={DATASET}", wait_until="load")
        page.wait_for_selector("[data-cr-map].cr-ready")
        href = page.get_attribute(".cr-print-png", "href")
        assert "bbox" not in parse_qs(urlparse(href).query)  # the first view: the national map
        page.select_option("#f-class", "equal_interval")
        box = page.locator(".cr-canvas").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.6)
        page.mouse.wheel(0, -600)  # the reader zooms in on the east coast
        page.wait_for_function("() => /bbox=/.test(document.querySelector('.cr-print-png').href)")
        page.wait_for_timeout(400)  # the zoom animation ends; links follow moveend
        q = parse_qs(urlparse(page.get_attribute(".cr-print-png", "href")).query)
        west, south, east, north = (float(v) for v in q["bbox"][0].split(","))
        shown = page.evaluate("() => document.querySelector('[data-cr-map]').cityMap.map.getBounds().toBBoxString()")
        assert [round(float(v), 2) for v in shown.split(",")] == [west, south, east, north]
        assert east - west < 40  # zoomed in: a part of the country
        assert q["classification"] == ["equal_interval"] and q["indicator"] == ["total"]
        pdf = parse_qs(urlparse(page.get_attribute(".cr-print-pdf", "href")).query)
        assert pdf["bbox"] == q["bbox"]
        resp = page.request.get(page.locator(".cr-print-png").evaluate("a => a.href"))
        assert resp.status == 200 and resp.headers["content-type"] == "image/png"
        assert errors == []
    finally:
        ctx.close()
