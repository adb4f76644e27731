"""Summary figures the way evaluation reports publish them: mean, distribution over score
bins, coefficient of variation (差异系数 = std / mean, %) of every indicator, and the score
rate (得分率 = score / max) of each first-level indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cityrank.jsonsafe import num

# (label, lower inclusive, upper exclusive); None = open end. The 2017 report's bins.
DEFAULT_BINS = (
    ("≥60", 60.0, None),
    ("50–60", 50.0, 60.0),
    ("40–50", 40.0, 50.0),
    ("30–40", 30.0, 40.0),
    ("<30", None, 30.0),
)


def parse_bins(spec) -> list[tuple[str, float | None, float | None]]:
    """Bins from a list of (label, lower, upper) or of edges like [30, 40, 50, 60]."""
    if spec is None:
        return list(DEFAULT_BINS)
    spec = list(spec)
    if spec and all(isinstance(x, int | float) for x in spec):
        edges = sorted(float(x) for x in spec)
        out = [(f"≥{edges[-1]:g}", edges[-1], None)]
        for lo, hi in zip(edges[-2::-1], edges[:0:-1], strict=True):
            out.append((f"{lo:g}–{hi:g}", lo, hi))
        out.append((f"<{edges[0]:g}", None, edges[0]))
        return out
    return [(str(lbl), None if lo is None else float(lo), None if hi is None else float(hi))
            for lbl, lo, hi in spec]


def bin_counts(values, bins=None, precision: int = 6) -> list[dict]:
    v = np.round(np.asarray(values, dtype=float), precision)
    n = len(v)
    out = []
    for label, lo, hi in parse_bins(bins):
        mask = np.ones(n, dtype=bool)
        if lo is not None:
            mask &= v >= lo
        if hi is not None:
            mask &= v < hi
        c = int(mask.sum())
        out.append({"label": label, "lower": lo, "upper": hi, "count": c,
                    "share": c / n if n else None})
    return out


def cv_percent(values) -> float | None:
    """Population std / mean in %: the 差异系数 of the NDRC reports."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return None
    m = float(v.mean())
    return None if m == 0 else float(v.std(ddof=0) / m * 100)


def summarise(scores: pd.DataFrame, system, bins=None) -> dict:
    """JSON-serialisable summary of a scores table."""
    total = scores["total"].to_numpy(dtype=float)
    nodes = {}
    for nid, node in system.nodes.items():
        if nid not in scores.columns:
            continue
        col = scores[nid].to_numpy(dtype=float)
        entry = {"name": node.name, "name_en": node.name_en, "level": node.level,
                 "mean": num(np.nanmean(col)), "std": num(np.nanstd(col)),
                 "cv": num(cv_percent(col)), "max_points": node.max_points}
        if node.max_points and not node.deduction:
            entry["score_rate"] = num(np.nanmean(col) / node.max_points)
        nodes[nid] = entry
    return {
        "system": system.id,
        "n": int(len(scores)),
        "synthetic": bool(scores.attrs.get("synthetic", False)),
        "mean": num(total.mean()) if len(total) else None,
        "std": num(total.std(ddof=0)) if len(total) else None,
        "median": num(np.median(total)) if len(total) else None,
        "min": num(total.min()) if len(total) else None,
        "max": num(total.max()) if len(total) else None,
        "cv": num(cv_percent(total)),
        "bins": bin_counts(total, bins),
        "score_rates": {f: nodes[f].get("score_rate") for f in system.first_level
                        if f in nodes},
        "nodes": nodes,
    }
