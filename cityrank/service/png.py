"""The print map of an embed or viewer map (PNG for no-JS readers and CMSs, PDF for print),
cached per parameter set: the map client's print button links here with its current
dataset, indicator, classification, classes and language.

Uses ``geo.static_map.render_map`` (with the South China Sea inset, source note and the
simulated-data mark), one render at a time because pyplot keeps global state.
"""

from __future__ import annotations

import tempfile
import threading
import warnings
from pathlib import Path

from cityrank.i18n import t
from cityrank.service import catalog, geometry, pages
from cityrank.service.api import cache_control
from cityrank.service.response import IMAGE_CACHE, Result, representation
from cityrank.web import i18n

RENDER_LOCK = threading.Lock()  # pyplot keeps global state: one figure at a time (analysis too)
PNG_DPI = 120  # screen and newsroom CMS; print users take the CLI's `cityrank map` at 300 dpi


FORMATS = {"png": "image/png", "pdf": "application/pdf"}


def validate(site, p: pages.MapParams) -> None:
    """The map page's rules for the PNG's parameters (``service.classes.classify``: a known
    method, k between 3 and 7, values it can classify), checked before anything is rendered
    or cached, so a bad request costs no render, no lock and no cache entry."""
    from cityrank.errors import ParameterError
    from cityrank.service.classes import ClassificationError, classify

    ds = site.dataset(p.dataset)
    gdf = geometry.map_layer(site, ds.id)
    values = gdf.loc[gdf["display"] == "scored", p.indicator].to_numpy(dtype=float)
    try:
        classify(values, p.classification, p.k, catalog.published_bins(ds, p.indicator, p.classification))
    except ClassificationError as exc:
        raise ParameterError(str(exc)) from exc


def parse_bbox(text, lang: str) -> tuple[float, float, float, float] | None:
    """``bbox=lon0,lat0,lon1,lat1`` (the viewer's current view, as its print button sends it),
    cut to :data:`geo.extent.CHINA` and rounded to 0.01° (so nearby views share one cached
    render); None when absent. ParameterError in the page's language otherwise."""
    import math

    from cityrank.errors import ParameterError
    from cityrank.geo.extent import CHINA

    if text in (None, ""):
        return None
    bad = ParameterError(t("mapclient.error_bbox", lang, value=str(text)[:80]))
    try:
        x0, y0, x1, y1 = (float(v) for v in str(text).split(","))
    except ValueError:
        raise bad from None
    if not all(map(math.isfinite, (x0, y0, x1, y1))):
        raise bad
    x0, y0 = max(x0, CHINA.lon_min), max(y0, CHINA.lat_min)
    x1, y1 = min(x1, CHINA.lon_max), min(y1, CHINA.lat_max)
    if x1 - x0 < 0.05 or y1 - y0 < 0.05:  # empty, inverted or outside China
        raise bad
    return tuple(round(v, 2) for v in (x0, y0, x1, y1))


def embed_png(site, dataset_id: str, args: dict, fmt: str = "png") -> Result:
    """``/embed/<dataset>.png`` (or ``.pdf``): the map of :func:`pages.parse_params`'s parameters,
    of the whole country or of the view ``bbox`` (:func:`parse_bbox`)."""
    p = pages.parse_params(site, args, dataset_id)
    view = parse_bbox(args.get("bbox"), p.lang)
    validate(site, p)
    ds = site.dataset(p.dataset)
    label = catalog.indicator_label(ds, p.indicator, p.lang)
    # geo.static_map adds the "source" prefix and the simulated-data mark itself: the title
    # goes without it, or the PNG would say "simulated" twice
    title = f"{i18n.plain_title(ds, p.lang)} · {label}"
    note = i18n.source_text(ds, p.lang)
    key = (p.indicator, p.classification, p.k, p.lang, fmt, view)
    return site.cache.get_or_build(ds.id, "png", key, lambda: representation(
        render_png(site, p, note, title, label, fmt=fmt, view=view), FORMATS[fmt],
        cache_control=cache_control(ds.id, IMAGE_CACHE)))


def render_png(site, p: pages.MapParams, source_note: str, title: str,
               legend_title: str | None = None, fmt: str = "png", view=None) -> bytes:
    """The PNG bytes of one map (not cached: :func:`embed_png` caches)."""
    from cityrank.geo.static_map import render_map

    gdf = geometry.joined(site, p.dataset, layer="prefecture")
    ds = site.dataset(p.dataset)
    with RENDER_LOCK, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"map.{fmt}"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Numba not installed")
            render_map(gdf, p.indicator, out, classification=p.classification, k=p.k, title=title,
                       lang=p.lang, synthetic=bool(ds.synthetic), source_note=source_note, dpi=PNG_DPI,
                       legend_title=legend_title, view=view)
        return out.read_bytes()
