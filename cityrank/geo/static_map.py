"""Print-quality choropleth maps of China that follow the publishing conventions.

What a map of China in a government report must show (《公开地图内容表示规范》): the whole
territory -- mainland, 海南岛, 台湾岛, 南海诸岛 -- with the South China Sea allowed as an inset
(附图) only if the main map still reaches Hainan's southern tip; Taiwan as a province that
carries data like the others or says "台湾省资料暂缺"; Hong Kong and Macao never styled like
foreign territory; a review number (审图号) where one has been issued. Everything is drawn in
the analysis CRS (:data:`geo.projection.ANALYSIS_CRS`, equal-area), so the scale bar is in
true kilometres (exact on the standard parallels 25°N and 47°N, within about 1 % over the
mainland) and areas compare honestly.

Units are styled by the ``status`` column of :func:`geo.join.join_scores`: ``scored`` units get
their class colour, ``not_evaluated`` and ``no_data`` units each a distinct neutral style,
HK/Macao and Taiwan (when without data) their own; each style has a legend entry. Simulated
data carries a visible "模拟数据 / simulated data" mark.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import box

from cityrank.atomic import atomic_write
from cityrank.errors import ConfigError, DataError
from cityrank.geo import map_style as S
from cityrank.geo.classify import classify
from cityrank.geo.extent import MAIN_MAP, SOUTH_CHINA_SEA
from cityrank.geo.map_draw import (
    add_lines,
    clip_project,
    draw_lines,
    draw_units,
    nice_length,
    north_arrow,
    project_point,
    scale_bar,
)
from cityrank.geo.projection import ANALYSIS_CRS
from cityrank.scoring.units import SAR_TYPE, TAIWAN_CODE

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
# The frames: geo.extent.MAIN_MAP (reaches Hainan's southern tip) and SOUTH_CHINA_SEA (附图).
INSET_FRAC = (1.0 - 0.175, 0.0, 0.175, 0.30)  # inset axes in main-axes fraction (x, y, w, h)
# Island groups labelled on the inset, as on standard maps: where (lon, lat); their names
# are map.island.<key> of the catalogue.
ISLAND_POSITIONS = {
    "dongsha": (116.7, 21.3),
    "xisha": (110.9, 17.6),
    "zhongsha": (114.6, 15.2),
    "huangyan": (117.8, 14.6),
    "nansha": (112.2, 11.3),
}


@dataclass
class MapInfo:
    """What was drawn: useful to tests and to the CLI's summary line."""

    classification: object
    counts: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    inset_axes_bbox: tuple[float, float, float, float] | None = None  # figure fraction


def _style_keys(gdf: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """One style key per unit: 'class' or a neutral style name."""
    status = gdf["status"] if "status" in gdf else np.where(gdf[column].notna(), "scored", "no_data")
    status = np.asarray(status, dtype=object)
    has_value = gdf[column].notna().to_numpy()
    keys = np.where((status == "scored") & has_value, "class", status)
    keys = np.where(keys == "scored", "no_data", keys)  # scored but empty value
    types = gdf["type"].to_numpy(dtype=object) if "type" in gdf else np.full(len(gdf), None)
    codes = gdf["code"].astype(str).to_numpy() if "code" in gdf else np.full(len(gdf), "")
    keys = np.where((keys != "class") & (types == SAR_TYPE), "sar", keys)
    keys = np.where((keys != "class") & (codes == TAIWAN_CODE), "taiwan_no_data", keys)
    return keys


def _colours(cmap: str, k: int) -> list:
    return S.class_colours(k, cmap)  # the web map's colours too (one scheme)


def _frame_axes(ax, x_lo, x_hi, y_lo, y_hi):
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_aspect("equal")
    for side in ("left", "right", "top", "bottom"):  # neat line around the map face
        ax.spines[side].set_visible(True)
    ax.patch.set_visible(False)


def _main_china(ax, units4490, provinces, national, lines, colours):
    main = clip_project(units4490, MAIN_MAP)
    main_nat = clip_project(national, MAIN_MAP)
    draw_units(ax, main, main["_key"].to_numpy(), main["_cls"].to_numpy(), colours)
    draw_lines(ax, provinces, national, lines, MAIN_MAP)
    xmin, ymin, xmax, ymax = main_nat.total_bounds
    pad_x, pad_y = 0.02 * (xmax - xmin), 0.03 * (ymax - ymin)
    x_lo, y_lo, y_hi = xmin - pad_x, ymin - pad_y, ymax + pad_y
    # The inset sits in the bottom-right corner; widen the frame so it covers only sea,
    # never Taiwan, Zhoushan or the Taiwan label.
    inset_top = y_lo + INSET_FRAC[3] * 1.05 * (y_hi - y_lo)
    low = shapely.clip_by_rect(main_nat.geometry.iloc[0], xmin, y_lo, xmax, inset_top)
    east = low.bounds[2] if not low.is_empty else xmin
    gap = 0.035 * (xmax - xmin)
    x_hi = max(xmax + pad_x, x_lo + (east + gap - x_lo) / (1.0 - INSET_FRAC[2]))
    _frame_axes(ax, x_lo, x_hi, y_lo, y_hi)


def _main_view(ax, units4490, provinces, national, lines, colours, view):
    """A part of the national map: the units and lines inside ``view`` (lon/lat box), framed to
    it (the viewer's current view, printed)."""
    main = clip_project(units4490, view)
    draw_units(ax, main, main["_key"].to_numpy(), main["_cls"].to_numpy(), colours)
    draw_lines(ax, provinces, national, lines, view)
    frame = clip_project(gpd.GeoDataFrame(geometry=[shapely.box(*view)], crs=4490), view)
    x0, y0, x1, y1 = frame.total_bounds
    _frame_axes(ax, x0, x1, y0, y1)


def whole_country(view) -> bool:
    """True when ``view`` (lon/lat box) shows most of the national frame: print the national
    map with its inset rather than a part."""
    area = shapely.box(*MAIN_MAP).area
    return shapely.box(*view).intersection(shapely.box(*MAIN_MAP)).area >= 0.8 * area


def _main_data(ax, units4490, provinces, national, lines, colours):
    minx, miny, maxx, maxy = units4490.total_bounds
    dx, dy = max(maxx - minx, 0.01), max(maxy - miny, 0.01)
    bbox = (minx - 0.08 * dx, miny - 0.08 * dy, maxx + 0.08 * dx, maxy + 0.08 * dy)
    proj = units4490.to_crs(ANALYSIS_CRS)
    draw_units(ax, proj, proj["_key"].to_numpy(), proj["_cls"].to_numpy(), colours, linewidth=0.4)
    add_lines(ax, shapely.boundary(proj.geometry.to_numpy()), color="#555555", linewidth=0.5)
    draw_lines(ax, provinces, national, lines, bbox)
    x0, y0, x1, y1 = proj.total_bounds
    px, py = 0.08 * (x1 - x0), 0.1 * (y1 - y0)
    _frame_axes(ax, x0 - px, x1 + px, y0 - 2 * py, y1 + py)


def _taiwan_label(ax, gdf, keys, lang, patheffects) -> list[str]:
    """Taiwan without data: say so on the map, as the convention asks."""
    if "code" not in gdf:
        return []
    is_tw = gdf["code"].astype(str).to_numpy() == TAIWAN_CODE
    if not (keys[is_tw] == "taiwan_no_data").any():
        return []
    tx, ty = project_point(120.9, 21.6)
    label = S.text(lang, "taiwan_label")  # Chinese on every map, as the convention has it
    ax.text(tx, ty, label, fontsize=6.5, ha="right", va="top", color="#444444", zorder=5,
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
    return [label]


def _draw_inset(ins, units4490, provinces, national, lines, colours, lang, patheffects) -> list[str]:
    """南海诸岛 附图: same styles as the main map, islands marked, dashed line, labels."""
    texts = []
    inset_units = clip_project(units4490, SOUTH_CHINA_SEA)
    draw_units(ins, inset_units, inset_units["_key"].to_numpy(), inset_units["_cls"].to_numpy(),
                colours, linewidth=0.3)
    # islands are far below a pixel at this scale: mark every small part with a dot
    parts = shapely.get_parts(inset_units.geometry.values)
    small = parts[shapely.area(parts) < 4e7]
    if len(small):
        pts = shapely.get_coordinates(shapely.centroid(small))
        ins.scatter(pts[:, 0], pts[:, 1], s=0.6, color="#333333", linewidths=0, zorder=6)
    draw_lines(ins, provinces, national, lines, SOUTH_CHINA_SEA, scale=0.7)
    ib = gpd.GeoSeries([box(*SOUTH_CHINA_SEA)], crs=4490).to_crs(ANALYSIS_CRS).total_bounds
    ins.set_xlim(project_point(107.5, 2.5)[0], project_point(122.5, 2.5)[0])
    ins.set_ylim(project_point(115, 2.8)[1], ib[3] - 0.05 * (ib[3] - ib[1]))
    ins.set_aspect("equal")
    ins.set_xticks([])
    ins.set_yticks([])
    ins.set_xlabel("")
    ins.set_ylabel("")
    ins.set_facecolor("white")
    for sp in ins.spines.values():
        sp.set_linewidth(0.9)
        sp.set_color("black")
    for key, (lon, lat) in ISLAND_POSITIONS.items():
        name = S.text(lang, f"island.{key}")
        x, y = project_point(lon, lat)
        ins.text(x, y, name, fontsize=4.6, ha="center", va="center", color="#333333", zorder=8,
                 linespacing=1.0,
                 path_effects=[patheffects.withStroke(linewidth=1.6, foreground="white")])
        texts.append(name)
    inset_label = S.text(lang, "inset")
    ins.text(0.96, 0.03, inset_label, transform=ins.transAxes, ha="right", va="bottom",
             fontsize=7 if "\n" not in inset_label else 5.8, linespacing=1.2,
             bbox={"facecolor": "white", "edgecolor": "black", "linewidth": 0.5, "pad": 1.5})
    texts.append(inset_label)
    return texts


def _legend(ax, cls, colours, keys, lang, title) -> list[str]:
    from matplotlib.patches import Patch

    def with_count(label, n):
        return S.text(lang, "with_count", label=label, n=n)

    handles = [Patch(facecolor=col, edgecolor="#888888", linewidth=0.4, label=with_count(lab, cnt))
               for lab, cnt, col in zip(cls.labels, cls.counts, colours, strict=True)]
    present = set(keys)
    for key in ("no_data", "not_evaluated", "sar", "taiwan_no_data"):
        if key not in present:
            continue
        st = S.NEUTRAL[key]
        lab = S.text(lang, key)
        if key in ("no_data", "not_evaluated"):
            lab = with_count(lab, int((keys == key).sum()))
        handles.append(Patch(facecolor=st["facecolor"],
                             edgecolor=st["edgecolor"] if st["hatch"] else "#888888",
                             hatch=st["hatch"], linewidth=0.4, label=lab))
    leg = ax.legend(handles=handles, title=title, loc="lower left", bbox_to_anchor=(0.0, 0.0),
                    fontsize=7.5, title_fontsize=8.5, frameon=True, framealpha=1.0,
                    edgecolor="#555555", fancybox=False, handlelength=1.8, handleheight=1.1,
                    borderpad=0.7, labelspacing=0.45)
    leg.get_frame().set_linewidth(0.6)
    for text in (*leg.get_texts(), leg.get_title()):
        text.set_parse_math(False)
    return [h.get_label() for h in handles] + [title]


def build_figure(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    classification: str = "quantiles",
    k: int = 5,
    bins=None,
    title: str | None = None,
    legend_title: str | None = None,
    lang: str = "zh",
    synthetic: bool = False,
    source_note: str | None = None,
    review_number: str | None = None,
    cmap: str = S.DEFAULT_CMAP,
    figsize: tuple[float, float] = (11.0, 8.6),
    frame: str | None = None,
    view=None,
):
    """Draw the map; returns (matplotlib Figure, MapInfo). Caller closes the figure.

    ``frame="china"`` (the default for the national prefecture layers) draws the whole
    territory with the 南海诸岛 inset; ``frame="data"`` (the default for users' own smaller
    units, e.g. a district's subdistricts) zooms to the units, without inset. ``view``
    (lon0, lat0, lon1, lat1) prints a part of the national map (the viewer's current view;
    no inset unless it shows most of the country: :func:`whole_country`).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib import patheffects

    from cityrank.geo.boundaries import load_layer

    S.text(lang, "legend")  # validates lang
    if column not in gdf.columns:
        raise DataError(f"map column {column!r} is not in the table; columns: {list(gdf.columns)[:30]}")
    if gdf.crs is None:
        raise DataError("GeoDataFrame has no CRS")
    font = S.find_cjk_font()
    S.check_glyphs([x for x in (title, legend_title, source_note) if x], font)  # before drawing
    values = gdf[column].astype(float)
    keys = _style_keys(gdf, column)
    scored_values = np.where(keys == "class", values.to_numpy(), np.nan)
    cls = classify(scored_values, classification, k, bins=bins, lang=lang)
    colours = _colours(cmap, cls.k)

    provinces = load_layer("province")
    lines = load_layer("boundary_line")
    units4490 = gdf.to_crs(4490).assign(_key=keys, _cls=cls.yb)
    national = gpd.GeoDataFrame(geometry=[shapely.union_all(provinces.geometry.values)], crs=provinces.crs)
    if frame is None:
        frame = "china" if "type" in gdf.columns and len(gdf) >= 300 else "data"
    if frame not in ("china", "data"):
        raise ConfigError(f"frame must be 'china' or 'data', got {frame!r}")

    texts: list[str] = []
    # Titles, notes and legends carry users' text (file names, dataset titles): never read as
    # mathtext ("$...$") or TeX, so no text can make the renderer fail or run away.
    rc = {"font.family": [font.family], "axes.unicode_minus": False, "hatch.linewidth": 0.5,
          "svg.fonttype": "path", "pdf.fonttype": 42, "text.parse_math": False,
          "text.usetex": False}
    with plt.rc_context(rc):
        fig = plt.figure(figsize=figsize, facecolor=S.BACKGROUND)
        try:
            info = _draw(fig, gdf, column, keys, cls, colours, provinces, lines, units4490,
                         national, frame, lang, font, patheffects, texts, view=view, title=title,
                         legend_title=legend_title, source_note=source_note,
                         review_number=review_number, synthetic=synthetic)
        except BaseException:
            plt.close(fig)  # a figure left open stays in pyplot's registry for ever
            raise
    return fig, info


def _draw(fig, gdf, column, keys, cls, colours, provinces, lines, units4490, national, frame,
          lang, font, patheffects, texts, *, title, legend_title, source_note, review_number,
          synthetic, view=None) -> MapInfo:
    """Everything drawn on ``fig`` (the caller closes it if this raises)."""
    ax = fig.add_axes((0.02, 0.075, 0.96, 0.83))
    ax.set_axis_off()
    ins = None
    if frame == "china" and view is not None and not whole_country(view):
        _main_view(ax, units4490, provinces, national, lines, colours, view)
        texts += _taiwan_label(ax, gdf, keys, lang, patheffects) if shapely.box(*view).contains(
            shapely.Point(120.9, 21.6)) else []
    elif frame == "china":
        _main_china(ax, units4490, provinces, national, lines, colours)
        texts += _taiwan_label(ax, gdf, keys, lang, patheffects)
        ins = ax.inset_axes(INSET_FRAC)
        texts += _draw_inset(ins, units4490, provinces, national, lines, colours, lang, patheffects)
    else:
        _main_data(ax, units4490, provinces, national, lines, colours)
    texts += _legend(ax, cls, colours, keys, lang, legend_title or column)

    # --- scale bar and north arrow -------------------------------------------------
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    length = nice_length(0.2 * (x_hi - x_lo))
    texts += scale_bar(ax, font, lang, x_lo + (0.27 if frame == "china" else 0.62) * (x_hi - x_lo),
                        y_lo + 0.035 * (y_hi - y_lo), length, 0.008 * (y_hi - y_lo))
    texts += north_arrow(ax, lang, 0.05 if frame == "china" else 0.95, 0.86, 0.07 * (y_hi - y_lo))

    # --- title, notes, marks -------------------------------------------------------
    if title:
        fig.text(0.5, 0.955, title, ha="center", va="center", fontsize=15, fontweight="bold",
                 parse_math=False)
        texts.append(title)
    lines_ = []
    if source_note:
        lines_ += textwrap.wrap(S.text(lang, "source_line", note=source_note),
                                width=110 if lang == "zh" else 190)[:3]
    lines_.append(S.text(lang, "credits", boundaries=S.text(lang, "boundaries"),
                         projection=S.text(lang, "projection")))
    note = "\n".join(lines_)
    fig.text(0.02, 0.062, note, ha="left", va="top", fontsize=6.3, color="#333333",
             linespacing=1.35, parse_math=False)
    texts.append(note)
    if review_number:
        rv = S.text(lang, "review_line", number=review_number)
        fig.text(0.98, 0.05, rv, ha="right", va="center", fontsize=7.5)
        texts.append(rv)
    if synthetic:
        mark = S.text(lang, "synthetic")
        fig.text(0.5, 0.915, mark, ha="center", va="center", fontsize=10, color="#b00020",
                 fontweight="bold",
                 bbox={"facecolor": "white", "edgecolor": "#b00020", "linewidth": 1.0, "pad": 3})
        fig.text(0.5, 0.5, mark, ha="center", va="center", fontsize=44, color="#b00020",
                 alpha=0.12, rotation=22, fontweight="bold", zorder=50)
        sn = S.text(lang, "synthetic_note")
        fig.text(0.98, 0.022, sn, ha="right", va="center", fontsize=6.5, color="#b00020")
        texts += [mark, sn]

    S.check_glyphs(texts, font)
    fig.canvas.draw()  # lay out now so the inset position is final
    bbox = ins.get_position() if ins is not None else None
    return MapInfo(
        classification=cls,
        counts={k_: int((keys == k_).sum()) for k_ in ("class", *S.NEUTRAL)},
        texts=texts,
        inset_axes_bbox=(bbox.x0, bbox.y0, bbox.x1, bbox.y1) if bbox is not None else None,
    )


def render_map(gdf, column, out_path, *, classification="quantiles", k=5, title=None,
               lang="zh", synthetic=False, source_note=None, review_number=None,
               dpi: int = 200, **kwargs) -> Path:
    """Render the map to ``out_path`` (.png, .svg or .pdf), written atomically."""
    import matplotlib.pyplot as plt

    out = Path(out_path)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ConfigError(f"{out}: map format must be one of {', '.join(FORMATS)}")
    if not out.parent.exists():
        raise ConfigError(f"{out.parent}: output directory does not exist")
    fig, _info = build_figure(gdf, column, classification=classification, k=k, title=title,
                              lang=lang, synthetic=synthetic, source_note=source_note,
                              review_number=review_number, **kwargs)
    meta = {"png": {"Software": "cityrank"}, "svg": {}, "pdf": {"Creator": "cityrank"}}[fmt]
    try:
        atomic_write(out, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi,
                                                  facecolor=fig.get_facecolor(), metadata=meta))
    finally:
        plt.close(fig)
    return out
