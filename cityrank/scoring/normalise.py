"""Normalisation methods: raw indicator values -> achievement rate in [0, 1].

A leaf's score is ``rate * max_points``. Each method is one function in :data:`METHODS`,
selected by the ``method`` of a node in the system YAML. Functions take a float array (NaN
for missing) and the node, work on whole columns at once, and keep NaN as NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import ndtr


def _points(x: np.ndarray, node) -> np.ndarray:
    """Values already are points out of the node's max (published assessments)."""
    return x / node.max_points


def _minmax(x: np.ndarray, node) -> np.ndarray:
    """Best city 1, worst 0; invariant to a change of unit (x -> a*x + b, a > 0).
    A constant column gives every city 1: nobody is behind anybody."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    if not np.isfinite(hi) or hi == lo:
        return np.where(np.isnan(x), np.nan, 1.0)
    r = (x - lo) / (hi - lo)
    return 1.0 - r if node.direction == "lower" else r


def _zscore(x: np.ndarray, node) -> np.ndarray:
    """Standard score mapped through the normal CDF, so it can be weighted like other rates."""
    mu, sd = np.nanmean(x), np.nanstd(x)
    if not np.isfinite(sd) or sd == 0:
        return np.where(np.isnan(x), np.nan, 0.5)
    z = (x - mu) / sd
    if node.direction == "lower":
        z = -z
    return ndtr(z)


def _rank(x: np.ndarray, node) -> np.ndarray:
    """Percentile rank (average ties): robust to outliers, discards distances."""
    from scipy.stats import rankdata

    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    n = int(ok.sum())
    if n == 0:
        return out
    v = -x[ok] if node.direction == "lower" else x[ok]
    out[ok] = 1.0 if n == 1 else (rankdata(v, method="average") - 1) / (n - 1)
    return out


def _goalposts(x: np.ndarray, node) -> np.ndarray:
    """Fixed worst/best values (HDI style), clipped: scores stay comparable across years."""
    worst, best = node.goalposts
    return np.clip((x - worst) / (best - worst), 0.0, 1.0)


METHODS: dict[str, Callable[[np.ndarray, object], np.ndarray]] = {
    "points": _points,
    "minmax": _minmax,
    "zscore": _zscore,
    "rank": _rank,
    "goalposts": _goalposts,
}


def normalise(values, node) -> np.ndarray:
    """Rate in [0, 1] for one indicator column, by the node's method."""
    x = np.asarray(values, dtype=float)
    return METHODS[node.method](x, node)


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
            out[nid] = METHODS[method](x, node)
    return pd.DataFrame(out, index=data.index)
