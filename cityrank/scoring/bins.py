"""Score bands: the published bins of the 2017 report and their labels, defined once.

The 2017 smart-governance report counts cities in five bands of the 100-point total: below
30, 30-40, 40-50, 50-60, 60 and above. The bands are *left-closed*: "60分以上" includes 60.0,
and the tied cities 宁波/佛山 at 60.4 sit well inside the top band. The report summary
(:func:`cityrank.scoring.summary.bin_counts`) and the maps' ``published`` classification
(:mod:`cityrank.geo.classify`, the print map and the web legend) both take their edges and
labels from here, so a band is counted and labelled the same way on every surface.

Labels come from the catalogue (``bins.*`` in ``cityrank/i18n/bins.yaml``) in the page's
language.

>>> band_labels()
('< 30', '30 – 40', '40 – 50', '50 – 60', '≥ 60')
>>> band_of(60.0), band_of(59.99)
(4, 3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cityrank.errors import ConfigError
from cityrank.i18n import t

PUBLISHED_BINS: tuple[float, ...] = (30.0, 40.0, 50.0, 60.0)
"""Inner edges of the 2017 report's bands (total score out of 100)."""

PUBLISHED_SCALE = 100.0
"""The maximum the published bands are for: they apply to a total out of 100 only."""


def published_bins_apply(total_max: float) -> bool:
    """Whether the published bands fit a total whose maximum is ``total_max``."""
    return abs(float(total_max) - PUBLISHED_SCALE) <= 1e-6


@dataclass(frozen=True)
class Band:
    """``lower <= value < upper``; ``None`` is an open end."""

    lower: float | None
    upper: float | None

    def label(self, lang: str = "zh") -> str:
        if self.lower is None:
            return t("bins.below", lang, upper=f"{self.upper:g}")
        if self.upper is None:
            return t("bins.at_least", lang, lower=f"{self.lower:g}")
        return t("bins.between", lang, lower=f"{self.lower:g}", upper=f"{self.upper:g}")


def check_edges(edges=None) -> tuple[float, ...]:
    """The inner edges as floats (the published ones when ``edges`` is None); ConfigError
    unless they are finite and strictly increasing."""
    if edges is None:
        return PUBLISHED_BINS
    try:
        out = tuple(float(e) for e in edges)
    except (TypeError, ValueError):
        raise ConfigError(f"bins must be numbers, got {edges!r}") from None
    if not out or not all(math.isfinite(e) for e in out) or list(out) != sorted(set(out)):
        raise ConfigError(f"bins must be finite and strictly increasing, got {out}")
    return out


def bands(edges=None) -> tuple[Band, ...]:
    """The bands from lowest to highest: below the first edge, between edges, from the last."""
    e = check_edges(edges)
    return (Band(None, e[0]), *(Band(lo, hi) for lo, hi in zip(e[:-1], e[1:], strict=True)),
            Band(e[-1], None))


def band_labels(edges=None, lang: str = "zh") -> tuple[str, ...]:
    """Labels of :func:`bands`, lowest first."""
    return tuple(b.label(lang) for b in bands(edges))


def band_of(values, edges=None):
    """Index of each value's band (0 = lowest), left-closed; NaN gives -1."""
    e = np.asarray(check_edges(edges))
    arr = np.asarray(values, dtype=float)
    out = np.searchsorted(e, arr, side="right")
    out = np.where(np.isnan(arr), -1, out)
    return int(out) if out.ndim == 0 else out
