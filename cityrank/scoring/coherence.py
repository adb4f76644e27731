"""Statistical coherence of an index with its framework (OECD-JRC Handbook 2008, step 4).

For the given indicators (leaves, or a published table's first level) and the pillars they
belong to (their first-level ancestor):

- indicator-indicator correlations, and the pairs above ``0.9``: *redundant*, the same thing
  counted twice;
- each indicator's correlation with its pillar's score and with the total; a *negative*
  correlation with its own pillar means the indicator pulls against the concept it measures;
- Cronbach's α of each pillar's indicators (``k/(k-1) (1 - sum var_i / var(sum))``) and a
  PCA of each pillar (share of variance of the first component, its loadings);
- the same α and PCA over the first-level pillars for the whole index;
- the outlier diagnostics of :mod:`cityrank.scoring.outliers` and the effective weights of
  :func:`cityrank.scoring.weighting.effective_weights`.

Correlations are Pearson on the achievement rates by default (``method="spearman"`` ranks
first). Everything comes back as DataFrames with stable column names and as one JSON-safe
dict (:meth:`CoherenceReport.to_json`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from cityrank.errors import ConfigError, DataError
from cityrank.jsonsafe import jsonable

from .weighting import correlation_matrix, effective_weights, flat_weights

REDUNDANT_R = 0.9
CORRELATIONS = ("pearson", "spearman")


def cronbach_alpha(items) -> float:
    """Cronbach's α of the columns of ``items`` (units x items); NaN below two items or when
    the sum does not vary.

    >>> round(cronbach_alpha([[1, 2], [2, 3], [3, 5]]), 4)
    0.9474
    """
    x = np.asarray(items, dtype=float)
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= 1e-15:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def first_component(items) -> tuple[float, np.ndarray, int]:
    """PCA of the correlation matrix of ``items``: (share of variance of the first component,
    its loadings ``v * sqrt(lambda)`` signed so they sum positive, number of eigenvalues > 1)."""
    x = np.asarray(items, dtype=float)
    if x.shape[1] < 2:
        return float("nan"), np.full(x.shape[1], np.nan), 0
    vals, vecs = np.linalg.eigh(correlation_matrix(x))
    vals = np.clip(vals, 0.0, None)
    v = vecs[:, -1]
    if v.sum() < 0:
        v = -v
    share = float(vals[-1] / vals.sum()) if vals.sum() > 0 else float("nan")
    return share, v * np.sqrt(vals[-1]), int((vals > 1.0).sum())


def _corr_with(x: np.ndarray, y: np.ndarray) -> float:
    if np.ptp(x) <= 1e-12 or np.ptp(y) <= 1e-12:
        return float("nan")
    return float(correlation_matrix(np.column_stack([x, y]))[0, 1])


@dataclass
class CoherenceReport:
    """Tables of :func:`coherence` (see the module docstring)."""

    correlations: pd.DataFrame  # indicator x indicator
    indicators: pd.DataFrame  # indicator, name, pillar, r_pillar, r_total, negative, redundant_with
    pillars: pd.DataFrame  # pillar, name, n_indicators, alpha, pc1_share, n_eigen_gt1
    loadings: pd.DataFrame  # pillar, indicator, loading
    redundant: pd.DataFrame  # indicator_a, indicator_b, r
    index: dict  # alpha, pc1_share over the first-level pillars
    outliers: pd.DataFrame
    effective: pd.DataFrame
    method: str = "pearson"
    meta: dict = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        return bool(self.indicators["negative"].any() or len(self.redundant))

    def to_json(self) -> dict:
        return jsonable({
            **self.meta, "method": self.method,
            "correlations": {"indicators": list(self.correlations.columns),
                             "matrix": self.correlations.to_numpy().tolist()},
            "indicators": self.indicators.to_dict(orient="records"),
            "pillars": self.pillars.to_dict(orient="records"),
            "loadings": self.loadings.to_dict(orient="records"),
            "redundant": self.redundant.to_dict(orient="records"),
            "index": self.index,
            "outliers": self.outliers.to_dict(orient="records"),
            "effective_weights": self.effective.to_dict(orient="records"),
        })


def pillar_of(system, nid: str) -> str:
    n = nid
    while system.nodes[n].parent is not None:
        n = system.nodes[n].parent
    return n


def coherence(system, data: pd.DataFrame, scores: pd.DataFrame | None = None, *,
              method: str = "pearson", outliers: str = "none",
              aggregation: str | None = None) -> CoherenceReport:
    """Coherence tables for ``data`` (indexed by code, one column per given node, no gaps).

    ``scores`` is the scores table of the same data (computed when omitted); ``outliers``
    names the treatment reported by :func:`cityrank.scoring.outliers.treat_given` (the
    correlations use the data as given: treat first if you score treated data).
    """
    from .engine import score
    from .normalise import given_rates
    from .outliers import treat_given

    if method not in CORRELATIONS:
        raise ConfigError(f"unknown correlation {method!r} (known: {', '.join(CORRELATIONS)})")
    if len(data) < 3:
        raise DataError(f"coherence needs at least 3 units, got {len(data)}")
    if scores is None:
        scores = score(system, data, aggregation=aggregation)
    rates = given_rates(system, data)
    ids = list(rates.columns)
    sc = scores.set_index("code").reindex(rates.index.astype(str))
    x = rates.to_numpy(dtype=float)
    if method == "spearman":
        x = np.column_stack([rankdata(c) for c in x.T]) if len(ids) else x

    def tr(v):
        v = np.asarray(v, dtype=float)
        return rankdata(v) if method == "spearman" else v

    corr = correlation_matrix(x) if len(ids) > 1 else np.ones((len(ids), len(ids)))
    for j in range(len(ids)):
        if np.ptp(x[:, j]) <= 1e-12:
            corr[j, :] = corr[:, j] = np.nan
    corr_df = pd.DataFrame(corr, index=ids, columns=ids)

    total = tr(sc["total"].to_numpy(dtype=float))
    red_pairs = []
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            if corr[a, b] > REDUNDANT_R:
                red_pairs.append({"indicator_a": ids[a], "indicator_b": ids[b],
                                  "r": float(corr[a, b])})
    rows = []
    for j, nid in enumerate(ids):
        p = pillar_of(system, nid)
        pillar_score = tr(sc[p].to_numpy(dtype=float))
        r_p = 1.0 if p == nid else _corr_with(x[:, j], pillar_score)
        partners = [r["indicator_b"] if r["indicator_a"] == nid else r["indicator_a"]
                    for r in red_pairs if nid in (r["indicator_a"], r["indicator_b"])]
        rows.append({"indicator": nid, "name": system.nodes[nid].name,
                     "name_en": system.nodes[nid].name_en, "pillar": p,
                     "pillar_name": system.nodes[p].name, "r_pillar": r_p,
                     "r_total": _corr_with(x[:, j], total),
                     "negative": bool(p != nid and r_p < 0), "redundant_with": ",".join(partners)})
    ind_df = pd.DataFrame(rows, columns=["indicator", "name", "name_en", "pillar", "pillar_name",
                                         "r_pillar", "r_total", "negative", "redundant_with"])

    prow, lrows = [], []
    for p in system.first_level:
        members = [j for j, nid in enumerate(ids) if pillar_of(system, nid) == p]
        if not members:
            continue
        items = x[:, members]
        share, load, n_eig = first_component(items)
        prow.append({"pillar": p, "name": system.nodes[p].name,
                     "name_en": system.nodes[p].name_en, "n_indicators": len(members),
                     "alpha": cronbach_alpha(items), "pc1_share": share, "n_eigen_gt1": n_eig})
        for j, ld in zip(members, load, strict=True):
            lrows.append({"pillar": p, "indicator": ids[j], "loading": float(ld)})
    pillars = [p for p in system.first_level
               if p in sc.columns and not system.nodes[p].deduction]
    pmat = np.column_stack([tr(sc[p].to_numpy(dtype=float) / system.nodes[p].max_points)
                            for p in pillars]) if pillars else np.zeros((len(sc), 0))
    share, _load, _n = first_component(pmat) if len(pillars) > 1 else (float("nan"), None, 0)
    index = {"n_pillars": len(pillars), "alpha": cronbach_alpha(pmat), "pc1_share": share}

    _treated, out_rep = treat_given(system, data, outliers)
    flat = {w["indicator"]: w["weight"] for w in scores.attrs.get("weights", [])}
    if set(flat) != set(ids):
        flat = flat_weights(system, ids)
    eff = effective_weights(system, rates, flat, total=sc["total"].to_numpy(dtype=float))
    return CoherenceReport(
        correlations=corr_df, indicators=ind_df,
        pillars=pd.DataFrame(prow, columns=["pillar", "name", "name_en", "n_indicators",
                                            "alpha", "pc1_share", "n_eigen_gt1"]),
        loadings=pd.DataFrame(lrows, columns=["pillar", "indicator", "loading"]),
        redundant=pd.DataFrame(red_pairs, columns=["indicator_a", "indicator_b", "r"]),
        index=index, outliers=out_rep, effective=eff, method=method,
        meta={"system": system.id, "n_units": int(len(data)),
              "synthetic": bool(scores.attrs.get("synthetic", False))})
