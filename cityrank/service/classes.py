"""Colours of the maps over the ONE classifier, ``geo.classify``, and the ONE colour scheme.

Class breaks (quantiles, natural breaks = Fisher-Jenks, equal interval, the published 2017
bands) come from ``geo.classify`` in Python and from the map client's ``classify.js`` in the
browser (tested equal); the class colours are ``geo.map_style.class_colours`` (ColorBrewer's
scheme of ``DEFAULT_CMAP``) and the greys of units without a class are ``map_style.NEUTRAL``,
so the print map and the web map look the same.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from cityrank.errors import CityrankError
from cityrank.geo.classify import CLASSIFIERS
from cityrank.geo.map_style import DEFAULT_CMAP, NEUTRAL, class_colours

K_RANGE = range(3, 8)
"""Classes a web map offers (3-7)."""
PALETTES: dict[int, list[str]] = {k: class_colours(k, DEFAULT_CMAP) for k in range(1, K_RANGE.stop)}
"""k -> the class colours of a k-class web map (light = low); fewer than 3 when the values
have fewer distinct values than the classes asked for."""

# A map status -> its neutral style in map_style.NEUTRAL (the print map's legend entries).
STATUS_STYLES = {"not_evaluated": "not_evaluated", "no_data": "no_data", "hmt": "sar",
                 "taiwan": "taiwan_no_data"}
STATUS_COLOURS = {status: NEUTRAL[style]["facecolor"] for status, style in STATUS_STYLES.items()}
METHODS = tuple(CLASSIFIERS)  # the one registry of classification methods


def status_styles() -> dict[str, dict]:
    """Fill, edge and hatch of each neutral status, for the map client (print's NEUTRAL)."""
    return {status: {"fill": NEUTRAL[style]["facecolor"], "edge": NEUTRAL[style]["edgecolor"],
                     "hatch": bool(NEUTRAL[style]["hatch"])}
            for status, style in STATUS_STYLES.items()}


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


def classify(values, method: str = "quantiles", k: int = 5, bins=None, lang: str = "zh") -> Classes:
    """Classify ``values`` (in order) with ``geo.classify``; ``bins`` only for 'published', whose
    band labels are in ``lang``."""
    if method not in METHODS:
        raise ClassificationError(f"unknown classification {method!r}; choose one of {', '.join(METHODS)}")
    if k not in K_RANGE:
        raise ClassificationError(f"k must be between {K_RANGE.start} and {K_RANGE.stop - 1}, got {k}")
    from cityrank.geo.classify import classify as geo_classify

    try:
        with warnings.catch_warnings():
            # mapclassify's FisherJenks says it runs without numba: true, and harmless here.
            warnings.filterwarnings("ignore", message="Numba not installed")
            cl = geo_classify(np.asarray(values, dtype=float), method, k, bins=bins, lang=lang)
    except CityrankError as exc:
        raise ClassificationError(str(exc)) from exc
    n = len(cl.labels)
    return Classes(method=cl.method, labels=list(cl.labels), colours=class_colours(n, DEFAULT_CMAP),
                   yb=np.asarray(cl.yb))
