"""``cityrank map --out FILE.html``: a standalone interactive folium map that works offline,
and ``cityrank.explore`` for notebooks (the same map)."""

from __future__ import annotations

import re

import pytest

from cityrank.cli.main import main

DATASET = "ndrc-2017-simulated"
EVIL = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture(scope="module")
def html_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("map") / "map.html"
    assert main(["map", "--dataset", DATASET, "--out", str(out), "--title", EVIL, "--source-note", EVIL]) == 0
    return out


def test_file_is_self_contained_escaped_and_marked(html_file):
    html = html_file.read_text(encoding="utf-8")
    srcs = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"', html)
    assert srcs and all(s.startswith("data:") for s in srcs), [s[:60] for s in srcs]
    assert not re.search(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//', html)
    assert EVIL not in html and "&lt;img src=x onerror=" in html  # title and source line escaped
    assert "模拟数据" in html  # the synthetic mark
    assert "南海诸岛" in html  # the inset and its note


@pytest.mark.browser
def test_file_draws_offline_in_chromium(html_file, browser):
    page = browser.new_page()  # the session's browser (tests/conftest.py)
    blocked, errors = [], []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html_file.as_uri(), wait_until="load")
    page.wait_for_selector("path.leaflet-interactive", timeout=20000)
    assert page.locator("path.cr-scored").count() == 293
    assert page.locator(".cr-inset").is_visible()
    page.locator("path.cr-scored").first.hover(force=True)
    assert page.evaluate("() => window.__pwned") is None
    assert blocked == [] and errors == []
    page.close()


def test_explore_returns_the_same_map_for_a_dataset_or_a_table():
    import folium

    import cityrank
    from cityrank.scoring.datasets import load_catalog

    m = cityrank.explore(DATASET, "total", lang="en")
    assert isinstance(m, folium.Map)
    html = m.get_root().render()
    assert "Simulated data" in html and "cdn" not in html.lower()
    scores = load_catalog().get(DATASET).scores()[["code", "name", "total"]]
    scores.loc[scores.index[0], "name"] = EVIL
    html = cityrank.explore(scores, "total").get_root().render()
    assert EVIL not in html
