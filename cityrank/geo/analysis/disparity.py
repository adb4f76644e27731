"""Regional disparity in the form evaluation reports use, with bootstrap uncertainty.

Reports say "East is 4.3 points above the national mean score rate" and give the
coefficient of variation (差异系数 = std / mean, %) per indicator: the one definition of
:func:`cityrank.scoring.summary.cv_percent` (population std, all evaluated cities), with the
``std`` beside it computed the same way. We compute exactly those
numbers per group (the four NBS regions, or provinces), plus Theil's index split into
between- and within-group parts (inequality.theil.TheilD) and the Gini (inequality.gini),
and attach a seeded stratified bootstrap 95% interval to every gap and index, because a
region of 30 cities has a wide sampling spread and a bare difference overstates certainty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from inequality.gini import Gini
from inequality.theil import TheilD

from cityrank.errors import DataError
from cityrank.jsonsafe import num
from cityrank.scoring.summary import cv_percent, std


def _boot_groups(y: np.ndarray, labels: np.ndarray, groups: list, n_boot: int, rng) -> dict:
    """Stratified bootstrap: resample within each group; return group means and pooled arrays."""
    idx_by_group = {g: np.flatnonzero(labels == g) for g in groups}
    means = {g: np.empty(n_boot) for g in groups}
    pooled_sum = np.zeros(n_boot)
    for start, stop in _chunks(n_boot, y.size):
        for g, idx in idx_by_group.items():
            vals = y[idx][rng.integers(0, idx.size, size=(stop - start, idx.size))]
            means[g][start:stop] = vals.mean(axis=1)
            pooled_sum[start:stop] += vals.sum(axis=1)
    national = pooled_sum / sum(idx.size for idx in idx_by_group.values())
    return {"means": means, "national": national}


def _chunks(n_boot: int, n: int, cells: int = 4_000_000):
    """Draw ranges keeping each (draws x n) block near ``cells`` values (memory on 40k units)."""
    step = max(1, cells // max(n, 1))
    for start in range(0, n_boot, step):
        yield start, min(n_boot, start + step)


def _ci(draws: np.ndarray) -> list:
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return [None, None]
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return [num(lo), num(hi)]


def ci_text(ci, extra: str | None = None, digits: int = 2) -> str:
    """' (95% CI a to b[, extra])', or ' (extra)' / '' when there is no interval."""
    parts = []
    if ci and ci[0] is not None and ci[1] is not None:
        parts.append(f"95% CI {ci[0]:+.{digits}f} to {ci[1]:+.{digits}f}")
    if extra:
        parts.append(extra)
    return f" ({', '.join(parts)})" if parts else ""


def _statement(name: str, gap_pp: float | None, gap_points: float, ci, unit: str) -> str:
    if gap_pp is not None:
        word = "above" if gap_pp >= 0 else "below"
        return (f"{name} is {abs(gap_pp):.1f} percentage points {word} the national mean score rate"
                f"{ci_text(ci, digits=1)}.")
    word = "above" if gap_points >= 0 else "below"
    return f"{name} is {abs(gap_points):.2f}{unit} {word} the national mean{ci_text(ci)}."


def group_disparity(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    max_value: float | None = None,
    indicators: dict[str, float | None] | None = None,
    group_names: dict[str, str] | None = None,
    n_boot: int = 999,
    seed: int | None = 12345,
) -> dict:
    """Means, score rates and gaps of each group against the national value, with 95% CIs.

    ``max_value`` turns means into score rates (mean / max, in %) and gaps into percentage
    points; ``indicators`` maps indicator columns to their maxima for the per-region CV
    table. Rows with a missing value or group are left out and counted.
    """
    for col in (value, group):
        if col not in df.columns:
            raise DataError(f"disparity: column {col!r} not in the table")
    # dict.fromkeys: the value may itself be one of the indicators (value=perception)
    cols = list(dict.fromkeys([value, group] + [c for c in (indicators or {}) if c in df.columns]))
    data = df[cols].copy()
    data[value] = pd.to_numeric(data[value], errors="coerce")
    keep = data[value].notna() & data[group].notna() & (data[group].astype(str) != "")
    dropped = int((~keep).sum())
    data = data[keep]
    if len(data) < 3:
        raise DataError(f"disparity: fewer than 3 units with {value!r} and {group!r}")
    y = data[value].to_numpy(dtype=float)
    labels = data[group].astype(str).to_numpy()
    # Highest mean first; equal means by name, never by set order (string hashes vary between
    # runs, and the order of groups is the order of the seeded bootstrap draws).
    groups = sorted(set(labels), key=lambda g: (-np.mean(y[labels == g]), g))
    names = group_names or {}
    rng = np.random.default_rng(seed)
    boot = _boot_groups(y, labels, groups, n_boot, rng) if n_boot else None
    nat_mean = float(y.mean())
    rate = (lambda m: m / max_value * 100.0) if max_value else None
    rows = []
    for g in groups:
        vals = y[labels == g]
        mean = float(vals.mean())
        gap_points = mean - nat_mean
        gap_pp = (rate(mean) - rate(nat_mean)) if rate else None
        if boot is not None:
            gdraws = boot["means"][g] - boot["national"]
            ci_points = _ci(gdraws)
            ci = _ci(gdraws / max_value * 100.0) if rate else ci_points
        else:
            ci_points = ci = [None, None]
        shown = names.get(g, g)
        rows.append(
            {
                "group": g,
                "name": shown,
                "n": int(vals.size),
                "mean": num(mean),
                "std": num(std(vals)),
                "cv_percent": num(cv_percent(vals)),
                "score_rate_percent": num(rate(mean)) if rate else None,
                "gap_points": num(gap_points),
                "gap_points_ci95": ci_points,
                "gap_rate_pp": num(gap_pp) if gap_pp is not None else None,
                "gap_rate_pp_ci95": ci if rate else None,
                "statement": _statement(shown, gap_pp, gap_points, ci, " points"),
            }
        )
    cv_table, rate_table = {}, {}
    for col, mx in (indicators or {}).items():
        if col not in data.columns:
            continue
        vals = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
        cv_table[col] = {"national": num(cv_percent(vals))}
        for g in groups:
            cv_table[col][g] = num(cv_percent(vals[labels == g]))
        if mx:
            rate_table[col] = _indicator_rates(col, vals, labels, groups, float(mx), names)
    return {
        "value": value,
        "group_by": group,
        "n": int(y.size),
        "dropped_missing": dropped,
        "national": {
            "mean": num(nat_mean),
            "std": num(std(y)),
            "cv_percent": num(cv_percent(y)),
            "score_rate_percent": num(rate(nat_mean)) if rate else None,
        },
        "max_value": max_value,
        "groups": rows,
        "cv_by_indicator_percent": cv_table,
        "score_rate_by_indicator_percent": rate_table,
        "inequality": inequality_indices(y, labels, n_boot=n_boot, seed=seed),
        "bootstrap": {"replicates": int(n_boot), "seed": seed, "scheme": "stratified by group"},
    }


def _indicator_rates(col: str, vals: np.ndarray, labels: np.ndarray, groups: list, mx: float,
                     names: dict) -> dict:
    """Mean score rate (%) of one indicator per group, and highest / lowest group ratio.

    The form of "on 信息资源 the East's mean score rate was more than twice the lowest
    region's" in the 2019 evaluation report.
    """
    rates = {"national": num(np.nanmean(vals) / mx * 100.0)}
    per = {g: float(np.nanmean(vals[labels == g]) / mx * 100.0) for g in groups}
    rates.update({g: num(v) for g, v in per.items()})
    hi = max(per, key=per.get)
    lo = min(per, key=per.get)
    ratio = per[hi] / per[lo] if per[lo] > 0 else None
    rates["highest"], rates["lowest"], rates["ratio_highest_to_lowest"] = hi, lo, num(ratio)
    if ratio is not None:
        rates["statement"] = (f"On {col}, {names.get(hi, hi)}'s mean score rate ({per[hi]:.1f}%) is "
                              f"{ratio:.2f} times {names.get(lo, lo)}'s ({per[lo]:.1f}%).")
    return rates


def inequality_indices(y, labels, *, n_boot: int = 999, seed: int | None = 12345) -> dict:
    """Theil T with its between/within-group decomposition and the Gini, with bootstrap CIs.

    Theil and Gini need positive values; units with a score <= 0 make both undefined and
    are reported as such rather than shifted.
    """
    y = np.asarray(y, dtype=float)
    labels = np.asarray(labels)
    if np.any(y <= 0):
        return {"theil": None, "gini": None, "note": "values <= 0: Theil and Gini undefined"}
    codes = pd.factorize(labels)[0]
    td = TheilD(y, codes)
    theil_t = float(td.T)
    between = float(np.ravel(td.bg)[0])
    within = float(np.ravel(td.wg)[0])
    gini = float(Gini(y).g)
    out = {
        "theil": {
            "T": num(theil_t),
            "between": num(between),
            "within": num(within),
            "between_share_percent": num(between / theil_t * 100.0) if theil_t > 0 else None,
        },
        "gini": {"G": num(gini)},
    }
    if n_boot:
        rng = np.random.default_rng(None if seed is None else seed + 1)
        idx_by = [np.flatnonzero(codes == g) for g in np.unique(codes)]
        t_draw, b_draw, g_draw = np.empty(n_boot), np.empty(n_boot), np.empty(n_boot)
        for start, stop in _chunks(n_boot, y.size):
            pick = np.concatenate([ix[rng.integers(0, ix.size, (stop - start, ix.size))] for ix in idx_by], axis=1)
            yb = y[pick]  # (draws, n): stratified resamples, group blocks in the same order
            t_draw[start:stop], b_draw[start:stop] = theil_decomposition(yb, codes[pick[0]])
            g_draw[start:stop] = [_gini_fast(row) for row in yb]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(t_draw > 0, b_draw / t_draw * 100.0, np.nan)
        out["theil"]["T_ci95"] = _ci(t_draw)
        out["theil"]["between_share_ci95"] = _ci(share)
        out["gini"]["G_ci95"] = _ci(g_draw)
    return out


def theil_decomposition(y: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Theil T and its between-group part for each row of ``y`` (rows = bootstrap draws).

    The same formulas as inequality.theil.TheilD (cross-checked in the tests), vectorised
    over draws because a 999-draw bootstrap through TheilD's per-call setup takes seconds.
    """
    y = np.atleast_2d(y)
    n = y.shape[1]
    mu = y.mean(axis=1, keepdims=True)
    s = y / mu
    total = np.mean(s * np.log(s), axis=1)
    between = np.zeros(y.shape[0])
    for g in np.unique(codes):
        m = codes == g
        share_n = m.sum() / n
        r = y[:, m].mean(axis=1) / mu[:, 0]
        between += share_n * r * np.log(r)
    return total, between


def _gini_fast(y: np.ndarray) -> float:
    """Gini by the sorted-rank formula (same value as inequality.gini.Gini, far faster in loops)."""
    s = np.sort(y)
    n = s.size
    i = np.arange(1, n + 1)
    return float((2 * np.sum(i * s) / (n * s.sum())) - (n + 1) / n)


# --- population-weighted Theil and Gini ----------------------------------------------------
# Regional inequality is usually reported weighted by population: each unit counts as many
# times as it has people, so a sparsely populated prefecture does not weigh as much as
# Chongqing. With weights p_i (population), values y_i, P = sum p, mu = sum p y / P:
#
#   Theil T_w = sum_i (p_i / P) (y_i / mu) ln(y_i / mu)
#             = sum_g S_g ln(mu_g / mu)  [between]  +  sum_g S_g T_w,g  [within],
#     S_g = sum_{i in g} p_i y_i / sum_i p_i y_i  (group g's share of the total)
#   Gini  G_w = sum_i sum_j p_i p_j |y_i - y_j| / (2 P^2 mu)
#             = 1 - sum_i (p_i / P) (L_{i-1} + L_i)   over units sorted by y, L the Lorenz curve.
#
# With integer weights both equal the unweighted indices of the data with unit i repeated p_i
# times (inequality.theil.TheilD / inequality.gini.Gini), which the tests check.


def _weighted_inputs(y, weights, labels=None):
    y = np.asarray(y, dtype=float).ravel()
    p = np.asarray(weights, dtype=float).ravel()
    if y.shape != p.shape:
        raise DataError(f"weighted inequality: {y.size} values but {p.size} weights")
    if not (np.all(np.isfinite(p)) and np.all(p > 0)):
        raise DataError("weighted inequality: weights must be positive numbers (population > 0)")
    if not (np.all(np.isfinite(y)) and np.all(y > 0)):
        raise DataError("weighted inequality: values must be positive (Theil and Gini are undefined otherwise)")
    codes = pd.factorize(np.asarray(labels))[0] if labels is not None else np.zeros(y.size, dtype=int)
    return y, p, codes


def weighted_theil(y, weights, labels=None) -> dict:
    """Population-weighted Theil T and, with ``labels``, its between/within-group split.

    >>> round(weighted_theil([1.0, 3.0], [3.0, 1.0])["T"], 6)  # = Theil of [1, 1, 1, 3]
    0.143841
    """
    y, p, codes = _weighted_inputs(y, weights, labels)
    share_p = p / p.sum()
    mu = float(share_p @ y)
    r = y / mu
    total = float(np.sum(share_p * r * np.log(r)))
    between = 0.0
    for g in np.unique(codes):
        m = codes == g
        s_g = float(np.sum(p[m] * y[m]) / np.sum(p * y))
        mu_g = float(np.sum(p[m] * y[m]) / np.sum(p[m]))
        between += s_g * np.log(mu_g / mu)
    return {"T": total, "between": float(between), "within": total - float(between),
            "between_share_percent": float(between / total * 100.0) if total > 0 else None}


def weighted_gini(y, weights) -> float:
    """Population-weighted Gini (Lorenz-curve form; equals the mean-difference form).

    >>> round(weighted_gini([1.0, 3.0], [3.0, 1.0]), 6)  # = Gini of [1, 1, 1, 3]
    0.25
    """
    y, p, _ = _weighted_inputs(y, weights)
    order = np.argsort(y, kind="stable")
    ys, ps = y[order], p[order]
    lorenz = np.cumsum(ps * ys) / np.sum(ps * ys)
    prev = np.concatenate([[0.0], lorenz[:-1]])
    return float(1.0 - np.sum(ps / ps.sum() * (prev + lorenz)))


def weighted_inequality(y, weights, labels=None, *, weight_name: str = "weight", n_boot: int = 999,
                        seed: int | None = 12345) -> dict:
    """Weighted Theil (with the group split when ``labels`` are given) and Gini, with a seeded
    bootstrap 95% interval (units resampled with their weights, within groups)."""
    y, p, codes = _weighted_inputs(y, weights, labels)
    th = weighted_theil(y, p, codes if labels is not None else None)
    out = {"weighted_by": weight_name, "n": int(y.size), "total_weight": num(p.sum()),
           "weighted_mean": num(float(p @ y / p.sum())),
           "theil": {k: num(v) for k, v in th.items()}, "gini": {"G": num(weighted_gini(y, p))},
           "formula": "T_w = sum (p_i/P)(y_i/mu) ln(y_i/mu); G_w = sum_ij p_i p_j |y_i - y_j| / (2 P^2 mu)"}
    if n_boot:
        rng = np.random.default_rng(None if seed is None else seed + 2)
        idx_by = [np.flatnonzero(codes == g) for g in np.unique(codes)]
        t_draw, g_draw = np.empty(n_boot), np.empty(n_boot)
        for b in range(n_boot):
            pick = np.concatenate([ix[rng.integers(0, ix.size, ix.size)] for ix in idx_by])
            t_draw[b] = weighted_theil(y[pick], p[pick])["T"]
            g_draw[b] = weighted_gini(y[pick], p[pick])
        out["theil"]["T_ci95"] = _ci(t_draw)
        out["gini"]["G_ci95"] = _ci(g_draw)
        out["bootstrap"] = {"replicates": int(n_boot), "seed": seed, "scheme": "units with their weights"
                            + (", stratified by group" if labels is not None else "")}
    return out
