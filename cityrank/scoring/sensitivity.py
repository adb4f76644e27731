"""Sobol sensitivity of ranks to the uncertain choices, with SALib's sampler and estimators.

The design is SALib's Saltelli extension of the Sobol sequence
(``SALib.sample.sobol.sample``, first and total order, one group per factor: all weight
multipliers form the group ``weights``); every row is scored by the vectorised
:class:`cityrank.scoring.replicates.Model`. Indices:

- of the **average rank shift** (mean over units of ``|rank - nominal rank|``) with
  ``SALib.analyze.sobol.analyze`` itself, bootstrap confidence intervals included;
- of **every unit's rank** with SALib's own estimators (``first_order`` and ``total_order``
  of ``SALib.analyze.sobol``, Saltelli et al. 2010), applied to all units at once after the
  same standardisation ``analyze`` does; a unit whose rank never moves gets 0 everywhere.
  ``tests/scoring/test_sensitivity.py`` checks them against ``analyze`` unit by unit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cityrank.errors import ConfigError

from .replicates import Model, ranks_of

SHIFT_COLUMNS = ("factor", "S1", "S1_conf", "ST", "ST_conf")
CITY_COLUMNS = ("code", "factor", "S1", "ST")


@dataclass
class SobolResult:
    factors: list[str]
    per_unit: pd.DataFrame  # CITY_COLUMNS, long
    shift: pd.DataFrame  # SHIFT_COLUMNS
    rows: int
    base: int
    seconds: float


def design(model: Model, base: int, seed: int) -> np.ndarray:
    """SALib's Sobol/Saltelli design for the model's factors (first and total order)."""
    from SALib.sample import sobol as sobol_sample

    if base < 2 or base & (base - 1):
        raise ConfigError(f"the Sobol base sample must be a power of two (e.g. 256), got {base}")
    if not model.factors:
        raise ConfigError("no uncertain choice is declared: nothing to analyse")
    return sobol_sample.sample(model.problem, base, calc_second_order=False, scramble=True,
                               seed=seed)


def indices_by_column(y: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """First and total order indices (groups x columns) of every column of ``y`` (rows of a
    first/total-order Saltelli design x outputs), by SALib's estimators."""
    from SALib.analyze.sobol import first_order, total_order

    y = np.asarray(y, dtype=float)
    n = y.shape[0] // (n_groups + 2)
    sd = y.std(axis=0)
    z = (y - y.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    s1 = np.zeros((n_groups, y.shape[1]))
    st = np.zeros((n_groups, y.shape[1]))
    if not (sd > 0).any():
        return s1, st
    z3 = z.reshape(n, n_groups + 2, -1)
    a, b = z3[:, 0, :], z3[:, -1, :]
    for j in range(n_groups):
        s1[j] = first_order(a, z3[:, j + 1, :], b)
        st[j] = total_order(a, z3[:, j + 1, :], b)
    return s1, st


def sobol(model: Model, nominal_rank: np.ndarray, base: int = 256, seed: int = 1,
          num_resamples: int = 100) -> SobolResult:
    """Sobol indices of each factor on every unit's rank and on the average rank shift."""
    from SALib.analyze import sobol as sobol_analyze

    t0 = time.perf_counter()
    x = design(model, base, seed)
    ranks = ranks_of(model.totals(model.decode(x)))
    factors = [f.name for f in model.factors]
    g = len(factors)
    s1, st = indices_by_column(ranks, g)
    per_unit = pd.DataFrame({
        "code": np.repeat(model.codes, g),
        "factor": np.tile(factors, model.n),
        "S1": s1.T.ravel(), "ST": st.T.ravel()}, columns=list(CITY_COLUMNS))
    shift = np.abs(ranks - np.asarray(nominal_rank)[None, :]).mean(axis=1)
    if np.ptp(shift) > 0:
        res = sobol_analyze.analyze(model.problem, shift, calc_second_order=False,
                                    num_resamples=num_resamples, seed=int(seed) + 1)
        shift_df = pd.DataFrame({"factor": factors, "S1": res["S1"], "S1_conf": res["S1_conf"],
                                 "ST": res["ST"], "ST_conf": res["ST_conf"]})
    else:
        shift_df = pd.DataFrame({"factor": factors, "S1": 0.0, "S1_conf": 0.0, "ST": 0.0,
                                 "ST_conf": 0.0})
    return SobolResult(factors, per_unit, shift_df, rows=len(x), base=base,
                       seconds=time.perf_counter() - t0)
