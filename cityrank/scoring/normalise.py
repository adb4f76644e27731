"""Normalisation methods: raw indicator values -> achievement rate in [0, 1].

A leaf's score is ``rate * max_points``. Each method is one function in :data:`METHODS`,
selected by the ``method`` of a node in the system YAML, with the whole-column statistics it
needs in :data:`STATS`. Functions take a float array (NaN for missing), the node and the
statistics, and keep NaN as NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import ndtr

# Every method is split in two: ``stats`` reads what it needs of the WHOLE column (min/max,
# mean/sd, the sorted values) and ``apply`` maps values with those statistics, element by
# element. :func:`normalise` is ``apply(x, stats(x))``; partitioned scoring
# (:mod:`cityrank.scoring.partitioned`) computes the statistics once over all units and applies
# them to each partition, so both give the same numbers exactly.


def _no_stats(x: np.ndarray, node) -> dict:
    return {}


def _points(x: np.ndarray, node, stats: dict) -> np.ndarray:
    """Values already are points out of the node's max (published assessments)."""
    return x / node.max_points


def _minmax_stats(x: np.ndarray, node) -> dict:
    if np.isnan(x).all():
        return {"lo": np.nan, "hi": np.nan}
    return {"lo": np.nanmin(x), "hi": np.nanmax(x)}


def _minmax(x: np.ndarray, node, stats: dict) -> np.ndarray:
    """Best city 1, worst 0; invariant to a change of unit (x -> a*x + b, a > 0).
    A constant column gives every city 1: nobody is behind anybody."""
    lo, hi = stats["lo"], stats["hi"]
    if not np.isfinite(hi) or hi == lo:
        return np.where(np.isnan(x), np.nan, 1.0)
    r = (x - lo) / (hi - lo)
    return 1.0 - r if node.direction == "lower" else r


def _zscore_stats(x: np.ndarray, node) -> dict:
    if np.isnan(x).all():
        return {"mu": np.nan, "sd": np.nan}
    return {"mu": np.nanmean(x), "sd": np.nanstd(x)}


def _zscore(x: np.ndarray, node, stats: dict) -> np.ndarray:
    """Standard score mapped through the normal CDF, so it can be weighted like other rates."""
    mu, sd = stats["mu"], stats["sd"]
    if not np.isfinite(sd) or sd == 0:
        return np.where(np.isnan(x), np.nan, 0.5)
    z = (x - mu) / sd
    if node.direction == "lower":
        z = -z
    return ndtr(z)


def _rank_stats(x: np.ndarray, node) -> dict:
    ok = ~np.isnan(x)
    v = -x[ok] if node.direction == "lower" else x[ok]
    return {"sorted": np.sort(v)}


def _rank(x: np.ndarray, node, stats: dict) -> np.ndarray:
    """Percentile rank (average ties, as ``scipy.stats.rankdata(method="average")``): robust
    to outliers, discards distances. The average rank of a value is found in the sorted
    column: (number below + number at most + 1) / 2."""
    srt = stats["sorted"]
    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    n = int(srt.size)
    if n == 0 or not ok.any():
        return out
    v = -x[ok] if node.direction == "lower" else x[ok]
    if n == 1:
        out[ok] = 1.0
        return out
    below = np.searchsorted(srt, v, side="left")
    at_most = np.searchsorted(srt, v, side="right")
    r = 0.5 * (below + at_most + 1)
    out[ok] = (r - 1) / (n - 1)
    return out


def _goalposts(x: np.ndarray, node, stats: dict) -> np.ndarray:
    """Fixed worst/best values (HDI style), clipped: scores stay comparable across years."""
    worst, best = node.goalposts
    return np.clip((x - worst) / (best - worst), 0.0, 1.0)


METHODS: dict[str, Callable[[np.ndarray, object, dict], np.ndarray]] = {
    "points": _points,
    "minmax": _minmax,
    "zscore": _zscore,
    "rank": _rank,
    "goalposts": _goalposts,
}
STATS: dict[str, Callable[[np.ndarray, object], dict]] = {
    "points": _no_stats,
    "minmax": _minmax_stats,
    "zscore": _zscore_stats,
    "rank": _rank_stats,
    "goalposts": _no_stats,
}
"""The whole-column statistics each method needs (``{}``: none)."""


def column_stats(values, node, method: str | None = None) -> dict:
    """The statistics of a whole column that ``method`` (default the node's) needs."""
    return STATS[method or node.method](np.asarray(values, dtype=float), node)


def apply(values, node, stats: dict, method: str | None = None) -> np.ndarray:
    """Rates of ``values`` (any subset of the units) given the whole column's ``stats``."""
    return METHODS[method or node.method](np.asarray(values, dtype=float), node, stats)


def normalise(values, node) -> np.ndarray:
    """Rate in [0, 1] for one indicator column, by the node's method."""
    x = np.asarray(values, dtype=float)
    return apply(x, node, column_stats(x, node))


def given_rates(system, data, method: str | None = None):
    """Achievement rates in [0, 1] of the nodes whose scores come from ``data`` (deductions
    left out): a table indexed like ``data``, one column per scored given node.

    ``method=None`` uses each node's own method for leaves and reads inner nodes (a published
    table's first level, say) as points out of their maximum; a method name applies that
    method to every given node, keeping each node's direction (``goalposts`` needs goalposts).
    """
    import pandas as pd

    from cityrank.errors import ConfigError

    from .engine import given_nodes

    if method is not None and method not in METHODS:
        raise ConfigError(f"unknown normalisation method {method!r} (known: "
                          f"{', '.join(METHODS)})")
    out = {}
    for nid in given_nodes(system, data.columns):
        node = system.nodes[nid]
        if node.deduction:
            continue
        x = data[nid].to_numpy(dtype=float)
        if method is None:
            out[nid] = normalise(x, node) if node.is_leaf else x / node.max_points
        elif method == "goalposts" and node.goalposts is None:
            raise ConfigError(f"normalisation goalposts: indicator {nid!r} ({node.name}) has "
                              "no goalposts")
        elif method == "points":
            out[nid] = x / node.max_points
        else:
            out[nid] = apply(x, node, column_stats(x, node, method), method)
    return pd.DataFrame(out, index=data.index)
