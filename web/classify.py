"""Map classification methods, selected by name from a registry, and the colour ramp.

Natural breaks use Fisher-Jenks (deterministic) rather than mapclassify's k-means based
``NaturalBreaks``, so the same data always gives the same map without a seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mapclassify
import numpy as np

# ColorBrewer YlGnBu (light = low, dark = high): readable on both light and dark backgrounds.
PALETTES: dict[int, list[str]] = {
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
}
STATUS_COLOURS = {
    "not_evaluated": "#cfcfcf",
    "no_data": "#f2f2f2",
    "hmt": "#e4e4e4",
}


class ClassificationError(ValueError):
    """Unknown method or unusable values; web turns it into HTTP 400."""


@dataclass
class Classes:
    method: str
    upper: list[float]  # upper bound of each class (last = max)
    lower: float
    colours: list[str]

    def colour(self, value: float) -> str:
        for ub, colour in zip(self.upper, self.colours, strict=True):
            if value <= ub + 1e-9:
                return colour
        return self.colours[-1]

    def labels(self, fmt: str = "{:.1f}") -> list[str]:
        out, lo = [], self.lower
        for ub in self.upper:
            out.append(f"{fmt.format(lo)} – {fmt.format(ub)}")
            lo = ub
        return out


def _mc(cls) -> Callable:
    def run(values: np.ndarray, k: int, bins: Sequence[float] | None) -> list[float]:
        return [float(b) for b in cls(values, k=min(k, len(np.unique(values)))).bins]

    return run


def _published(values: np.ndarray, k: int, bins: Sequence[float] | None) -> list[float]:
    if not bins:
        raise ClassificationError("this dataset/indicator has no published bins")
    cuts = sorted(float(b) for b in bins if values.min() < float(b) < values.max())
    return cuts + [float(values.max())]


METHODS: dict[str, Callable] = {
    "quantiles": _mc(mapclassify.Quantiles),
    "natural_breaks": _mc(mapclassify.FisherJenks),
    "equal_interval": _mc(mapclassify.EqualInterval),
    "published": _published,
}


def classify(values, method: str = "quantiles", k: int = 5, bins=None) -> Classes:
    """Classify ``values``; ``bins`` are published class boundaries (only for 'published')."""
    if method not in METHODS:
        raise ClassificationError(f"unknown classification {method!r}; choose one of {', '.join(METHODS)}")
    if not 3 <= k <= 7:
        raise ClassificationError(f"k must be between 3 and 7, got {k}")
    arr = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if arr.size == 0:
        raise ClassificationError("no values to classify")
    if np.unique(arr).size < 2:
        upper = [float(arr.max())]
    else:
        upper = METHODS[method](arr, k, bins)
    upper = sorted(set(upper))
    palette = PALETTES[max(3, min(7, len(upper)))] if len(upper) >= 3 else PALETTES[3][-len(upper):]
    return Classes(method=method, upper=upper, lower=float(arr.min()), colours=palette[: len(upper)])
