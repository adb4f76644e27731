"""Aggregation up the indicator tree, ranks with shared ties, percentiles.

Works on whole columns (numpy arrays, one entry per unit), one pass in post-order, so 40,000
units x 52 indicators is a few hundred vectorised operations.

How far each method lets indicators compensate each other (:data:`COMPENSABILITY`):

- ``arithmetic`` — full: a point lost on one indicator is bought back by ``w_j / w_k`` points
  on another, whatever the levels (constant marginal rate of substitution).
- ``geometric`` — partial: the same loss needs more compensation the weaker the indicator is
  (the rate of substitution depends on the levels), and a zero cannot be compensated at all.
  Zeros are therefore handled explicitly: with no ``geometric_offset`` a zero rate is refused
  with :class:`GeometricZeroError` naming every cell; with an offset ``e`` every child rate
  ``r`` becomes ``e + (1 - e) * r`` before the mean (0 -> e, 1 -> 1; e = 0.01 is the
  "normalise to [1, 100]" convention of the JRC/COINr), for every cell alike.
- ``copeland`` — none: a non-compensatory multi-criteria ranking (OECD-JRC Handbook 2008,
  section 6.2). For each pair of units the weights of the indicators on which one is better
  are summed and the larger sum wins the pair; only the direction of each difference counts,
  never its size. A node's score is ``node max x (wins + ties/2) / (N - 1)`` over the given
  indicators below it, weighted by their effective weights, minus the deductions below it
  (never below zero: :func:`deduct`).
  Pairwise, so O(N^2): refused above :data:`COPELAND_MAX_UNITS` units.
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
               scale: float, offset: float | None = None) -> np.ndarray:
    """Weighted geometric mean of the children's rates, in the node's points: a weak child
    cannot be fully compensated by a strong one. Rates are shifted by ``offset`` (see the
    module docstring); zeros must have been refused before when there is none."""
    total = float(sum(maxima))
    e = float(offset or 0.0)
    log = np.zeros_like(parts[0], dtype=float)
    with np.errstate(divide="ignore"):
        for p, m in zip(parts, maxima, strict=True):
            rate = np.clip(p / m, 0.0, None)
            log = log + (m / total) * np.log(e + (1.0 - e) * rate)
    return node_max * np.exp(log)


# Node-by-node aggregators; copeland works over the given indicators (``_copeland_tree``).
AGGREGATORS: dict[str, Callable] = {"arithmetic": _arithmetic, "geometric": _geometric}
# Every aggregation method and how far it lets indicators compensate each other.
COMPENSABILITY = {"arithmetic": "full", "geometric": "partial", "copeland": "none"}
COPELAND_MAX_UNITS = 5000
COPELAND_TIE = 1e-6  # weighted votes this close are a tie (the weights sum to 1)


class GeometricZeroError(DataError):
    """The geometric mean met zero rates and no offset was chosen; ``cells`` lists them as
    ``(code, indicator id, indicator name)``."""

    def __init__(self, cells: list[tuple[str, str, str]]):
        self.cells = cells
        shown = ", ".join(f"{c} {i} ({n})" for c, i, n in cells[:10])
        more = f" and {len(cells) - 10} more" if len(cells) > 10 else ""
        super().__init__(
            f"geometric aggregation: {len(cells)} zero rate(s), which would make the unit's "
            f"total 0 whatever its other indicators: {shown}{more}; set "
            "scoring.geometric_offset (e.g. 0.01: rates mapped to [0.01, 1]) or use "
            "arithmetic aggregation")

    def render(self, lang: str = "zh") -> str:
        from cityrank.i18n import t

        if lang == "en":
            shown = ", ".join(f"{c} {i} ({n})" for c, i, n in self.cells[:10])
        else:
            shown = "、".join(f"{c} {i}（{n}）" for c, i, n in self.cells[:10])
        return t("uncertainty.geometric_zero", lang, n=len(self.cells), cells=shown)


def zero_cells(system, given: dict[str, np.ndarray], codes) -> list[tuple[str, str, str]]:
    """Cells whose rate is 0 among the scored given nodes, row by row (the data's order),
    indicators in the order of the tree."""
    out = []
    codes = [str(c) for c in codes]
    for order, nid in enumerate(system.preorder()):
        node = system.nodes[nid]
        if nid not in given or node.deduction:
            continue
        for i in np.flatnonzero(np.asarray(given[nid], dtype=float) <= 0):
            out.append((i, order, (codes[i], nid, node.name)))
    return [cell for _i, _o, cell in sorted(out)]


def copeland_shares(rates: np.ndarray, weights: np.ndarray, chunk: int = 256) -> np.ndarray:
    """Share of pairwise contests each unit wins: ``rates`` (N units x K indicators, higher is
    better), ``weights`` (K,). A pair is won by the unit better on the larger total weight;
    equal weight sums (and equal values everywhere) are ties worth one half.

    >>> copeland_shares(np.array([[3., 1.], [2., 2.], [1., 3.]]), np.array([0.6, 0.4]))
    array([1. , 0.5, 0. ])
    """
    x = np.asarray(rates, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = x.shape[0]
    if n > COPELAND_MAX_UNITS:
        raise ConfigError(f"copeland aggregation compares every pair of units; {n} units is "
                          f"more than {COPELAND_MAX_UNITS} (use arithmetic or geometric)")
    if n == 1:
        return np.ones(1)
    won = np.zeros(n)
    for a in range(0, n, chunk):
        block = x[a:a + chunk]
        margin = np.zeros((block.shape[0], n))
        for k in range(x.shape[1]):
            if w[k] != 0:
                margin += w[k] * np.sign(block[:, None, k] - x[None, :, k])
        margin = np.where(np.abs(margin) <= COPELAND_TIE, 0.0, margin)
        won[a:a + chunk] = (margin > 0).sum(axis=1) + 0.5 * (margin == 0).sum(axis=1) - 0.5
    return won / (n - 1)


def deduct(score, points):
    """``score`` minus a deduction item's ``points`` (missing = 0), never below zero: the
    deduction is capped at the score it is taken from, so no total (and no node) of a system
    with deduction items goes negative (ndrc-2018's 信息安全: its published cap is unknown).

    >>> deduct(np.array([10.0, 2.0]), np.array([3.0, 5.0])).tolist()
    [7.0, 0.0]
    """
    score = np.asarray(score, dtype=float)
    points = np.nan_to_num(np.asarray(points, dtype=float))
    return score - np.minimum(points, np.maximum(score, 0.0))


def _copeland_tree(system, given: dict[str, np.ndarray]) -> tuple[dict, np.ndarray]:
    """Every node (and the total) by Copeland over the given indicators below it."""
    from .weighting import flat_weights

    ids = [g for g in given if not system.nodes[g].deduction]
    flat = flat_weights(system, ids)
    rates = {g: np.asarray(given[g], dtype=float) / system.nodes[g].max_points for g in ids}
    deductions = {g: np.nan_to_num(np.asarray(given[g], dtype=float)) for g in given
                  if system.nodes[g].deduction}
    scores: dict[str, np.ndarray] = {g: np.asarray(v, dtype=float) for g, v in given.items()}

    def below(nid, pool):
        n = system.nodes[nid]
        if nid in pool:
            return [nid]
        return [x for c in n.children for x in below(c, pool)]

    def value(nid, node_max):
        kids = below(nid, rates) if nid is not None else ids
        shares = copeland_shares(np.column_stack([rates[k] for k in kids]),
                                 np.array([flat[k] for k in kids]))
        ded = below(nid, deductions) if nid is not None else list(deductions)
        return deduct(node_max * shares, sum((deductions[d] for d in ded), np.zeros(len(shares))))

    for nid in system.postorder():
        if nid not in given and below(nid, rates):
            scores[nid] = value(nid, system.nodes[nid].max_points)
    return scores, value(None, system.total_max)


def aggregate(system, given: dict[str, np.ndarray], aggregation: str | None = None,
              geometric_offset: float | None = None,
              ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Score every node from the points ``given`` for a cut of the tree (leaves, or any
    complete set of inner nodes such as the first level of a published table).

    Returns (scores by node id, total). Deduction nodes subtract their points from the parent.
    ``geometric_offset`` is the rate shift of the geometric mean (module docstring).
    """
    method = aggregation or system.aggregation
    if method not in COMPENSABILITY:
        raise ConfigError(f"unknown aggregation {method!r} (known: "
                          f"{', '.join(COMPENSABILITY)})")
    if method == "copeland":
        return _copeland_tree(system, given)
    agg = AGGREGATORS[method]
    if method == "geometric":
        def agg(parts, maxima, node_max, scale):
            return _geometric(parts, maxima, node_max, scale, geometric_offset)
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
                val = deduct(val, compute(k.id))
        scores[nid] = val
        return val

    firsts = [system.nodes[f] for f in system.first_level]
    parts = [compute(n.id) for n in firsts if not n.deduction]
    maxima = [n.max_points for n in firsts if not n.deduction]
    total = agg(parts, maxima, system.total_max, 1.0)
    for n in firsts:
        if n.deduction:
            total = deduct(total, compute(n.id))
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
