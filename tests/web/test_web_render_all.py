"""Every viewer page in both languages renders clean text: no Python reprs, no Jinja leftovers,
no None/nan shown as values; the lead's review defects (dict-method labels, node ids instead
of names, the simulated mark twice, Chinese names on English pages, the Leaflet flag)."""

from __future__ import annotations

import re

import pytest
from jinja2 import StrictUndefined

DS = "ndrc-2017-simulated"
PAGES = ["/", "/ranking", "/city/330100", "/region/East", "/cluster/yrd-2016", "/groups",
         f"/analysis/{DS}", f"/analysis/{DS}?value=perception&x=services", f"/embed/{DS}"]
TOP10 = "ndrc-2017-top10"  # published data: 10 scored cities, most of the map without values
PAGES += [f"/?dataset={TOP10}", f"/ranking?dataset={TOP10}", f"/city/330100?dataset={TOP10}",
          f"/region/West?dataset={TOP10}", f"/cluster/gba?dataset={TOP10}", f"/embed/{TOP10}", f"/analysis/{TOP10}"]
PAGES += ["/cluster/jjj", "/cluster/central-plains", f"/cluster/jjj?dataset={TOP10}", "/clusters/compare",
          "/clusters/compare?c=yrd-2016&c=jjj&c=rest:yrd-2016", f"/clusters/compare?dataset={TOP10}&c=gba&c=jjj",
          f"/analysis/{DS}?hub=Shenzhen", f"/analysis/{DS}?hub=Suzhou&x=perception"]
BAD_ANYWHERE = ("built-in method", "bound method", "object at 0x", "Undefined", ">None<", "{{", "{%")
SHOWN_VALUE = re.compile(r"(?<![\w.])(nan|NaN|None|undefined|inf)(?![\w])")


@pytest.fixture(scope="module")
def strict_client():
    """An app whose templates fail on any undefined name (the default prints nothing)."""
    from cityrank.web.app import create_app

    app = create_app({"TESTING": True, "ANALYSIS_PERMUTATIONS": 99, "ANALYSIS_DRAWS": 100})
    app.jinja_env.undefined = StrictUndefined
    return app.test_client()


def shown_text(html: str) -> str:
    """What a reader sees: text nodes and the attributes that are displayed or read aloud."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    attrs = " ".join(re.findall(r'\b(?:title|alt|aria-label|placeholder|value|data-v)="([^"]*)"', body))
    return re.sub(r"<[^>]+>", " ", body) + " " + attrs


def visible(html: str) -> str:
    """Text nodes only (a badge's explanatory tooltip is not a second mark)."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_leftovers(strict_client, path, lang):
    sep = "&" if "?" in path else "?"
    r = strict_client.get(f"{path}{sep}lang={lang}")
    assert r.status_code == 200, (path, r.status_code, r.get_data(as_text=True)[:500])
    html = r.get_data(as_text=True)
    for bad in BAD_ANYWHERE:
        assert bad not in html, (path, bad)
    m = SHOWN_VALUE.search(shown_text(html))
    assert m is None, (path, shown_text(html)[max(0, m.start() - 80):m.end() + 80])


def test_shown_text_catches_the_defects():
    """The checker itself: the strings the broken pages showed are caught."""
    assert "built-in method" in "<button><built-in method update of dict object at 0x7f></button>"
    assert SHOWN_VALUE.search(shown_text('<td data-v="nan">–</td>'))
    assert SHOWN_VALUE.search(shown_text("<td>None</td>"))
    assert not SHOWN_VALUE.search(shown_text("<td>Nanjing 南京市</td><td>Hainan</td>"))
    assert not SHOWN_VALUE.search(shown_text('<script>if (isNaN(x)) {}</script>'))


@pytest.mark.parametrize("lang, submit", [("zh", "更新"), ("en", "Update")])
def test_analysis_labels_and_names(strict_client, lang, submit):
    html = strict_client.get(f"/analysis/{DS}?lang={lang}&value=perception").get_data(as_text=True)
    assert re.search(rf'<button[^>]*type="submit"[^>]*>{submit}</button>', html)
    value_name = "智能感知" if lang == "zh" else "Intelligent perception"
    assert f'<span id="value-name">{value_name}</span>' in html
    selected = re.search(r'<select[^>]*id="an-value".*?</select>', html, flags=re.S).group(0)
    assert re.search(rf'<option value="perception" selected>\s*{value_name}</option>', selected)
    assert re.search(r'<option value="total">(总分|Total score)</option>', selected)
    assert ">total<" not in html and ">perception<" not in html


def test_analysis_findings_follow_the_language(strict_client):
    zh = strict_client.get(f"/analysis/{DS}").get_data(as_text=True)
    en = strict_client.get(f"/analysis/{DS}?lang=en").get_data(as_text=True)
    fz = re.search(r'<ul id="findings">(.*?)</ul>', zh, flags=re.S).group(1)
    fe = re.search(r'<ul id="findings">(.*?)</ul>', en, flags=re.S).group(1)
    assert "模拟数据：" in fz and "东高西低" in fz and "SYNTHETIC DATA" not in fz and "gradient" not in fz
    assert "SYNTHETIC DATA" in fe and "East-high/west-low" in fe and "东高西低" not in fe
    assert fz.count("<li>") == fe.count("<li>")


def test_viewer_permutations_shown(strict_client, app):
    from cityrank.service.analysis import PERMUTATIONS

    assert PERMUTATIONS == 499
    html = strict_client.get(f"/analysis/{DS}").get_data(as_text=True)
    assert '<td id="permutations">99</td>' in html and "99 次置换" in html  # this app's setting


@pytest.mark.parametrize("lang, mark", [("zh", "模拟数据"), ("en", "simulated")])
def test_simulated_mark_once(strict_client, lang, mark):
    html = strict_client.get(f"/?lang={lang}").get_data(as_text=True)
    option = re.search(rf'<option value="{DS}"[^>]*>([^<]*)</option>', html).group(1)
    assert option.lower().count(mark) == 1, option
    caption = re.search(r'<figcaption class="cr-head"[^>]*>(.*?)</figcaption>', html, flags=re.S).group(1)
    assert visible(caption).lower().count(mark) == 1, caption  # the title plus one badge
    embed = strict_client.get(f"/embed/{DS}?lang={lang}").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", embed).group(1)
    assert title.lower().count(mark) == 1, title
    ranking = strict_client.get(f"/ranking?lang={lang}").get_data(as_text=True)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", ranking, flags=re.S).group(1)
    assert visible(h1).lower().count(mark) == 1, h1


def test_png_title_without_mark(strict_client, monkeypatch):
    """cityrank.geo.static_map draws the simulated mark itself; the title passed to it has none."""
    from cityrank.service import png

    seen = {}

    def fake(site, p, source, title, label=None, fmt="png", view=None):
        seen["title"] = title
        return b"\x89PNG\r\n\x1a\n"

    monkeypatch.setattr(png, "render_png", fake)
    cache = strict_client.application.extensions["cityrank"].cache
    cache.drop(DS, "png")  # drawn afresh (by the fake), and the fake's bytes forgotten after
    try:
        for lang in ("zh", "en"):
            assert strict_client.get(f"/embed/{DS}.png?lang={lang}").status_code == 200
            assert "模拟" not in seen["title"] and "simulated" not in seen["title"].lower(), seen
    finally:
        cache.drop(DS, "png")


def test_titles_helpers():
    from cityrank.web.i18n import marked_title, plain_title

    class D:
        title, title_en, synthetic = "评估（模拟数据）", "Assessment — SIMULATED city data", True

    class R:
        title, title_en, synthetic = "评估 前10名（公布数据）", "Assessment — published top 10", False

    assert plain_title(D, "zh") == "评估" and marked_title(D, "zh") == "评估（模拟数据）"
    assert plain_title(D, "en") == "Assessment" and marked_title(D, "en") == "Assessment (Simulated data)"
    assert marked_title(R, "zh") == R.title and marked_title(R, "en") == R.title_en


@pytest.mark.parametrize("path", ["/ranking?lang=en", "/city/330100?lang=en", "/region/East?lang=en"])
def test_english_pages_show_pinyin_with_chinese(strict_client, path):
    html = strict_client.get(path).get_data(as_text=True)
    assert 'Hangzhou <span class="cr-zh-name" lang="zh-CN">杭州市</span>' in html
    zh = strict_client.get(path.replace("lang=en", "lang=zh")).get_data(as_text=True)
    assert "Hangzhou" not in zh and "杭州市" in zh


def test_city_heading_in_english(strict_client):
    html = strict_client.get("/city/330100?lang=en").get_data(as_text=True)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S).group(1)
    assert h1.strip().startswith('Hangzhou <span class="cr-zh-name" lang="zh-CN">杭州市</span>')


@pytest.mark.parametrize("path", ["/", f"/embed/{DS}", f"/embed/{DS}?lang=en&dark=1"])
def test_leaflet_prefix_is_plain(strict_client, path):
    """Leaflet's default prefix carries a flag icon: the client drops it and credits Leaflet as a
    plain link (the browser test reads the rendered attribution)."""
    html = strict_client.get(path).get_data(as_text=True)
    src = re.search(r'<script type="module" src="([^"]+)"', html).group(1)
    js = strict_client.get(src).get_data(as_text=True)  # the bundle, minified (prefix:!1 = false)
    m = re.search(r"\.control\.attribution\((.*?)\)\s*\.addAttribution\((.*?)\)", js, flags=re.S)
    assert m, path
    assert re.search(r"prefix: ?(false|!1)", m.group(1)) and ">Leaflet</a>" in m.group(2)
    assert "svg" not in m.group(2).lower()
