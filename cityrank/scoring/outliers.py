"""Outliers by COINr's rule, treated by winsorisation or a log transform, reported per indicator.

An indicator *has outliers* when ``|skewness| > 2`` and ``kurtosis > 3.5`` (COINr's
``check_SkewKurt``; skewness and excess kurtosis are the bias-corrected sample statistics of
e1071's type 2, the same as Excel's SKEW and KURT, i.e. ``scipy.stats.skew(bias=False)`` and
``scipy.stats.kurtosis(bias=False)``).

Treatments (:data:`TREATMENTS`), applied to raw values before normalisation and only to the
indicators that fail the rule:

- ``winsorise`` (COINr's default): the most extreme value on the side of the skew is replaced
  by the next one, one step at a time, until the rule passes or ``winmax`` values (default 5)
  have been changed; if it still fails, the original column is log-transformed instead.
- ``log``: COINr's ``log_CT``, ``ln(x - min + 0.01 (max - min))`` (monotone, so ranks within
  the indicator and its direction are kept).
- ``none``: detection only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import kurtosis, skew

from cityrank.errors import ConfigError

SKEW_LIMIT = 2.0
KURT_LIMIT = 3.5
TREATMENTS = ("none", "winsorise", "log")
REPORT_COLUMNS = ("indicator", "n", "skew", "kurtosis", "outliers", "treatment", "n_treated",
                  "skew_after", "kurtosis_after")


def skew_kurt(x) -> tuple[float, float]:
    """(skewness, excess kurtosis) of the non-missing values, bias-corrected (type 2);
    NaN when there are fewer than 4 values or the column is constant."""
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) < 4 or np.ptp(v) == 0:
        return float("nan"), float("nan")
    return float(skew(v, bias=False)), float(kurtosis(v, bias=False))


def has_outliers(x) -> bool:
    """COINr's rule: ``|skew| > 2`` and ``kurtosis > 3.5``."""
    s, k = skew_kurt(x)
    return bool(abs(s) > SKEW_LIMIT and k > KURT_LIMIT)


def winsorise(x, winmax: int = 5) -> tuple[np.ndarray, int, bool]:
    """COINr's winsorisation: (values, number of values changed, passes the rule now)."""
    v = np.asarray(x, dtype=float).copy()
    changed = np.zeros(len(v), dtype=bool)
    while has_outliers(v) and changed.sum() < winmax:
        ok = ~np.isnan(v)
        side = 1.0 if skew_kurt(v)[0] >= 0 else -1.0  # the long tail: high or low values
        w = side * v
        at = ok & (w == np.nanmax(w))
        rest = w[ok & ~at]
        if len(rest) == 0:
            break
        v[at] = side * rest.max()
        changed |= at
    return v, int(changed.sum()), not has_outliers(v)


def log_ct(x) -> np.ndarray:
    """COINr's ``log_CT``: ``ln(x - min + 0.01 (max - min))``."""
    v = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(v), np.nanmax(v)
    return np.log(v - lo + 0.01 * (hi - lo))


def treat(data: pd.DataFrame, method: str = "winsorise", winmax: int = 5,
          columns=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Detect (and treat) outliers column by column.

    Returns ``(treated data, report)``; the report has one row per column with
    :data:`REPORT_COLUMNS` (``treatment`` is ``none``, ``winsorise`` or ``log``).
    """
    if method not in TREATMENTS:
        raise ConfigError(f"unknown outlier treatment {method!r} (known: "
                          f"{', '.join(TREATMENTS)})")
    out = data.copy()
    rows = []
    for col in (columns if columns is not None else data.columns):
        x = data[col].to_numpy(dtype=float)
        s, k = skew_kurt(x)
        flagged = bool(abs(s) > SKEW_LIMIT and k > KURT_LIMIT)
        applied, n_treated, new = "none", 0, x
        if flagged and method == "winsorise":
            new, n_treated, passed = winsorise(x, winmax)
            applied = "winsorise"
            if not passed:
                new, n_treated, applied = log_ct(x), int((~np.isnan(x)).sum()), "log"
        elif flagged and method == "log":
            new, n_treated, applied = log_ct(x), int((~np.isnan(x)).sum()), "log"
        out[col] = new
        s2, k2 = skew_kurt(new)
        rows.append({"indicator": str(col), "n": int((~np.isnan(x)).sum()), "skew": s,
                     "kurtosis": k, "outliers": flagged, "treatment": applied,
                     "n_treated": n_treated, "skew_after": s2, "kurtosis_after": k2})
    return out, pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


RELATIVE_METHODS = ("minmax", "zscore", "rank")


def treat_given(system, data: pd.DataFrame, method: str = "winsorise",
                winmax: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`treat` for the given indicators of a system. Only leaves normalised against the
    data themselves (min-max, z-score, rank) are changed; points and goalposts are fixed
    scales (a treated value would no longer be points), so there outliers are reported and
    left alone. The report's rows follow the data's columns."""
    from .engine import given_nodes

    ids = [g for g in given_nodes(system, data.columns) if not system.nodes[g].deduction]
    relative = [g for g in ids if system.nodes[g].is_leaf
                and system.nodes[g].method in RELATIVE_METHODS]
    fixed = [g for g in ids if g not in relative]
    treated, rep_rel = treat(data, method, winmax, columns=relative)
    _same, rep_fixed = treat(data, "none", columns=fixed)
    report = pd.concat([rep_rel, rep_fixed], ignore_index=True) if fixed and relative \
        else (rep_rel if relative else rep_fixed)
    order = {g: i for i, g in enumerate(ids)}
    report = report.sort_values("indicator", key=lambda s: s.map(order)).reset_index(drop=True)
    return treated, report
