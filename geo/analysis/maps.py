"""Static maps of analysis results (LISA clusters, significance, Gi*, zones, hub effects).

Categorical layers need GeoDa's fixed palette and legend, which a generic choropleth does
not give, so they are drawn here with matplotlib. On the built-in China layer the map keeps
the whole extent (South China Sea islands included) and draws the boundary lines of the
``boundary_line`` layer, so the figure stays within the publishing conventions; units that
were not analysed are light grey with their own legend entry, never blank.
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis._common import use_cjk_font
from geo.analysis.autocorrelation import GEODA_COLOURS, GEODA_LABELS_LONG

NOT_ANALYSED = "#ffffff"
NOT_ANALYSED_HATCH = "////"
SIG_CLASSES = [(0.001, "p ≤ 0.001", "#006d2c"), (0.01, "p ≤ 0.01", "#31a354"),
               (0.05, "p ≤ 0.05", "#a1d99b")]
GI_COLOURS = {"hot spot": "#d7301f", "cold spot": "#2171b5", "not significant": "#eeeeee"}


def _boundary_lines(gdf: gpd.GeoDataFrame):
    """The national boundary lines (incl. the South China Sea line) for the built-in layer."""
    if "code" not in gdf.columns or gdf.crs is None:
        return None
    try:
        from geo.boundaries import load_layer

        return load_layer("boundary_line").to_crs(gdf.crs)
    except Exception:  # the layer is optional for user files and bare checkouts
        return None


def categorical_map(gdf: gpd.GeoDataFrame, ids: list[str], categories: dict[str, str],
                    colours: dict[str, str], *, id_column: str, title: str,
                    synthetic: bool = False, order: list[str] | None = None) -> bytes:
    """PNG of ``gdf`` with each analysed unit coloured by its category (unit id -> category)."""
    use_cjk_font()
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    frame = gdf.copy()
    key = frame[id_column].astype(str) if id_column in frame.columns else pd.Series(
        [str(i) for i in frame.index], index=frame.index)
    cat = key.map(categories)
    colour = cat.map(colours).fillna(NOT_ANALYSED)
    fig, ax = plt.subplots(figsize=(7.5, 7), dpi=100)
    analysed = cat.notna().to_numpy()
    frame[analysed].plot(ax=ax, color=colour[analysed].to_numpy(), edgecolor="#888888", linewidth=0.2)
    if (~analysed).any():  # hatched white: "not analysed" must not look like "not significant"
        frame[~analysed].plot(ax=ax, facecolor=NOT_ANALYSED, edgecolor="#bbbbbb", linewidth=0.2,
                              hatch=NOT_ANALYSED_HATCH)
    lines = _boundary_lines(frame)
    if lines is not None and len(lines):
        lines.plot(ax=ax, color="#555555", linewidth=0.6, linestyle="--")
    ax.set_axis_off()
    counts = cat.value_counts()
    handles = [Patch(facecolor=colours[c], edgecolor="#888888", label=f"{c} ({int(counts.get(c, 0))})")
               for c in (order or list(colours)) if c in colours]
    if cat.isna().any():
        handles.append(Patch(facecolor=NOT_ANALYSED, edgecolor="#bbbbbb", hatch=NOT_ANALYSED_HATCH,
                             label=f"not analysed / not evaluated ({int(cat.isna().sum())})"))
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=True)
    ax.set_title(title + ("\nSYNTHETIC DATA 模拟数据 — not real scores" if synthetic else ""), fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def report_maps(gdf: gpd.GeoDataFrame, report: dict, *, id_column: str | None = None,
                only=None) -> dict[str, bytes]:
    """The maps of a report: {name: png bytes}; all of them, or those named in ``only``
    (the viewer draws each map when its image is requested, not all on the first one)."""

    def want(name: str) -> bool:
        return only is None or name in only

    id_column = id_column or ("code" if "code" in gdf.columns else "_index")
    if id_column == "_index":
        gdf = gdf.assign(_index=[str(i) for i in gdf.index])
    synthetic = bool(report.get("synthetic"))
    units = report["units"]
    value = report["value"]
    maps = {}
    lisa = {u["id"]: GEODA_LABELS_LONG[u["lisa_cluster"]] for u in units}
    lisa_colours = {GEODA_LABELS_LONG[k]: v for k, v in GEODA_COLOURS.items()}
    order = [GEODA_LABELS_LONG[k] for k in (1, 2, 3, 4, 0)]
    thr = report["local_moran"]["p_threshold"]
    if want("lisa_clusters"):
        maps["lisa_clusters"] = categorical_map(
            gdf, [u["id"] for u in units], lisa, lisa_colours, id_column=id_column, order=order,
            title=f"LISA clusters of {value} (p ≤ {thr:.3g}, {report['permutations']} permutations)",
            synthetic=synthetic)
    sig = {}
    for u in units:
        p = u["lisa_p"]
        label = "not significant"
        for cut, name, _ in SIG_CLASSES:
            if p is not None and p <= cut:
                label = name
                break
        sig[u["id"]] = label
    sig_colours = {name: c for _, name, c in SIG_CLASSES} | {"not significant": "#eeeeee"}
    if want("lisa_significance"):
        maps["lisa_significance"] = categorical_map(
            gdf, [u["id"] for u in units], sig, sig_colours, id_column=id_column,
            title=f"LISA significance (pseudo p) of {value}", synthetic=synthetic)
    if want("getis_ord") and report.get("getis_ord", {}).get("available"):
        gi = {u["id"]: u["gi_label"] for u in units}
        maps["getis_ord"] = categorical_map(gdf, [u["id"] for u in units], gi, GI_COLOURS,
                                            id_column=id_column, title=f"Getis-Ord Gi* hot and cold spots of {value}",
                                            synthetic=synthetic)
    if want("zones") and report.get("zones", {}).get("available"):
        zones = {u["id"]: f"zone {u['zone']}" for u in units if u.get("zone") is not None}
        names = sorted(set(zones.values()), key=lambda s: int(s.split()[1]))
        import matplotlib

        cmap = matplotlib.colormaps["tab20"]
        colours = {z: matplotlib.colors.to_hex(cmap(i % 20)) for i, z in enumerate(names)}
        maps["zones"] = categorical_map(gdf, list(zones), zones, colours, id_column=id_column,
                                        title=f"Governance zones ({report['zones']['method']}) of {value}",
                                        synthetic=synthetic)
    hub = report.get("spillover", {}).get("hub_column")
    if want("hub_effects") and hub and any(u.get("hub_effect") is not None for u in units):
        eff = {u["id"]: u["hub_effect"] for u in units if u.get("hub_effect") is not None}
        vals = np.array([v for k, v in eff.items() if k != hub["hub"]])
        qs = np.unique(np.quantile(vals, [0, 0.5, 0.75, 0.9, 0.97, 1.0]))
        labels, cats = [], {}
        for lo, hi in zip(qs[:-1], qs[1:], strict=True):
            labels.append(f"{lo:.3g} – {hi:.3g}")
        for k, v in eff.items():
            if k == hub["hub"]:
                cats[k] = "hub"
                continue
            i = min(int(np.searchsorted(qs, v, side="right")) - 1, len(labels) - 1)
            cats[k] = labels[max(i, 0)]
        import matplotlib

        cmap = matplotlib.colormaps["OrRd"]
        colours = {lab: matplotlib.colors.to_hex(cmap(0.15 + 0.8 * i / max(len(labels) - 1, 1)))
                   for i, lab in enumerate(labels)} | {"hub": "#000000"}
        maps["hub_effects"] = categorical_map(
            gdf, list(eff), cats, colours, id_column=id_column,
            title=f"Effect of a unit change in {hub['variable']} at {hub['hub']} (spatial Durbin)",
            synthetic=synthetic)
    return maps
