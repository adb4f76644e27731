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


def embed_png(site, dataset_id: str, args: dict, fmt: str = "png") -> Result:
    """``/embed/<dataset>.png`` (or ``.pdf``): the map of :func:`pages.parse_params`'s parameters."""
    p = pages.parse_params(site, args, dataset_id)
    validate(site, p)
    ds = site.dataset(p.dataset)
    label = catalog.indicator_label(ds, p.indicator, p.lang)
    # geo.static_map adds the "source" prefix and the simulated-data mark itself: the title
    # goes without it, or the PNG would say "simulated" twice
    title = f"{i18n.plain_title(ds, p.lang)} · {label}"
    note = i18n.source_text(ds, p.lang)
    key = (p.indicator, p.classification, p.k, p.lang, fmt)
    return site.cache.get_or_build(ds.id, "png", key, lambda: representation(
        render_png(site, p, note, title, label, fmt=fmt), FORMATS[fmt],
        cache_control=cache_control(ds.id, IMAGE_CACHE)))


def render_png(site, p: pages.MapParams, source_note: str, title: str,
               legend_title: str | None = None, fmt: str = "png") -> bytes:
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
                       legend_title=legend_title)
        return out.read_bytes()
