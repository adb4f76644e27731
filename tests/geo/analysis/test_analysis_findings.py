"""Findings in English and simplified Chinese: same numbers, simplified characters, the
English wording the sections' statements use, and the language switch of the HTML report."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from cityrank.paths import ADMIN_GPKG, DEMO_DIR

pytestmark = pytest.mark.skipif(
    not (ADMIN_GPKG.exists() and (DEMO_DIR / "ndrc-2017-simulated.csv").exists()),
    reason="boundaries or demo data not built",
)

NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.fixture(scope="module")
def ds():
    from cityrank.scoring.datasets import load_catalog

    return load_catalog().get("ndrc-2017-simulated")


@pytest.fixture(scope="module")
def cache():
    return {}


COVARIATES = Path(__file__).resolve().parents[2] / "data" / "analysis" / "covariates_synthetic.csv"
GDP = "模拟人均GDP（万元）"


@pytest.fixture(scope="module")
def covariates():
    from cityrank.geo.covariates import covariates_from_table

    return covariates_from_table(COVARIATES, "prefecture")[0]


@pytest.fixture(scope="module")
def report(ds, cache, covariates):
    from cityrank.geo.analysis.service import dataset_report

    rep, _ = dataset_report(ds, value="total", x_columns=(GDP,), hub="330100", permutations=99,
                            seed=7, draws=200, zones=False, weights_cache=cache, covariates=covariates)
    return rep


def _numbers(text: str, names: list[str]) -> Counter:
    for n in sorted(names, key=len, reverse=True):  # cluster names carry plan years / counts
        text = text.replace(n, " ")
    return Counter(NUMBER.findall(text))


def test_both_languages_same_numbers(report):
    en, zh = report["findings"], report["findings_zh"]
    assert len(en) == len(zh) > 10
    names = [c[k] for c in report["clusters"]["clusters"] for k in ("name", "name_en")]
    for e, z in zip(en, zh, strict=True):
        ne = _numbers(e, names)
        assert ne == _numbers(z, names), (e, z)
    # the figures are really there, not lost in both
    assert any("+4." in e or "-4." in e for e in en)


def test_chinese_is_simplified_and_chinese(report):
    import opencc

    t2s = opencc.OpenCC("t2s")
    zh = report["findings_zh"]
    assert zh[0].startswith("模拟数据")
    for s in zh:
        assert t2s.convert(s) == s, s
        assert re.search(r"[\u4e00-\u9fff]", s), s
    text = "".join(zh)
    for word in ("东高西低", "南高北低", "百分点", "泰尔指数", "基尼系数", "长江三角洲", "粤港澳大湾区",
                 "杜宾", GDP, "杭州市"):
        assert word in text, word
    for english in ("above", "below", "points", "interval", "significant"):
        assert english not in text, english


def test_english_keeps_the_statements(report):
    en = report["findings"]
    g = report["gradients"]
    assert "East-west gradient: " + g["east_west"]["statement"] in en
    assert "South-north gradient: " + g["south_north"]["statement"] in en
    for r in report["disparity"]["regions"]["groups"]:
        assert r["statement"] in en
    featured = [c for c in report["clusters"]["clusters"] if c.get("available") and c["id"] in ("yrd-2016", "gba")]
    assert len(featured) == 2
    for c in featured:
        assert c["statement"] in en
        assert f"{c['name_en']} core-periphery: {c['core_periphery']['statement']}" in en
    assert "Distance decay: " + report["spillover"]["distance_decay"]["statement"] in en
    assert report["indicator_names"]["perception"] == {"zh": "智能感知", "en": "Intelligent perception"}


def test_weights_cache_reuses_and_changes_nothing(ds, report, cache, covariates):
    from cityrank.geo.analysis.service import dataset_report

    assert len(cache) == 1
    (sw,) = cache.values()
    again, _ = dataset_report(ds, value="total", x_columns=(GDP,), hub="330100", permutations=99,
                              seed=7, draws=200, zones=False, weights_cache=cache, covariates=covariates)
    assert list(cache.values()) == [sw]  # reused, not rebuilt
    fresh, _ = dataset_report(ds, value="total", x_columns=(GDP,), hub="330100", permutations=99,
                              seed=7, draws=200, zones=False, covariates=covariates)
    for rep in (again, fresh):
        assert rep["findings"] == report["findings"] and rep["findings_zh"] == report["findings_zh"]
        assert rep["global_moran"] == report["global_moran"]
        assert rep["weights"] == report["weights"]


def test_other_indicator_as_value(ds, cache):
    """value=perception is also one of the region table's indicators (was a TypeError)."""
    from cityrank.geo.analysis.service import dataset_report

    rep, _ = dataset_report(ds, value="perception", permutations=19, seed=1, draws=50, zones=False,
                            weights_cache=cache)
    assert rep["disparity"]["regions"]["available"] is True
    text = "".join(rep["findings_zh"])
    assert "区域差距最大的指标是" in text and not re.search(r"[a-z]{4,}_?[a-z]*", text.replace("Moran", ""))


def test_html_report_language(report):
    from markupsafe import escape

    from cityrank.geo.analysis.html import render_html

    zh = render_html(report, lang="zh")
    en = render_html(report, lang="en")
    assert 'lang="zh-CN"' in zh and "主要发现" in zh and escape(report["findings_zh"][1]) in zh
    assert escape(report["findings"][1]) not in zh
    assert "<title>2017年城市治理智慧化水平评估（模拟数据）：总分空间分析</title>" in zh
    assert 'lang="en"' in en and "Findings" in en and escape(report["findings"][1]) in en
    assert escape(report["findings_zh"][1]) not in en
    with pytest.raises(ValueError):
        render_html(report, lang="fr")
    # an old report without findings_zh still renders (English findings)
    old = {k: v for k, v in report.items() if k != "findings_zh"}
    assert escape(report["findings"][2]) in render_html(old, lang="zh")


def test_report_template_keys_are_in_the_catalogue():
    """Every tx('key') of the report templates is report.<key> of the catalogue, and every
    tk('domain.key') a key (the catalogue test scans t('…') only)."""
    from cityrank.geo.analysis.html import TEMPLATE_DIR
    from cityrank.i18n import has
    from cityrank.paths import PACKAGE_DIR

    pages = [TEMPLATE_DIR / "report.html", PACKAGE_DIR / "web" / "templates" / "analysis.html"]
    found = 0
    for page in pages:
        text = re.sub(r"\{#.*?#\}", "", page.read_text(encoding="utf-8"), flags=re.S)  # not comments
        for key in re.findall(r"\btx\(\s*'([\w.]+)'(?!\s*~)", text):
            found += 1
            assert has(f"report.{key}"), f"{page.name}: tx('{key}')"
        for key in re.findall(r"\btk\(\s*'([\w.]+)'", text):
            found += 1
            assert has(key), f"{page.name}: tk('{key}')"
    assert found > 40


def test_hub_by_name_in_the_core(ds, cache):
    from cityrank.errors import DataError
    from cityrank.geo.analysis.service import dataset_report

    rep, _ = dataset_report(ds, value="total", hub="Shenzhen", permutations=19, seed=1, draws=20, zones=False,
                            weights_cache=cache)
    assert rep["spillover"]["hub"] == {"id": "440300", "name": "深圳市", "status": "no_regressor"}
    with pytest.raises(DataError, match="could be 苏州市"):
        dataset_report(ds, value="total", hub="Suzhou", permutations=19, seed=1, draws=20, zones=False,
                       weights_cache=cache)
