"""cityrank.geo.static_map: the print map follows the conventions and never draws tofu."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from PIL import Image

from cityrank.errors import ConfigError, DataError
from cityrank.geo import map_style as S
from cityrank.geo.join import join_scores
from cityrank.geo.projection import ANALYSIS_CRS
from cityrank.geo.static_map import build_figure, render_map
from cityrank.scoring.units import prefecture_cities


@pytest.fixture(scope="module")
def joined():
    cities = prefecture_cities()
    rng = np.random.default_rng(7)
    t = pd.DataFrame({"code": cities["code"], "total": np.clip(rng.normal(45, 8, len(cities)), 20, 70)})
    t = t[t.code != "650100"]  # 乌鲁木齐 without data
    t.attrs["synthetic"] = True
    return join_scores(t).gdf


@pytest.fixture(scope="module")
def figure(joined):
    fig, info = build_figure(joined, "total", classification="published", title="测试地图 Test",
                             synthetic=True, source_note="模拟", review_number="GS(2024)0000号",
                             legend_title="总分（满分100）")
    yield fig, info
    plt.close(fig)


def _all_texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def test_every_drawn_character_is_in_the_cjk_font(figure):
    fig, info = figure
    texts = _all_texts(fig)
    joined_text = "".join(texts)
    for expected in ("南海诸岛", "台湾省资料暂缺", "模拟数据 / simulated data", "未参评", "暂无数据",
                     "香港、澳门", "审图号", "北", "千米", "测试地图"):
        assert expected in joined_text
    font = S.find_cjk_font()
    assert font.family == "Noto Sans CJK SC"
    assert S.missing_glyphs(texts, font) == []
    # every text artist really uses the CJK font (no silent DejaVu fallback)
    families = {t.get_fontfamily()[0] for t in fig.findobj(Text) if t.get_text()}
    assert families == {"Noto Sans CJK SC"}


def test_styles_and_legend_counts(figure, joined):
    _fig, info = figure
    assert info.counts["class"] == 292
    assert info.counts["no_data"] == 1
    assert info.counts["sar"] == 2
    assert info.counts["taiwan_no_data"] == 1
    assert info.counts["not_evaluated"] == len(joined) - 292 - 1 - 2 - 1
    assert sum(info.classification.counts) == 292
    assert info.classification.labels[-1] == "≥ 60"


def test_main_map_reaches_hainan_southern_tip_and_inset_sits_bottom_right(figure):
    fig, info = figure
    from pyproj import Transformer

    ax = fig.axes[0]
    tr = Transformer.from_crs(4490, ANALYSIS_CRS, always_xy=True)
    _, y_tip = tr.transform(109.6, 18.16)  # 三亚, Hainan's southern tip
    assert ax.get_ylim()[0] < y_tip
    x0, y0, x1, y1 = info.inset_axes_bbox
    main = ax.get_position()
    assert x1 == pytest.approx(main.x1, abs=0.01)
    assert y0 == pytest.approx(main.y0, abs=0.01)
    # Taiwan is drawn left of the inset, not under it
    tw_x, _ = tr.transform(122.0, 23.5)
    x_frac = (tw_x - ax.get_xlim()[0]) / (ax.get_xlim()[1] - ax.get_xlim()[0])
    assert main.x0 + x_frac * main.width < x0


def test_png_inset_is_drawn(tmp_path, joined, figure):
    out = render_map(joined, "total", tmp_path / "m.png", classification="quantiles", k=5,
                     title="测试", synthetic=True, dpi=100)
    img = np.asarray(Image.open(out).convert("L"), dtype=float)
    h, w = img.shape
    # same page layout as the fixture's figure (layout does not depend on the data values)
    x0, y0, x1, y1 = figure[1].inset_axes_bbox
    # inner part of the inset (skip its frame)
    inner = img[int((1 - y1) * h) + 4: int((1 - y0) * h) - 4, int(x0 * w) + 4: int(x1 * w) - 4]
    assert inner.size > 1000
    dark = (inner < 120).mean()
    assert dark > 0.005  # dashed line, islands, coast
    assert (inner < 250).mean() < 0.9  # and not a solid block either
    # a blank region for comparison: the far top-right corner of the page
    assert (img[: int(0.05 * h), int(0.9 * w):] < 250).mean() == 0


def test_no_font_means_a_clear_error_not_tofu():
    with pytest.raises(ConfigError, match="no CJK font found.*fonts-noto-cjk"):
        S.find_cjk_font(("No Such Font CJK",))
    font = S.find_cjk_font()
    assert S.missing_glyphs(["南海诸岛\ue000"], font) == ["\ue000"]
    with pytest.raises(ConfigError, match="lacks glyph"):
        S.check_glyphs(["\ue000"], font)


def test_render_rejects_bad_inputs(tmp_path, joined):
    with pytest.raises(ConfigError, match="format"):
        render_map(joined, "total", tmp_path / "m.jpg")
    with pytest.raises(DataError, match="not in the table"):
        render_map(joined, "nope", tmp_path / "m.png")
    with pytest.raises(ConfigError, match="language"):
        render_map(joined, "total", tmp_path / "m.png", lang="fr")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_taiwan_with_data_is_coloured_like_any_province(joined):
    from cityrank.geo.static_map import _style_keys

    g = joined.copy()
    g.loc[g.code == "710000", ["total", "status"]] = [50.0, "scored"]
    keys = _style_keys(g, "total")
    by_code = dict(zip(g["code"], keys, strict=True))
    assert by_code["710000"] == "class"
    assert by_code["810000"] == "sar" and by_code["820000"] == "sar"
    assert by_code["650100"] == "no_data"
    assert by_code["110000"] == "not_evaluated"


def test_user_layer_is_drawn_zoomed_without_inset(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    geoms = [box(113.80 + 0.05 * i, 22.55, 113.85 + 0.05 * i, 22.60) for i in range(4)]
    layer = gpd.GeoDataFrame({"code": list("ABCD"), "name": ["新安街道", "西乡街道", "航城街道", "福永街道"]},
                             geometry=geoms, crs=4490)
    res = join_scores(pd.DataFrame({"code": list("ABC"), "total": [1.0, 2.0, 3.0]}), layer=layer)
    fig, info = build_figure(res.gdf, "total", k=3, title="宝安区")
    try:
        assert info.inset_axes_bbox is None
        assert info.counts["class"] == 3 and info.counts["no_data"] == 1
        x_lo, x_hi = fig.axes[0].get_xlim()
        assert 15_000 < x_hi - x_lo < 40_000  # ~20 km of units plus margins, in metres
        texts = _all_texts(fig)
        # scale bar fits the zoom: 0, 0.5, 1, 2 km for a ~25 km wide frame
        assert texts[:5] == ["0", "0.5", "1", "2", "千米"]
    finally:
        plt.close(fig)
