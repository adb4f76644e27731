"""Analysis maps in the page language: titles and legends drawn in zh (default) or en, every
character covered by the CJK font, the viewer's image URLs and cache keyed by language."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import matplotlib.figure
import pytest

from cityrank.errors import ConfigError
from cityrank.geo.analysis import maps
from cityrank.geo.map_style import find_cjk_font, missing_glyphs
from cityrank.i18n import catalogue

DATA = Path(__file__).resolve().parents[2] / "data" / "analysis"
NAMES = {"score": {"zh": "综合得分", "en": "Overall score"}, "x1": {"zh": "智能感知", "en": "Perception"}}


@pytest.fixture(scope="module")
def grid_report():
    from cityrank.geo.analysis.report import build_report

    gdf = gpd.read_file(DATA / "synthetic_grid.geojson")
    rep = build_report(gdf, "score", x_columns=["x1"], id_column="grid_id", name_column="name",
                       permutations=99, seed=5, hub="G33", draws=200, indicator_names=NAMES, synthetic=True)
    return gdf, rep


@pytest.fixture()
def drawn(monkeypatch):
    """Titles and legend entries of every figure saved while the fixture is active."""
    seen: list[dict] = []
    original = matplotlib.figure.Figure.savefig

    def spy(fig, *args, **kwargs):
        ax = fig.axes[0]
        legend = ax.get_legend()
        seen.append({"title": ax.get_title(), "suptitle": fig._suptitle.get_text() if fig._suptitle else "",
                     "legend": [t.get_text() for t in legend.get_texts()] if legend else []})
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    return seen


def _maps(grid_report, lang, drawn):
    gdf, rep = grid_report
    out = maps.report_maps(gdf, rep, id_column="grid_id", lang=lang)
    titles = {name: fig for name, fig in zip(out, drawn, strict=True)}
    return out, titles


def test_chinese_maps_have_chinese_titles_and_legends(grid_report, drawn):
    out, figs = _maps(grid_report, "zh", drawn)
    assert {"lisa_clusters", "lisa_significance", "getis_ord", "hub_effects"} <= set(out)
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in out.values())
    lisa = figs["lisa_clusters"]
    assert lisa["title"].startswith("综合得分：LISA 聚类（p ≤ 0.05，99 次置换）")
    assert "模拟数据（SYNTHETIC DATA）" in lisa["title"]  # the report is marked synthetic
    assert [t.rsplit(" (", 1)[0] for t in lisa["legend"][:5]] == [
        "高值集聚（高-高，HH）", "低值集聚（低-低，LL）", "被高值包围的低值（低-高，LH）",
        "被低值包围的高值（高-低，HL）", "不显著"]
    assert "显著性" in figs["lisa_significance"]["title"]
    assert any(t.startswith("不显著") for t in figs["lisa_significance"]["legend"])
    assert "Gi* 热点/冷点" in figs["getis_ord"]["title"]
    assert {t.rsplit(" (", 1)[0] for t in figs["getis_ord"]["legend"]} <= {"热点", "冷点", "不显著"}
    hub = figs["hub_effects"]
    assert hub["title"].startswith("中心城市溢出效应：") and "智能感知" in hub["title"]
    assert any(t.startswith("中心城市") for t in hub["legend"])
    # plain numbers, never 1.47e-19
    assert not any(re.search(r"\de[-+]\d", t) for t in hub["legend"])
    if "zones" in figs:
        assert "治理分区" in figs["zones"]["title"]
        assert all(t.startswith("分区 ") for t in figs["zones"]["legend"])
    for fig in figs.values():  # no English left in the Chinese maps (but the marker)
        text = fig["title"].replace("SYNTHETIC DATA", "") + " ".join(fig["legend"])
        assert not any(w in text for w in ("hot spot", "cluster", "significant", "zone", "hub", "analysed"))


def test_english_maps_have_english_titles_and_legends(grid_report, drawn):
    out, figs = _maps(grid_report, "en", drawn)
    lisa = figs["lisa_clusters"]
    assert lisa["title"].startswith("LISA clusters of Overall score (p ≤ 0.05, 99 permutations)")
    assert "SYNTHETIC DATA" in lisa["title"]
    assert lisa["legend"][0].startswith("High-value cluster (high-high, HH)")
    assert figs["getis_ord"]["title"] == ("Getis-Ord Gi* hot and cold spots of Overall score\n"
                                          "SYNTHETIC DATA 模拟数据 — not real scores")
    assert "Perception" in figs["hub_effects"]["title"] and any(
        t.startswith("hub ") for t in figs["hub_effects"]["legend"])
    assert not any("热点" in t or "不显著" in t for f in figs.values() for t in f["legend"])


def test_gradient_chart_title_in_the_language(grid_report, drawn):
    from cityrank.geo.analysis.html import report_images

    gdf, rep = grid_report
    report_images(rep, gdf, id_column="grid_id", only={"gradients"}, lang="zh")
    report_images(rep, gdf, id_column="grid_id", only={"gradients"}, lang="en")
    assert drawn[0]["suptitle"].startswith("综合得分：东西、南北梯度")
    assert drawn[1]["suptitle"].startswith("Gradients of Overall score")


def test_every_map_string_is_covered_by_the_cjk_font():
    font = find_cjk_font()
    # every word a map or chart may draw: the analysis, map and bins domains of the catalogue
    texts = [s for k, pair in catalogue().items() if k.split(".")[0] in ("analysis", "map", "bins")
             for s in pair.values()]
    texts += [name for _, name, _ in maps.SIG_CLASSES] + ["–", "≤", "（", "）", "：", "，"]
    assert missing_glyphs(texts, font) == []


def test_a_glyph_the_font_lacks_is_refused():
    with pytest.raises(ConfigError, match="lacks glyph"):
        maps._check_font(["LISA \U000f0000"])  # a supplementary private-use character
