"""A cluster planner's tools in headless Debian Chromium: the JJJ page names 北京 and 天津 as
hubs, a hub typed as 深圳 works (with a covariates table uploaded through the page), two
clusters compare side by side, and the published top-10 dataset's analysis carries the
small-sample warning. At 390 px the pages do not scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

DATASET = "ndrc-2017-simulated"
COVARIATES = Path(__file__).resolve().parents[1] / "data" / "analysis" / "covariates_synthetic.csv"
GDP = "模拟人均GDP（万元）"


def _goto(w, url: str):
    resp = w.page.goto(url, wait_until="load", timeout=300000)
    assert resp.status == 200, url
    return resp


def test_jjj_page_shows_beijing_and_tianjin_as_hubs(watched_page, live_server):
    w = watched_page
    _goto(w, f"{live_server}/cluster/jjj?dataset={DATASET}")
    for code, name in (("110000", "北京市"), ("120000", "天津市")):
        hub = w.page.locator(f'#hubs li[data-code="{code}"]')
        assert hub.is_visible()
        text = hub.inner_text()
        assert name in text and "不在参评范围内（直辖市）" in text
    assert w.page.locator("#members tr[data-code]").count() == 13
    assert w.page.locator("#disparity").is_visible() and w.page.locator("#profile-slope").is_visible()
    assert w.blocked == [] and w.errors == []


def test_hub_typed_as_shenzhen_works(watched_page, live_server):
    w = watched_page
    _goto(w, f"{live_server}/analysis/{DATASET}")
    w.page.set_input_files("#cov-file", str(COVARIATES))
    with w.page.expect_navigation(timeout=300000):
        w.page.click("#cov-submit")
    assert "covariates_synthetic.csv" in w.page.inner_text("#cov-help")
    w.page.fill("#an-hub", "深圳")
    w.page.select_option("#an-x", GDP)
    with w.page.expect_navigation(timeout=300000):
        w.page.click("#an-submit", no_wait_after=True)  # expect_navigation waits
    status = w.page.locator("#hub-status")
    assert status.get_attribute("data-status") in ("effect", "no_effect")
    assert "深圳市（440300）" in status.inner_text()
    assert "深圳市" in w.page.inner_text("#distance-decay")
    assert w.page.input_value("#an-hub") == "深圳"
    hub_map = w.page.locator('img[src*="hub_effects.png"]')
    hub_map.scroll_into_view_if_needed()
    w.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hub_map.element_handle(),
                             timeout=300000)
    assert w.blocked == [] and w.errors == []


def test_two_clusters_compare_side_by_side(watched_page, live_server):
    w = watched_page
    _goto(w, f"{live_server}/clusters/compare?dataset={DATASET}")
    assert w.page.locator("#compare-empty").is_visible()
    w.page.select_option("#cmp-0", "yrd-2016")
    w.page.select_option("#cmp-1", "gba")
    with w.page.expect_navigation(timeout=300000):
        w.page.click("#cmp-submit")
    headers = w.page.locator("#compare-table th[data-group]")
    assert [headers.nth(i).get_attribute("data-group") for i in range(headers.count())] == ["yrd-2016", "gba"]
    total = w.page.locator('#compare-table tr[data-indicator="total"]').inner_text()
    assert "[" in total and "]" in total  # the gap's interval
    assert w.blocked == [] and w.errors == []


def test_top10_analysis_carries_the_small_sample_warning(watched_page, live_server):
    w = watched_page
    _goto(w, f"{live_server}/analysis/ndrc-2017-top10")
    banner = w.page.locator("#small-sample")
    assert banner.is_visible() and banner.get_attribute("role") == "alert"
    assert "样本很小" in banner.inner_text() and "10" in banner.inner_text()
    findings = w.page.inner_text("#findings")
    assert "样本很小" in findings
    assert "显著（样本很小，仅供参考）" in findings or "显著" not in findings.replace("不显著", "")
    assert w.blocked == [] and w.errors == []


@pytest.mark.parametrize("path", [f"/cluster/jjj?dataset={DATASET}", "/clusters/compare?c=yrd-2016&c=jjj&c=rest:yrd-2016",
                                  "/analysis/ndrc-2017-top10", "/groups"])
def test_pages_fit_a_phone(browser, live_server, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    assert page.goto(f"{live_server}{path}", wait_until="load", timeout=300000).status == 200
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at 390px"
