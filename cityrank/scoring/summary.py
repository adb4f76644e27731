"""Summary figures the way evaluation reports publish them: mean, distribution over score
bins, coefficient of variation (差异系数, :func:`cv_percent`) of every indicator, and the score
rate (得分率 = score / max) of each first-level indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cityrank.jsonsafe import num

from .bins import bands

CV_DDOF = 0
"""Degrees of freedom of the standard deviation in the CV (and of the ``std`` reported beside
it): 0, the population standard deviation. See :func:`cv_percent`."""


def parse_bins(spec, lang: str = "zh") -> list[tuple[str, float | None, float | None]]:
    """Bins as (label, lower inclusive, upper exclusive), highest first (the reports' order).

    ``spec`` is None (the published bins), inner edges like ``[30, 40, 50, 60]``, or a list
    of (label, lower, upper). Edges get the labels of :mod:`cityrank.scoring.bins` in ``lang``.
    """
    if spec is not None:
        spec = list(spec)
    if spec is None or (spec and all(isinstance(x, int | float) for x in spec)):
        return [(b.label(lang), b.lower, b.upper) for b in reversed(bands(spec))]
    return [(str(lbl), None if lo is None else float(lo), None if hi is None else float(hi))
            for lbl, lo, hi in spec]


def bin_counts(values, bins=None, precision: int = 6, lang: str = "zh") -> list[dict]:
    v = np.round(np.asarray(values, dtype=float), precision)
    n = len(v)
    out = []
    for label, lo, hi in parse_bins(bins, lang):
        mask = np.ones(n, dtype=bool)
        if lo is not None:
            mask &= v >= lo
        if hi is not None:
            mask &= v < hi
        c = int(mask.sum())
        out.append({"label": label, "lower": lo, "upper": hi, "count": c,
                    "share": c / n if n else None})
    return out


def cv_percent(values) -> float:
    """Coefficient of variation (差异系数) in %: standard deviation ÷ mean × 100, over the
    finite values, with the *population* standard deviation (ddof = 0, :data:`CV_DDOF`).

    Why ddof = 0: the national new-type smart city evaluation reports 差异系数 as 标准差 ÷
    平均值 over *all* the cities it evaluated (信息资源 62.76 %), i.e. a description of the
    whole evaluated population, not an estimate for a larger one from a sample; the same
    holds for a region or a city cluster, which is all of its evaluated members. (On the
    bundled top-10 dataset, ``ndrc-2017-top10``, ddof = 0 gives 4.82 % and ddof = 1 5.08 %.)
    Every CV of cityrank -- the scores summary, the regional and cluster disparity, the
    analysis report -- comes from this function; the reports define it in words with the
    catalogue string ``common.cv_definition``.

    NaN when there is no value or the mean is 0 (undefined); :func:`cityrank.jsonsafe.num`
    turns that into ``null``.

    >>> round(cv_percent([1, 2, 3]), 4)
    40.8248
    >>> cv_percent([0, 0])
    nan
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0 or v.mean() == 0:
        return float("nan")
    return float(v.std(ddof=CV_DDOF) / v.mean() * 100.0)


def std(values) -> float:
    """The standard deviation reported beside a CV (population, :data:`CV_DDOF`), so that
    ``std / mean`` is the CV shown next to it; NaN without values."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    return float(v.std(ddof=CV_DDOF)) if v.size else float("nan")


def summarise(scores: pd.DataFrame, system, bins=None, lang: str = "zh") -> dict:
    """JSON-serialisable summary of a scores table (bin labels in ``lang``)."""
    total = scores["total"].to_numpy(dtype=float)
    nodes = {}
    for nid, node in system.nodes.items():
        if nid not in scores.columns:
            continue
        col = scores[nid].to_numpy(dtype=float)
        entry = {"name": node.name, "name_en": node.name_en, "level": node.level,
                 "mean": num(np.nanmean(col)), "std": num(std(col)),
                 "cv": num(cv_percent(col)), "max_points": node.max_points}
        if node.max_points and not node.deduction:
            entry["score_rate"] = num(np.nanmean(col) / node.max_points)
        nodes[nid] = entry
    return {
        "system": system.id,
        "n": int(len(scores)),
        "synthetic": bool(scores.attrs.get("synthetic", False)),
        "mean": num(total.mean()) if len(total) else None,
        "std": num(std(total)) if len(total) else None,
        "median": num(np.median(total)) if len(total) else None,
        "min": num(total.min()) if len(total) else None,
        "max": num(total.max()) if len(total) else None,
        "cv": num(cv_percent(total)),
        "bins": bin_counts(total, bins, lang=lang),
        "score_rates": {f: nodes[f].get("score_rate") for f in system.first_level
                        if f in nodes},
        "nodes": nodes,
    }
