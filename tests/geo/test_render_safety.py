"""Users' text on print maps: never mathtext or TeX, and no figure outlives a failed render."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from cityrank.errors import ConfigError
from cityrank.geo import static_map
from cityrank.geo.analysis.maps import categorical_map
from cityrank.geo.join import join_scores
from cityrank.scoring.datasets import load_catalog

TRICKY = r"收入$\frac{1}{2}$ 与 $x^{2 与 \undefinedcommand{"  # unbalanced: mathtext would fail


@pytest.fixture(scope="module")
def joined():
    return join_scores(load_catalog().get("ndrc-2017-simulated").scores()).gdf


def test_dollar_signs_in_a_title_are_drawn_as_typed(joined, tmp_path):
    fig, info = static_map.build_figure(joined, "total", title=TRICKY, legend_title=TRICKY,
                                        source_note=TRICKY)
    try:
        texts = [t for t in fig.findobj(match=lambda a: hasattr(a, "get_parse_math"))
                 if TRICKY in (t.get_text() or "")]
        assert texts and all(not t.get_parse_math() and not t.get_usetex() for t in texts)
        fig.savefig(tmp_path / "m.png", dpi=40)
    finally:
        plt.close(fig)


def test_a_failing_render_closes_its_figure(joined, monkeypatch):
    before = set(plt.get_fignums())

    def broken(*a, **kw):
        raise ConfigError("drawing failed half-way")

    monkeypatch.setattr(static_map, "north_arrow", broken)
    with pytest.raises(ConfigError):
        static_map.build_figure(joined, "total", title="t")
    assert set(plt.get_fignums()) == before
    with pytest.raises(ConfigError):  # a glyph the font lacks: refused before any figure
        static_map.build_figure(joined, "total", title="地图😀")
    assert set(plt.get_fignums()) == before


def test_analysis_maps_take_users_text_literally(joined):
    ids = joined["code"].tolist()[:5]
    before = set(plt.get_fignums())
    png = categorical_map(joined, ids, dict.fromkeys(ids, TRICKY), {TRICKY: "#ff0000"},
                          id_column="code", title=TRICKY)
    assert png.startswith(b"\x89PNG") and set(plt.get_fignums()) == before
    with pytest.raises(ConfigError):
        categorical_map(joined, ids, dict.fromkeys(ids, "😀"), {"😀": "#ff0000"},
                        id_column="code", title="t")
    assert set(plt.get_fignums()) == before
