"""Weighting methods in a registry, the weights they give, and the weights that result.

Every method returns *flat* weights: one per given indicator (the nodes whose scores come
from the data: leaves normally, the first level of a published table), non-negative, summing
to 1. The tree is then re-pointed so that a node's maximum is ``total_max`` times the sum of
the flat weights below it (:func:`reweight`); with arithmetic aggregation the total is exactly
``total_max * sum(w_k * rate_k)``.

=============  =====================================================================
``published``  as the system states it (maxima or weights, mismatch policies included)
``equal``      equal shares among the siblings at every level of the tree
``entropy``    熵权法: ``p_ij = r_ij / sum_i r_ij``, ``e_j = -sum_i p_ij ln p_ij / ln n``,
               ``w_j ∝ 1 - e_j`` on the achievement rates ``r`` (scale-free, as in Xu 2004)
``critic``     CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995): on min-max scaled
               rates, ``C_j = sigma_j * sum_k (1 - r_jk)``, ``w_j ∝ C_j``
``pca``        factor analysis weights of the OECD-JRC Handbook (2008, section 6.1):
               factors by Kaiser's rule, varimax rotation (scikit-learn), each indicator
               weighted by its scaled squared loading on its main factor times that
               factor's share of the explained variance
``user``       ``{node id: weight}`` for any sibling groups (e.g. the first level, as the
               what-if sliders do); the other groups keep their published shares
=============  =====================================================================

Nominal weights say what the author intended; :func:`effective_weights` says what the data
made of them: each indicator's correlation with the total, its normalised squared correlation
(Paruolo, Saisana & Saltelli 2013) and its share of the variance of the arithmetic total.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from cityrank.errors import ConfigError, DataError

# ---------------------------------------------------------------------------- the pruned tree


def tree_groups(system, ids) -> dict[str | None, list[str]]:
    """Sibling groups of the tree cut at the given nodes ``ids``: ``{parent (None for the
    root): [children on a path to a given node]}``, in the system's order."""
    wanted = set(ids)
    keep: set[str] = set()
    for g in ids:
        n = g
        while n is not None:
            keep.add(n)
            n = system.nodes[n].parent
    groups: dict[str | None, list[str]] = {}
    for nid in system.preorder():
        if nid in keep and not system.nodes[nid].deduction:
            groups.setdefault(system.nodes[nid].parent, []).append(nid)
    missing = wanted - keep
    if missing:  # pragma: no cover - ids always come from the system
        raise ConfigError(f"unknown indicator(s) {sorted(missing)}")
    return groups


def published_shares(system, ids) -> dict[str, float]:
    """Each node's share of its parent among its scored siblings (``max / sum of maxima``)."""
    out: dict[str, float] = {}
    for kids in tree_groups(system, ids).values():
        total = sum(system.nodes[k].max_points for k in kids)
        for k in kids:
            out[k] = system.nodes[k].max_points / total
    return out


def flat_from_shares(system, ids, shares: Mapping[str, float]) -> dict[str, float]:
    """Flat weight of each given node: the product of the shares on its path to the root."""
    out = {}
    for g in ids:
        w, n = 1.0, g
        while n is not None:
            w *= shares[n]
            n = system.nodes[n].parent
        out[g] = w
    return out


def shares_from_flat(system, ids, flat: Mapping[str, float]) -> dict[str, float]:
    """The sibling shares that give the flat weights ``flat`` (inverse of the above)."""
    mass: dict[str, float] = {}
    for g in ids:
        n = g
        while n is not None:
            mass[n] = mass.get(n, 0.0) + float(flat[g])
            n = system.nodes[n].parent
    out = {}
    for kids in tree_groups(system, ids).values():
        total = sum(mass[k] for k in kids)
        for k in kids:
            out[k] = mass[k] / total if total > 0 else 0.0
    return out


def flat_weights(system, ids) -> dict[str, float]:
    """Published flat weights of the given nodes (what the system's maxima amount to)."""
    return flat_from_shares(system, ids, published_shares(system, ids))


# ------------------------------------------------------------------ textbook formulas on arrays


def entropy_weights(x) -> np.ndarray:
    """Entropy weights (熵权法) of the columns of a non-negative matrix (units x indicators).

    ``p_ij = x_ij / sum_i x_ij``; ``e_j = -(1 / ln n) sum_i p_ij ln p_ij`` (0 ln 0 = 0);
    ``w_j = (1 - e_j) / sum_k (1 - e_k)``. A constant column carries no information (e = 1,
    weight 0); if no column varies, every weight is equal.

    >>> entropy_weights([[1, 2], [1, 4], [1, 6]]).round(3)
    array([0., 1.])
    """
    x = np.asarray(x, dtype=float)
    if np.isnan(x).any() or (x < 0).any():
        raise DataError("entropy weights need non-negative values without gaps")
    n = x.shape[0]
    if n < 2:
        raise DataError("entropy weights need at least two units")
    col = x.sum(axis=0)
    p = np.divide(x, col, out=np.full_like(x, 1.0 / n), where=col > 0)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    d = np.clip(1.0 - e, 0.0, None)
    return d / d.sum() if d.sum() > 1e-15 else np.full(x.shape[1], 1.0 / x.shape[1])


def _minmax_columns(x: np.ndarray) -> np.ndarray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.where(hi > lo, (x - lo) / span, 0.0)


def correlation_matrix(x) -> np.ndarray:
    """Pearson correlations of the columns; a constant column correlates 0 with the others
    (and 1 with itself), without numpy's divide-by-zero warning."""
    x = np.asarray(x, dtype=float)
    z = x - x.mean(axis=0)
    sd = np.sqrt((z ** 2).sum(axis=0))
    ok = sd > 1e-12
    z = np.divide(z, sd, out=np.zeros_like(z), where=ok)
    r = z.T @ z
    np.fill_diagonal(r, 1.0)
    return np.clip(r, -1.0, 1.0)


def critic_weights(x) -> np.ndarray:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995) of the columns of ``x``
    (higher is better in every column).

    Each column is min-max scaled; ``C_j = sigma_j * sum_k (1 - r_jk)`` with ``sigma_j`` its
    standard deviation and ``r`` the Pearson correlations; ``w_j = C_j / sum_k C_k``.
    """
    x = np.asarray(x, dtype=float)
    if np.isnan(x).any():
        raise DataError("CRITIC weights need values without gaps")
    if x.shape[0] < 2:
        raise DataError("CRITIC weights need at least two units")
    r_scaled = _minmax_columns(x)
    sigma = r_scaled.std(axis=0, ddof=1)
    c = sigma * (1.0 - correlation_matrix(r_scaled)).sum(axis=0)
    if c.sum() <= 1e-15:
        return np.full(x.shape[1], 1.0 / x.shape[1])
    return c / c.sum()


def pca_weights(x, seed: int = 0) -> np.ndarray:
    """Factor-analysis weights of the OECD-JRC Handbook (2008, section 6.1, steps 1-4).

    Factors are retained by Kaiser's rule (eigenvalues of the correlation matrix above 1, at
    least one) and extracted by scikit-learn's ``FactorAnalysis`` with varimax rotation.
    Squared loadings are scaled to unit sum per factor; each indicator takes the scaled
    squared loading of the factor it loads on most, times that factor's share of the
    variance the retained factors explain; weights are normalised to sum 1. Constant
    columns get weight 0.
    """
    from sklearn.decomposition import FactorAnalysis

    x = np.asarray(x, dtype=float)
    if np.isnan(x).any():
        raise DataError("PCA/factor weights need values without gaps")
    n, k = x.shape
    if n < 3:
        raise DataError("PCA/factor weights need at least three units")
    sd = x.std(axis=0)
    live = sd > 1e-12
    out = np.zeros(k)
    if live.sum() == 0:
        return np.full(k, 1.0 / k)
    if live.sum() == 1:
        out[live] = 1.0
        return out
    z = (x[:, live] - x[:, live].mean(axis=0)) / sd[live]
    eig = np.linalg.eigvalsh(correlation_matrix(z))
    m = max(1, int((eig > 1.0).sum()))
    fa = FactorAnalysis(n_components=m, rotation="varimax" if m > 1 else None,
                        random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on tiny samples; result is used
        fa.fit(z)
    sq = fa.components_.T ** 2  # live indicators x factors
    explained = sq.sum(axis=0)
    scaled = np.divide(sq, explained, out=np.zeros_like(sq), where=explained > 0)
    main = scaled.argmax(axis=1)
    share = explained / explained.sum()
    w = scaled[np.arange(len(main)), main] * share[main]
    out[live] = w
    return out / out.sum()


# ----------------------------------------------------------------------------- the registry


def _published(system, rates, weights, seed):
    return flat_weights(system, list(rates.columns))


def _equal(system, rates, weights, seed):
    ids = list(rates.columns)
    shares = {k: 1.0 / len(kids) for kids in tree_groups(system, ids).values() for k in kids}
    return flat_from_shares(system, ids, shares)


def _from_array(fn):
    def method(system, rates, weights, seed):
        return dict(zip(rates.columns, fn(rates.to_numpy(dtype=float)), strict=True))
    method.__doc__ = fn.__doc__
    return method


def _pca(system, rates, weights, seed):
    return dict(zip(rates.columns, pca_weights(rates.to_numpy(dtype=float), seed),
                    strict=True))


def _user(system, rates, weights, seed):
    """The user's weights for whole sibling groups; other groups keep the published shares."""
    if not weights:
        raise ConfigError("weighting user needs weights {indicator id: weight}")
    ids = list(rates.columns)
    groups = tree_groups(system, ids)
    shares = published_shares(system, ids)
    placed = set()
    for kids in groups.values():
        given = [k for k in kids if k in weights]
        if not given:
            continue
        if len(given) != len(kids):
            missing = [f"{k} ({system.nodes[k].name})" for k in kids if k not in weights]
            raise ConfigError("user weights must cover every sibling of a group; missing "
                              + ", ".join(missing))
        vals = [float(weights[k]) for k in kids]
        if any(v < 0 for v in vals) or sum(vals) <= 0:
            raise ConfigError("user weights must be non-negative with a positive sum: "
                              + ", ".join(f"{k}={weights[k]}" for k in kids))
        for k, v in zip(kids, vals, strict=True):
            shares[k] = v / sum(vals)
            placed.add(k)
    stray = sorted(set(weights) - placed)
    if stray:
        raise ConfigError("user weights for indicator(s) not scored from these data: "
                          + ", ".join(stray))
    return flat_from_shares(system, ids, shares)


WEIGHTINGS: dict[str, Callable] = {
    "published": _published,
    "equal": _equal,
    "entropy": _from_array(entropy_weights),
    "critic": _from_array(critic_weights),
    "pca": _pca,
    "user": _user,
}


def compute_weights(system, rates: pd.DataFrame, method: str | None = None,
                    weights: Mapping[str, float] | None = None, seed: int = 0) -> pd.Series:
    """Flat weights (summing to 1) of the columns of ``rates`` by the named method (default:
    the system's ``scoring.weighting``)."""
    method = method or system.weighting
    if method not in WEIGHTINGS:
        raise ConfigError(f"unknown weighting {method!r} (known: {', '.join(WEIGHTINGS)})")
    if method == "user" and weights is None:
        weights = system.weights
    w = WEIGHTINGS[method](system, rates, weights, seed)
    s = pd.Series(w, dtype=float).reindex(rates.columns)
    return s / s.sum()


def reweight(system, data: pd.DataFrame, flat: Mapping[str, float]):
    """A copy of ``system`` whose maxima carry the flat weights ``flat``, and ``data`` with
    the values that are points (given inner nodes, leaves scored by ``points``) rescaled to
    their new maxima, so every rate stays what it was.

    Refuses a weight of 0 (an indicator that does not vary, under entropy or PCA), naming it.
    """
    ids = list(flat)
    zero = [f"{k} ({system.nodes[k].name})" for k in ids if flat[k] <= 0]
    if zero:
        raise DataError("the weighting gives weight 0 to " + ", ".join(zero)
                        + " (it does not vary across units); drop it or choose another "
                        "weighting")
    new = copy.deepcopy(system)
    shares = shares_from_flat(system, ids, flat)
    mass = {}
    for g in ids:
        n = g
        while n is not None:
            mass[n] = mass.get(n, 0.0) + float(flat[g])
            n = system.nodes[n].parent
    out = data.copy()
    for nid, w in mass.items():
        node = new.nodes[nid]
        old = node.max_points
        node.max_points = system.total_max * w
        node.weight = shares[nid]
        node.scale = 1.0
        if nid in ids:
            factor = node.max_points / old
            if not node.is_leaf or node.method == "points":  # points out of the old maximum
                out[nid] = out[nid] * factor
            for d in _descendants(new, nid):
                new.nodes[d].max_points = new.nodes[d].max_points * factor
    return new, out


def _descendants(system, nid) -> list[str]:
    kids = system.nodes[nid].children
    return [x for c in kids for x in (c, *_descendants(system, c))]


def effective_weights(system, rates: pd.DataFrame, flat: Mapping[str, float],
                      total=None) -> pd.DataFrame:
    """What the data make of the weights: one row per given indicator.

    Columns: ``indicator, name, name_en, weight`` (nominal flat weight), ``corr_total``
    (Pearson r with the total: ``total`` if given, else the arithmetic composite),
    ``r2_share`` (r² normalised to sum 1, Paruolo et al. 2013's main-effect ranking) and
    ``variance_share`` (``cov(w_k r_k, T) / var(T)`` for the arithmetic composite ``T =
    sum w_k r_k``: the indicator's share of the variance of the total; sums to 1).
    """
    ids = list(rates.columns)
    r = rates.to_numpy(dtype=float)
    w = np.array([float(flat[k]) for k in ids])
    contrib = r * w
    arith = contrib.sum(axis=1)
    t = arith if total is None else np.asarray(total, dtype=float)
    corr = correlation_matrix(np.column_stack([r, t]))[-1, :-1]
    if np.ptp(t) <= 1e-12:
        corr = np.full(len(ids), np.nan)
    r2 = corr ** 2
    r2_share = r2 / r2.sum() if np.nansum(r2) > 0 else np.full(len(ids), np.nan)
    var = arith.var()
    vshare = (np.array([np.mean((c - c.mean()) * (arith - arith.mean())) for c in contrib.T])
              / var) if var > 1e-15 else np.full(len(ids), np.nan)
    return pd.DataFrame({
        "indicator": ids,
        "name": [system.nodes[k].name for k in ids],
        "name_en": [system.nodes[k].name_en for k in ids],
        "weight": w, "corr_total": corr, "r2_share": r2_share, "variance_share": vshare,
    })
