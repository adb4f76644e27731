"""Static PNG of an embed map (print, no-JS readers), cached per parameter set.

Uses ``geo.static_map.render_map`` (with the South China Sea inset, source note and the
simulated-data mark), one render at a time because pyplot keeps global state.
"""

from __future__ import annotations

import tempfile
import threading
import warnings
from collections import OrderedDict
from pathlib import Path

_LOCK = threading.Lock()
_RENDER_LOCK = threading.Lock()  # pyplot keeps global state: one figure at a time
_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
CACHE_ENTRIES = 32
PNG_DPI = 120  # screen and newsroom CMS; print users take the CLI's `cityrank map` at 300 dpi


def render_png(svc, p, source_note: str, title: str, legend_title: str | None = None) -> bytes:
    key = (id(svc), p.dataset, p.indicator, p.classification, p.k, p.lang)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    with _RENDER_LOCK:
        data = _render(svc, p, source_note, title, legend_title)
    with _LOCK:
        _CACHE[key] = data
        while len(_CACHE) > CACHE_ENTRIES:
            _CACHE.popitem(last=False)
    return data


def _render(svc, p, source_note: str, title: str, legend_title: str | None) -> bytes:
    from cityrank.geo.static_map import render_map

    gdf = svc.joined(p.dataset, layer="prefecture")
    ds = svc.dataset(p.dataset)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "map.png"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Numba not installed")
            render_map(gdf, p.indicator, out, classification=p.classification, k=p.k, title=title,
                       lang=p.lang, synthetic=bool(ds.synthetic), source_note=source_note, dpi=PNG_DPI,
                       legend_title=legend_title)
        return out.read_bytes()
