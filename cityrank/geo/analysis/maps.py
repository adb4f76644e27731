"""Static maps of analysis results (LISA clusters, significance, Gi*, zones, hub effects).

Categorical layers need GeoDa's fixed palette and legend, which a generic choropleth does
not give, so they are drawn here with matplotlib. On the built-in China layer the map keeps
the whole extent (South China Sea islands included) and draws the boundary lines of the
``boundary_line`` layer, so the figure stays within the publishing conventions; units that
were not analysed are light grey with their own legend entry, never blank.

Titles and legends follow the page language (``lang``: zh default, en); every string is
checked against the CJK font's character map before drawing (:func:`geo.map_style.check_glyphs`),
because a missing glyph is drawn as an empty box that nobody notices in a finished PNG.
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd

from cityrank.geo.analysis.autocorrelation import GEODA_COLOURS
from cityrank.geo.map_style import use_cjk_font
from cityrank.i18n import t

NOT_ANALYSED = "#ffffff"
NOT_ANALYSED_HATCH = "////"
SIG_CLASSES = [(0.001, "p ≤ 0.001", "#006d2c"), (0.01, "p ≤ 0.01", "#31a354"),
               (0.05, "p ≤ 0.05", "#a1d99b")]
GI_COLOURS = {"hot spot": "#d7301f", "cold spot": "#2171b5", "not significant": "#eeeeee"}

def text(key: str, lang: str, **fmt) -> str:
    """A word of the analysis maps: ``analysis.<key>`` of the catalogue, in ``lang``."""
    return t(f"analysis.{key}", lang, **fmt)


def plain_digits(values) -> int:
    """Decimals that show the largest of ``values`` with three significant digits (at most 6)."""
    top = float(np.nanmax(np.abs(values))) if len(values) else 0.0
    if not np.isfinite(top) or top == 0:
        return 0
    return int(min(6, max(0, 2 - np.floor(np.log10(top)))))


def plain_number(value: float, digits: int) -> str:
    """A legend number in plain notation (``0.0123``, never ``1.47e-19``): what rounds to zero
    at ``digits`` decimals is ``0``.

    >>> plain_number(1.47e-19, 4), plain_number(0.01234, 4), plain_number(-2.5, 1)
    ('0', '0.0123', '-2.5')
    """
    out = f"{value:.{digits}f}"
    return "0" if float(out) == 0 else out


def lisa_label(code: int, lang: str) -> str:
    """The long name of a GeoDa cluster code (0 not significant, 1 HH, 2 LL, 3 LH, 4 HL)."""
    return t(f"analysis.lisa.{int(code)}", lang)


def indicator_name(report: dict, column: str, lang: str) -> str:
    """The indicator's name in ``lang`` when the report carries one, else the column id."""
    names = (report.get("indicator_names") or {}).get(column) or {}
    return names.get(lang) or names.get("en") or column


def _check_font(texts) -> None:
    """Refuse to draw text the CJK font cannot show (ConfigError names the characters)."""
    from cityrank.geo.map_style import check_glyphs, find_cjk_font

    check_glyphs(list(texts), find_cjk_font())


def _boundary_lines(gdf: gpd.GeoDataFrame):
    """The national boundary lines (incl. the South China Sea line) for the built-in layer."""
    if "code" not in gdf.columns or gdf.crs is None:
        return None
    try:
        from cityrank.geo.boundaries import load_layer

        return load_layer("boundary_line").to_crs(gdf.crs)
    except Exception:  # the layer is optional for user files and bare checkouts
        return None


def categorical_map(gdf: gpd.GeoDataFrame, ids: list[str], categories: dict[str, str],
                    colours: dict[str, str], *, id_column: str, title: str,
                    synthetic: bool = False, order: list[str] | None = None,
                    lang: str = "zh") -> bytes:
    """PNG of ``gdf`` with each analysed unit coloured by its category (unit id -> category);
    categories are already labels in ``lang``, which also sets the title's synthetic line."""
    use_cjk_font()
    import matplotlib.pyplot as plt

    frame = gdf.copy()
    key = frame[id_column].astype(str) if id_column in frame.columns else pd.Series(
        [str(i) for i in frame.index], index=frame.index)
    cat = key.map(categories)
    colour = cat.map(colours).fillna(NOT_ANALYSED)
    counts = cat.value_counts()
    labels = [f"{c} ({int(counts.get(c, 0))})" for c in (order or list(colours)) if c in colours]
    full_title = title + ("\n" + text("synthetic", lang) if synthetic else "")
    _check_font([full_title, *labels])  # before a figure exists: a refusal costs nothing
    # users' text (titles, names) is never mathtext or TeX; the figure is closed whatever happens
    with plt.rc_context({"text.parse_math": False, "text.usetex": False}):
        fig, ax = plt.subplots(figsize=(7.5, 7), dpi=100)
        try:
            return _draw_categories(fig, ax, frame, cat, colour, colours, counts, order,
                                    full_title, lang)
        finally:
            plt.close(fig)


def _draw_categories(fig, ax, frame, cat, colour, colours, counts, order, full_title,
                     lang) -> bytes:
    from matplotlib.patches import Patch

    analysed = cat.notna().to_numpy()
    frame[analysed].plot(ax=ax, color=colour[analysed].to_numpy(), edgecolor="#888888", linewidth=0.2)
    if (~analysed).any():  # hatched white: "not analysed" must not look like "not significant"
        frame[~analysed].plot(ax=ax, facecolor=NOT_ANALYSED, edgecolor="#bbbbbb", linewidth=0.2,
                              hatch=NOT_ANALYSED_HATCH)
    lines = _boundary_lines(frame)
    if lines is not None and len(lines):
        lines.plot(ax=ax, color="#555555", linewidth=0.6, linestyle="--")
    ax.set_axis_off()
    handles = [Patch(facecolor=colours[c], edgecolor="#888888", label=f"{c} ({int(counts.get(c, 0))})")
               for c in (order or list(colours)) if c in colours]
    if cat.isna().any():
        handles.append(Patch(facecolor=NOT_ANALYSED, edgecolor="#bbbbbb", hatch=NOT_ANALYSED_HATCH,
                             label=f"{text('not_analysed', lang)} ({int(cat.isna().sum())})"))
    _check_font([h.get_label() for h in handles])
    leg = ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=True)
    for item in leg.get_texts():
        item.set_parse_math(False)
    ax.set_title(full_title, fontsize=10, parse_math=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def report_maps(gdf: gpd.GeoDataFrame, report: dict, *, id_column: str | None = None,
                only=None, lang: str = "zh") -> dict[str, bytes]:
    """The maps of a report: {name: png bytes}; all of them, or those named in ``only``
    (the viewer draws each map when its image is requested, not all on the first one);
    titles and legends in ``lang``."""
    lang = "en" if lang == "en" else "zh"

    def want(name: str) -> bool:
        return only is None or name in only

    id_column = id_column or ("code" if "code" in gdf.columns else "_index")
    if id_column == "_index":
        gdf = gdf.assign(_index=[str(i) for i in gdf.index])
    synthetic = bool(report.get("synthetic"))
    units = report["units"]
    value = indicator_name(report, report["value"], lang)
    maps = {}
    lisa = {u["id"]: lisa_label(u["lisa_cluster"], lang) for u in units}
    lisa_colours = {lisa_label(k, lang): v for k, v in GEODA_COLOURS.items()}
    order = [lisa_label(k, lang) for k in (1, 2, 3, 4, 0)]
    thr = report["local_moran"]["p_threshold"]
    if want("lisa_clusters"):
        maps["lisa_clusters"] = categorical_map(
            gdf, [u["id"] for u in units], lisa, lisa_colours, id_column=id_column, order=order,
            title=text("lisa_title", lang, v=value, thr=f"{thr:.3g}", perm=report["permutations"]),
            synthetic=synthetic, lang=lang)
    sig = {}
    for u in units:
        p = u["lisa_p"]
        label = text("not_significant", lang)
        for cut, name, _ in SIG_CLASSES:
            if p is not None and p <= cut:
                label = name
                break
        sig[u["id"]] = label
    sig_colours = {name: c for _, name, c in SIG_CLASSES} | {text("not_significant", lang): "#eeeeee"}
    if want("lisa_significance"):
        maps["lisa_significance"] = categorical_map(
            gdf, [u["id"] for u in units], sig, sig_colours, id_column=id_column,
            title=text("sig_title", lang, v=value), synthetic=synthetic, lang=lang)
    if want("getis_ord") and report.get("getis_ord", {}).get("available"):
        gi_text = {k: text(k.replace(" ", "_"), lang) for k in GI_COLOURS}
        gi = {u["id"]: gi_text.get(u["gi_label"], u["gi_label"]) for u in units}
        maps["getis_ord"] = categorical_map(gdf, [u["id"] for u in units], gi,
                                            {gi_text[k]: c for k, c in GI_COLOURS.items()},
                                            id_column=id_column, title=text("gi_title", lang, v=value),
                                            synthetic=synthetic, lang=lang)
    if want("zones") and report.get("zones", {}).get("available"):
        numbers = sorted({int(u["zone"]) for u in units if u.get("zone") is not None})
        zones = {u["id"]: text("zone", lang, n=int(u["zone"])) for u in units if u.get("zone") is not None}
        names = [text("zone", lang, n=n) for n in numbers]
        import matplotlib

        cmap = matplotlib.colormaps["tab20"]
        colours = {z: matplotlib.colors.to_hex(cmap(i % 20)) for i, z in enumerate(names)}
        maps["zones"] = categorical_map(gdf, list(zones), zones, colours, id_column=id_column,
                                        title=text("zones_title", lang, v=value, method=report["zones"]["method"]),
                                        synthetic=synthetic, lang=lang)
    hub = report.get("spillover", {}).get("hub_column")
    if want("hub_effects") and hub and any(u.get("hub_effect") is not None for u in units):
        eff = {u["id"]: u["hub_effect"] for u in units if u.get("hub_effect") is not None}
        vals = np.array([v for k, v in eff.items() if k != hub["hub"]])
        qs = np.unique(np.quantile(vals, [0, 0.5, 0.75, 0.9, 0.97, 1.0]))
        labels, cats = [], {}
        unit = (report.get("value_unit") or {}).get(lang, "")  # "points" of a dataset's score
        digits = plain_digits(qs)
        for lo, hi in zip(qs[:-1], qs[1:], strict=True):
            labels.append(f"{plain_number(lo, digits)} – {plain_number(hi, digits)} {unit}".rstrip())
        for k, v in eff.items():
            if k == hub["hub"]:
                cats[k] = text("hub", lang)
                continue
            i = min(int(np.searchsorted(qs, v, side="right")) - 1, len(labels) - 1)
            cats[k] = labels[max(i, 0)]
        import matplotlib

        cmap = matplotlib.colormaps["OrRd"]
        colours = {lab: matplotlib.colors.to_hex(cmap(0.15 + 0.8 * i / max(len(labels) - 1, 1)))
                   for i, lab in enumerate(labels)} | {text("hub", lang): "#000000"}
        hub_name = next((u.get("name") for u in units if u["id"] == hub["hub"]), None)
        code = hub["hub"]
        hub_label = code if not hub_name or hub_name == code else (
            f"{hub_name}（{code}）" if lang == "zh" else f"{hub_name} ({code})")
        maps["hub_effects"] = categorical_map(
            gdf, list(eff), cats, colours, id_column=id_column,
            title=text("hub_title", lang, x=indicator_name(report, hub["variable"], lang), hub=hub_label,
                       v=value),
            synthetic=synthetic, lang=lang)
    return maps
