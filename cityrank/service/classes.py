"""Colours for the interactive map on top of the ONE classifier, ``geo.classify``.

The class breaks (quantiles, natural breaks = Fisher-Jenks, equal interval, the published
2017 bands) come from ``geo.classify`` so the web map and the print map agree; this module
only adds the colour ramp and the neutral greys of units without a class.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from cityrank.errors import CityrankError
from cityrank.geo.classify import CLASSIFIERS
from cityrank.geo.classify import classify as geo_classify

# ColorBrewer YlGnBu (geo.map_style.DEFAULT_CMAP), light = low, dark = high.
PALETTES: dict[int, list[str]] = {
    1: ["#41b6c4"],
    2: ["#a1dab4", "#2c7fb8"],
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
}
STATUS_COLOURS = {
    "not_evaluated": "#cccccc",
    "no_data": "#ffffff",
    "hmt": "#bdbdbd",
}
METHODS = tuple(CLASSIFIERS)  # the one registry of classification methods


class ClassificationError(ValueError):
    """Unknown method or unusable values; web turns it into HTTP 400."""


@dataclass
class Classes:
    method: str
    labels: list[str]
    colours: list[str]
    yb: np.ndarray  # class of each input value (-1 = missing)

    def colour_at(self, i: int) -> str | None:
        c = int(self.yb[i])
        return None if c < 0 else self.colours[c]


def classify(values, method: str = "quantiles", k: int = 5, bins=None) -> Classes:
    """Classify ``values`` (in order) with ``geo.classify``; ``bins`` only for 'published'."""
    if method not in METHODS:
        raise ClassificationError(f"unknown classification {method!r}; choose one of {', '.join(METHODS)}")
    if not 3 <= k <= 7:
        raise ClassificationError(f"k must be between 3 and 7, got {k}")
    try:
        with warnings.catch_warnings():
            # mapclassify's FisherJenks says it runs without numba: true, and harmless here.
            warnings.filterwarnings("ignore", message="Numba not installed")
            cl = geo_classify(np.asarray(values, dtype=float), method, k, bins=bins)
    except CityrankError as exc:
        raise ClassificationError(str(exc)) from exc
    n = len(cl.labels)
    palette = PALETTES[min(n, 7)]
    return Classes(method=cl.method, labels=list(cl.labels), colours=palette[:n], yb=np.asarray(cl.yb))
