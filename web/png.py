"""Static PNG of an embed map (print, no-JS readers), cached per parameter set.

Uses ``geo.static_map.render_map`` (with the South China Sea inset, source note and the
simulated-data mark) and falls back to a plain matplotlib plot only while that module is
not available.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import warnings
from pathlib import Path

from web import i18n

_LOCK = threading.Lock()
_CACHE: dict[tuple, bytes] = {}
PNG_DPI = 120  # screen and newsroom CMS; print users take the CLI's `cityrank map` at 300 dpi


def render_png(svc, p, source_note: str, title: str, legend_title: str | None = None) -> bytes:
    key = (p.dataset, p.indicator, p.classification, p.k, p.lang)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    gdf = svc.joined(p.dataset, layer="prefecture")
    ds = svc.dataset(p.dataset)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / (hashlib.sha1(repr(key).encode()).hexdigest() + ".png")
        try:
            from geo.static_map import render_map
        except ImportError:
            render_map = None
        if render_map is not None:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Numba not installed")
                render_map(gdf, p.indicator, out, classification=p.classification, k=p.k, title=title,
                           lang=p.lang, synthetic=bool(ds.synthetic), source_note=source_note, dpi=PNG_DPI,
                           legend_title=legend_title)
        else:
            _fallback(gdf, p, out, title, source_note, bool(ds.synthetic))
        data = out.read_bytes()
    with _LOCK:
        _CACHE[key] = data
    return data


def _fallback(gdf, p, out: Path, title: str, note: str, synthetic: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from geo.map_style import CJK_FAMILIES

    plt.rcParams["font.family"] = [*CJK_FAMILIES, "sans-serif"]
    fig, ax = plt.subplots(figsize=(8, 6.5), dpi=100)
    gdf.plot(ax=ax, color="#dddddd", edgecolor="white", linewidth=0.2)
    scored = gdf[gdf["display"] == "scored"]
    scored.plot(ax=ax, column=p.indicator, cmap="YlGnBu", scheme="quantiles", k=p.k, legend=True,
                linewidth=0.2, edgecolor="white", legend_kwds={"loc": "lower left", "fontsize": 7})
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    fig.text(0.01, 0.01, note, fontsize=7)
    if synthetic:
        fig.text(0.99, 0.97, i18n.t("synthetic", p.lang), ha="right", va="top", color="#c0392b", fontsize=12, weight="bold")
    fig.savefig(out, format="png")
    plt.close(fig)
