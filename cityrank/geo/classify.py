"""Class breaks for choropleths, one registered function per method.

``quantiles``, ``natural_breaks`` (Fisher-Jenks, exact) and ``equal_interval``
come from mapclassify. ``published`` reproduces the bins of the 2017 NDRC report (below 30,
30-40, 40-50, 50-60, 60 and above), whose edges, labels and left-closed rule are defined once
in :mod:`cityrank.scoring.bins` (the report summary counts with the same ones). Those bins are
*left-closed* ("60分以上" includes 60.0, and tied cities such as 宁波/佛山 at 60.4 sit well
inside), whereas mapclassify's ``UserDefined`` classes are right-closed; we therefore assign
classes ourselves with the published convention and use ``UserDefined`` only to validate the
bins.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from cityrank.errors import ConfigError, DataError
from cityrank.scoring.bins import PUBLISHED_BINS, band_labels, band_of, check_edges

__all__ = ["CLASSIFIERS", "PUBLISHED_BINS", "Classification", "classify"]


@dataclass(frozen=True)
class Classification:
    """Class of every value (``yb``, -1 for missing) and the labels of the classes."""

    method: str
    edges: tuple[float, ...]  # k + 1 edges, lowest = min (or -inf), highest = max (or +inf)
    yb: np.ndarray
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    closed: str  # "right" (mapclassify) or "left" (published)

    @property
    def k(self) -> int:
        return len(self.labels)


def _fmt(v: float, decimals: int) -> str:
    return f"{v:.{decimals}f}"


def _right_closed(method, values, mc, decimals) -> Classification:
    edges = (float(values.min()), *map(float, mc.bins))
    labels = tuple(
        f"{_fmt(lo, decimals)} – {_fmt(hi, decimals)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    )
    yb = np.asarray(mc.yb, dtype=int)
    counts = tuple(int((yb == c).sum()) for c in range(len(labels)))
    return Classification(method, edges, yb, labels, counts, "right")


def _effective_k(values: np.ndarray, k: int) -> int:
    # mapclassify warns (and the test suite errors) when k exceeds the distinct values.
    return max(1, min(k, len(np.unique(values))))


def _mc():
    # imported on use: mapclassify pulls in heavy optional dependencies (seconds at start-up)
    import mapclassify

    return mapclassify


def _quantiles(values, k, decimals, bins, lang):
    mapclassify = _mc()
    return _right_closed("quantiles", values, mapclassify.Quantiles(values, k=_effective_k(values, k)), decimals)


def _natural_breaks(values, k, decimals, bins, lang):
    mapclassify = _mc()
    k = _effective_k(values, k)
    with warnings.catch_warnings():
        # Without numba mapclassify says it uses "the slow pure python version"; for a few
        # hundred units that takes milliseconds, so the note is noise.
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        mc = mapclassify.FisherJenks(values, k=k)
    return _right_closed("natural_breaks", values, mc, decimals)


def _equal_interval(values, k, decimals, bins, lang):
    mapclassify = _mc()
    return _right_closed("equal_interval", values, mapclassify.EqualInterval(values, k=k), decimals)


def _published(values, k, decimals, bins, lang):
    try:
        bins = check_edges(bins or None)
    except ConfigError as exc:
        raise ConfigError(f"published {exc}") from None
    _mc().UserDefined(values, bins=list(bins))  # validates like the other methods
    yb = band_of(values, bins)
    edges = (-np.inf, *bins, np.inf)
    labels = band_labels(bins, lang)
    counts = tuple(int((yb == c).sum()) for c in range(len(labels)))
    return Classification("published", edges, yb, labels, counts, "left")


CLASSIFIERS = {
    "quantiles": _quantiles,
    "natural_breaks": _natural_breaks,
    "equal_interval": _equal_interval,
    "published": _published,
}


def classify(values, method: str = "quantiles", k: int = 5, *, bins=None, decimals: int = 1,
             lang: str = "zh") -> Classification:
    """Classify values (NaN allowed: class -1); ``bins`` overrides the published bands, whose
    labels are in ``lang`` (:func:`cityrank.scoring.bins.band_labels`)."""
    if method not in CLASSIFIERS:
        raise ConfigError(f"unknown classification {method!r}; known: {', '.join(CLASSIFIERS)}")
    if not isinstance(k, int | np.integer) or k < 2:
        raise ConfigError(f"number of classes k must be an integer >= 2, got {k!r}")
    arr = np.asarray(values, dtype=float)
    ok = ~np.isnan(arr)
    if not ok.any():
        raise DataError("no values to classify (all missing)")
    result = CLASSIFIERS[method](arr[ok], int(k), decimals, bins, lang)
    yb = np.full(arr.shape, -1, dtype=int)
    yb[ok] = result.yb
    return Classification(result.method, result.edges, yb, result.labels, result.counts, result.closed)
