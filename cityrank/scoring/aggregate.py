"""Aggregation up the indicator tree, ranks with shared ties, percentiles.

Works on whole columns (numpy arrays, one entry per unit), one pass in post-order, so 40,000
units x 52 indicators is a few hundred vectorised operations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from cityrank.errors import ConfigError, DataError


def _arithmetic(parts: list[np.ndarray], maxima: list[float], node_max: float,
                scale: float) -> np.ndarray:
    """Sum of the children's points, times the rescale factor of a mismatch policy."""
    return scale * np.sum(parts, axis=0)


def _geometric(parts: list[np.ndarray], maxima: list[float], node_max: float,
               scale: float) -> np.ndarray:
    """Weighted geometric mean of the children's rates, in the node's points: a weak child
    cannot be fully compensated by a strong one."""
    total = float(sum(maxima))
    log = np.zeros_like(parts[0], dtype=float)
    with np.errstate(divide="ignore"):
        for p, m in zip(parts, maxima, strict=True):
            log = log + (m / total) * np.log(np.clip(p / m, 0.0, None))
    return node_max * np.exp(log)


AGGREGATORS: dict[str, Callable] = {"arithmetic": _arithmetic, "geometric": _geometric}


def aggregate(system, given: dict[str, np.ndarray], aggregation: str | None = None,
              ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Score every node from the points ``given`` for a cut of the tree (leaves, or any
    complete set of inner nodes such as the first level of a published table).

    Returns (scores by node id, total). Deduction nodes subtract their points from the parent.
    """
    method = aggregation or system.aggregation
    if method not in AGGREGATORS:
        raise ConfigError(f"unknown aggregation {method!r} (known: {', '.join(AGGREGATORS)})")
    agg = AGGREGATORS[method]
    scores: dict[str, np.ndarray] = {}

    def compute(nid: str) -> np.ndarray:
        node = system.nodes[nid]
        if nid in given:
            scores[nid] = np.asarray(given[nid], dtype=float)
            return scores[nid]
        if node.is_leaf:
            raise DataError(f"no data for indicator {nid!r} ({node.name}) and nothing to "
                            "compute it from")
        kids = [system.nodes[c] for c in node.children]
        parts = [compute(k.id) for k in kids if not k.deduction]
        maxima = [k.max_points for k in kids if not k.deduction]
        val = agg(parts, maxima, node.max_points, node.scale)
        for k in kids:
            if k.deduction:
                val = val - np.nan_to_num(compute(k.id))
        scores[nid] = val
        return val

    firsts = [system.nodes[f] for f in system.first_level]
    parts = [compute(n.id) for n in firsts if not n.deduction]
    maxima = [n.max_points for n in firsts if not n.deduction]
    total = agg(parts, maxima, system.total_max, 1.0)
    for n in firsts:
        if n.deduction:
            total = total - np.nan_to_num(compute(n.id))
    return scores, total


def rank_desc(values, precision: int = 6) -> np.ndarray:
    """Rank 1 = best; equal values (to ``precision`` decimals) share the better rank, so two
    cities tied for 7th are both 7th and the next is 9th."""
    s = pd.Series(np.round(np.asarray(values, dtype=float), precision))
    return s.rank(ascending=False, method="min").astype("Int64").to_numpy()


def percentile(values, precision: int = 6) -> np.ndarray:
    """Share (in %) of units whose value is at most this one's; the best unit gets 100."""
    s = pd.Series(np.round(np.asarray(values, dtype=float), precision))
    return (s.rank(ascending=True, method="max", pct=True) * 100).to_numpy()
