"""Spillover: distance decay around a hub, spatial lag / Durbin models and their impacts.

Do strong cities lift their neighbours? Two views:

* **Distance decay** -- the value of every unit against its geodesic distance (metres) to a
  hub city: band means and an OLS slope per 100 km with a 95% CI. Descriptive only.
* **Spatial models** -- spreg's ML_Lag (small n) or GM_Lag (large n), with ``slx_lags=1`` for
  the spatial Durbin model. spreg reports point impacts only, and its Durbin direct effects
  are not LeSage-Pace's, so the impacts are computed here from the closed form

      S_r(W) = (I - rho W)^-1 beta_r                     (lag)
      S_r(W) = (I - rho W)^-1 (beta_r I + theta_r W)     (Durbin)
      direct = mean diag S_r, total = mean row sum S_r, indirect = total - direct

  and their uncertainty by drawing (beta, theta, rho) from the estimated asymptotic normal
  distribution (spreg's ``vm``), seeded, reporting mean, sd and a 95% interval (LeSage and
  Pace 2009, ch. 2.7). Draws with rho outside the stable range (1/lambda_min, 1/lambda_max) --
  (1/lambda_min, 1) for row-standardised W, the same range in every simulation here -- are
  rejected and counted.

  The traces are exact for small n (eigenvalues of W: mean diag (I-rho W)^-1 =
  mean 1/(1-rho lambda)); for large n they use the LeSage-Pace trace approximation
  (tr W, tr W^2 exact; higher powers by a seeded Hutchinson estimator, series truncated at
  ``order``), so a 40,000-unit grid never builds a dense matrix.
* **Hub column** -- column j of S_r: the estimated effect of a unit change in x_r at hub j on
  every unit, by one sparse solve, as a map layer.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import splu

from cityrank.errors import ConfigError, DataError, NotFoundError
from cityrank.geo.analysis._common import quiet
from cityrank.geo.analysis.disparity import _ci
from cityrank.geo.analysis.gradients import ols
from cityrank.geo.analysis.weights import SpatialWeights
from cityrank.jsonsafe import num

EXACT_MAX_N = 3000
"""Up to this many units: ML estimation and exact eigenvalue traces; above: GM and traces."""


# --- distance decay ----------------------------------------------------------------------

def distance_decay(frame: pd.DataFrame, value: str, hub: str, *, band_km: float = 100.0,
                   max_km: float = 1000.0) -> dict:
    """Value against geodesic distance (m) to ``hub`` (a code), within ``max_km``."""
    from cityrank.geo.projection import geodesic_distance_m

    if "code" not in frame.columns or not {"lon", "lat"} <= set(frame.columns):
        raise DataError("distance decay needs columns code, lon, lat")
    codes = frame["code"].astype(str)
    if hub not in set(codes):
        raise NotFoundError(f"hub {hub!r} is not a unit of the layer")
    h = frame[codes == hub].iloc[0]
    data = frame[frame[value].notna() & (codes != hub)].copy()
    data["distance_m"] = geodesic_distance_m(data["lon"].to_numpy(float), data["lat"].to_numpy(float),
                                             float(h["lon"]), float(h["lat"]))
    near = data[data["distance_m"] <= max_km * 1000.0]
    bands = []
    for lo in np.arange(0.0, max_km, band_km):
        sel = near[(near["distance_m"] >= lo * 1000) & (near["distance_m"] < (lo + band_km) * 1000)][value]
        bands.append({"lower_km": num(lo), "upper_km": num(lo + band_km), "n": int(sel.size),
                      "mean": num(sel.mean()) if sel.size else None})
    out = {"hub": hub, "hub_name": str(h.get("name", hub)), "hub_value": num(h.get(value)),
           "max_km": max_km, "n": int(len(near)), "distance_unit": "metres (geodesic)", "bands": bands,
           "units": [{"code": str(c), "distance_m": num(d), "value": num(v)}
                     for c, d, v in zip(near["code"], near["distance_m"], near[value], strict=True)]}
    if len(near) >= 4:
        fit = ols(near[value].to_numpy(float), [near["distance_m"].to_numpy() / 1000.0 / 100.0], ["distance"])
        s = fit["coefficients"]["distance"]
        out["fit"] = {"model": "value ~ distance to hub (per 100 km)", **fit, "slope_per_100km": s}
        out["statement"] = (f"Within {max_km:g} km of {out['hub_name']}, the value changes by "
                            f"{s['coef']:+.2f} per 100 km (95% CI {s['ci95'][0]:+.2f} to {s['ci95'][1]:+.2f}, "
                            f"n={fit['n']}).")
    return out


# --- model fitting -----------------------------------------------------------------------

@dataclass
class SpatialModelFit:
    model: str  # "lag" or "durbin"
    estimator: str  # "ml" or "gm"
    x_names: list[str]
    beta: np.ndarray  # coefficients of x (no constant)
    theta: np.ndarray  # coefficients of Wx (zeros for lag)
    rho: float
    params: np.ndarray  # full coefficient vector as spreg orders it
    vm: np.ndarray
    idx_beta: list[int]
    idx_theta: list[int]
    idx_rho: int
    table: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def fit_spatial_model(y, X, sw: SpatialWeights, *, x_names: list[str], model: str = "lag",
                      estimator: str | None = None, y_name: str = "y") -> SpatialModelFit:
    """Fit a spatial lag (``model="lag"``) or spatial Durbin (``"durbin"``) model with spreg."""
    import spreg

    if model not in ("lag", "durbin"):
        raise ConfigError(f"unknown spatial model {model!r}; choose lag or durbin")
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.shape[0] != y.shape[0] or y.shape[0] != sw.n:
        raise DataError("spatial model: y, X and weights differ in length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(X))):
        raise DataError("spatial model: y or X contain NaN/inf")
    estimator = estimator or ("ml" if sw.n <= EXACT_MAX_N else "gm")
    slx = 1 if model == "durbin" else 0
    with quiet(), warnings.catch_warnings():
        # spreg's "full" ML evaluates log det(I - rho W) at trial rho where it is negative
        # (NaN, skipped by the optimiser); those RuntimeWarnings say nothing about the fit.
        warnings.simplefilter("ignore", RuntimeWarning)
        if estimator == "ml":
            res = spreg.ML_Lag(y, X, sw.w, slx_lags=slx, method="full" if sw.n <= 1000 else "ord",
                               spat_impacts=None, spat_diag=False, name_x=list(x_names), name_y=y_name)
            names = list(res.name_x)
        elif estimator == "gm":
            # With WX among the regressors (Durbin), W^2 X and W^3 X are the instruments.
            res = spreg.GM_Lag(y, X, w=sw.w, slx_lags=slx, w_lags=1 + slx, spat_impacts=None,
                               spat_diag=False, name_x=list(x_names), name_y=y_name)
            names = list(res.name_z)
        else:
            raise ConfigError(f"unknown estimator {estimator!r}; choose ml or gm")
    params = np.asarray(res.betas, dtype=float).ravel()
    vm = np.asarray(res.vm, dtype=float)
    k = len(x_names)
    idx_beta = list(range(1, 1 + k))
    idx_theta = list(range(1 + k, 1 + 2 * k)) if slx else []
    idx_rho = len(params) - 1
    se = np.sqrt(np.clip(np.diag(vm), 0, None))
    table = [{"name": n, "coef": num(b), "se": num(s), "z": num(b / s) if s else None,
              "ci95": [num(b - 1.959964 * s), num(b + 1.959964 * s)]}
             for n, b, s in zip(names, params, se, strict=True)]
    extra = {"n": int(sw.n), "pseudo_r2": num(getattr(res, "pr2", None))}
    if estimator == "ml":
        extra.update({"log_likelihood": num(res.logll), "aic": num(res.aic), "sigma2": num(res.sig2)})
    return SpatialModelFit(
        model=model, estimator=estimator, x_names=list(x_names), beta=params[idx_beta],
        theta=params[idx_theta] if slx else np.zeros(k), rho=float(params[idx_rho]), params=params,
        vm=vm, idx_beta=idx_beta, idx_theta=idx_theta, idx_rho=idx_rho, table=table, extra=extra)


# --- traces and impacts ------------------------------------------------------------------

def _sparse_w(sw: SpatialWeights) -> sparse.csr_matrix:
    return sparse.csr_matrix(sw.w.sparse, dtype=float)


@dataclass
class TraceOperator:
    """Mean diagonals of (I - rho W)^-1 and (I - rho W)^-1 W, and mean row sums, for any rho."""

    method: str
    eig: np.ndarray | None = None
    traces: np.ndarray | None = None  # tr(W^k)/n for k = 0..order+1
    row_standardised: bool = True
    W: sparse.csr_matrix | None = None
    bounds: tuple[float, float] | None = None  # stable range of rho when eig is not kept

    def mean_diag(self, rho: float) -> tuple[float, float]:
        if self.eig is not None:
            lam = self.eig
            return float(np.mean(1 / (1 - rho * lam)).real), float(np.mean(lam / (1 - rho * lam)).real)
        powers = rho ** np.arange(len(self.traces) - 1)
        return float(powers @ self.traces[:-1]), float(powers @ self.traces[1:])

    def mean_rowsum(self, rho: float) -> tuple[float, float]:
        if self.row_standardised:
            return 1.0 / (1.0 - rho), 1.0 / (1.0 - rho)
        n = self.W.shape[0]
        lu = splu((sparse.identity(n, format="csc") - rho * self.W).tocsc())
        a = lu.solve(np.ones(n))
        b = lu.solve(self.W @ np.ones(n))
        return float(a.mean()), float(b.mean())

    def rho_bounds(self) -> tuple[float, float]:
        """LeSage-Pace's stable range (1/lambda_min, 1/lambda_max) -- (1/lambda_min, 1) for a
        row-standardised W -- the ONE range every simulation here keeps its draws in."""
        if self.eig is not None:
            lam = self.eig.real
            return 1.0 / lam.min(), 1.0 / lam.max()
        return self.bounds if self.bounds is not None else stable_rho_range(self.W)


def stable_rho_range(W: sparse.csr_matrix) -> tuple[float, float]:
    """(1/lambda_min, 1/lambda_max) of W from its extreme eigenvalues (sparse ARPACK; no dense
    matrix): the range in which I - rho W is invertible with rho's sign meaningful."""
    from scipy.sparse.linalg import eigs, eigsh

    A = (W != 0).astype(float)
    rs = np.asarray(W.sum(axis=1)).ravel()
    row_std = bool(np.allclose(rs, 1.0))
    v0 = np.random.default_rng(0).uniform(0.5, 1.5, W.shape[0])  # fixed start: same bounds every run
    if row_std and abs(A - A.T).sum() == 0 and np.allclose(W.multiply(np.asarray(A.sum(axis=1))).data, 1.0):
        d = 1.0 / np.sqrt(np.asarray(A.sum(axis=1)).ravel())
        S = sparse.diags(d) @ A @ sparse.diags(d)  # similar to W = D^-1 A: same eigenvalues
        lam_min = float(eigsh(S, k=1, which="SA", v0=v0, return_eigenvectors=False)[0])
    else:
        lam_min = float(eigs(W.astype(float), k=1, which="SR", v0=v0, return_eigenvectors=False)[0].real)
    lam_max = 1.0 if row_std else float(eigs(W.astype(float), k=1, which="LR", v0=v0,
                                            return_eigenvectors=False)[0].real)
    return 1.0 / lam_min, 1.0 / lam_max


def _eigenvalues(W: sparse.csr_matrix, binary: bool) -> np.ndarray:
    """Eigenvalues of W. A row-standardised symmetric binary W = D^-1 A is similar to the
    symmetric D^-1/2 A D^-1/2, whose real eigenvalues ``eigvalsh`` finds several times faster."""
    A = (W != 0).astype(float)
    rs = np.asarray(W.sum(axis=1)).ravel()
    deg = np.asarray(A.sum(axis=1)).ravel()
    if binary and abs(A - A.T).sum() == 0 and np.allclose(rs, 1.0) and np.allclose(W.multiply(deg[:, None]).data, 1.0):
        d = 1.0 / np.sqrt(deg)
        S = A.multiply(d[:, None]).multiply(d[None, :]).toarray()
        return np.linalg.eigvalsh(S)
    return np.linalg.eigvals(W.toarray())


def trace_operator(sw: SpatialWeights, *, method: str | None = None, order: int = 100,
                   probes: int = 50, seed: int | None = 12345) -> TraceOperator:
    """Exact (eigenvalues) for n <= EXACT_MAX_N, else the LeSage-Pace stochastic trace series."""
    W = _sparse_w(sw)
    rs = np.asarray(W.sum(axis=1)).ravel()
    row_std = bool(np.allclose(rs, 1.0))
    method = method or ("exact" if sw.n <= EXACT_MAX_N else "trace")
    if method == "exact":
        eig = _eigenvalues(W, sw.method != "kernel")
        return TraceOperator("exact (eigenvalues)", eig=eig, row_standardised=row_std, W=W)
    if method != "trace":
        raise ConfigError(f"unknown trace method {method!r}; choose exact or trace")
    n = W.shape[0]
    tr = np.zeros(order + 2)
    tr[0] = 1.0
    tr[1] = W.diagonal().sum() / n
    tr[2] = W.multiply(W.T).sum() / n
    rng = np.random.default_rng(seed)
    u = rng.choice([-1.0, 1.0], size=(n, probes))
    v = u.copy()
    for k in range(1, order + 2):
        v = W @ v
        if k >= 3:
            tr[k] = float(np.mean(np.sum(u * v, axis=0))) / n
    return TraceOperator(f"trace approximation (order {order}, {probes} Hutchinson probes)", traces=tr,
                         row_standardised=row_std, W=W, bounds=stable_rho_range(W))


def _impacts_for(beta, theta, rho, ops: TraceOperator) -> dict:
    d0, d1 = ops.mean_diag(rho)
    t0, t1 = ops.mean_rowsum(rho)
    direct = beta * d0 + theta * d1
    total = beta * t0 + theta * t1
    return {"direct": direct, "indirect": total - direct, "total": total}


def impacts(fit: SpatialModelFit, ops: TraceOperator) -> dict:
    """Point LeSage-Pace impacts per regressor: {name: {direct, indirect, total}}."""
    imp = _impacts_for(fit.beta, fit.theta, fit.rho, ops)
    return {name: {k: num(v[i]) for k, v in imp.items()} for i, name in enumerate(fit.x_names)}


def simulate_impacts(fit: SpatialModelFit, ops: TraceOperator, *, draws: int = 1000,
                     seed: int | None = 12345) -> dict:
    """Impacts with uncertainty: draws of (beta, theta, rho) ~ N(estimate, vm), seeded."""
    rng = np.random.default_rng(seed)
    lo, hi = ops.rho_bounds()
    sims = rng.multivariate_normal(fit.params, fit.vm, size=draws, method="eigh")
    rhos = sims[:, fit.idx_rho]
    ok = (rhos > lo) & (rhos < hi)
    sims = sims[ok]
    k = len(fit.x_names)
    out_draws = {key: np.empty((len(sims), k)) for key in ("direct", "indirect", "total")}
    for d, row in enumerate(sims):
        theta = row[fit.idx_theta] if fit.idx_theta else np.zeros(k)
        imp = _impacts_for(row[fit.idx_beta], theta, float(row[fit.idx_rho]), ops)
        for key in out_draws:
            out_draws[key][d] = imp[key]
    point = _impacts_for(fit.beta, fit.theta, fit.rho, ops)
    result = {}
    for i, name in enumerate(fit.x_names):
        result[name] = {}
        for key in ("direct", "indirect", "total"):
            col = out_draws[key][:, i]
            result[name][key] = {
                "estimate": num(point[key][i]),
                "mean": num(col.mean()) if col.size else None,
                "sd": num(col.std(ddof=1)) if col.size > 1 else None,
                "ci95": _ci(col),
                "z": num(point[key][i] / col.std(ddof=1)) if col.size > 1 and col.std() > 0 else None,
            }
    return {"impacts": result, "draws": int(draws), "rejected_draws": int((~ok).sum()), "seed": seed,
            "rho_bounds": [num(lo), num(hi)], "traces": ops.method}


def hub_column(fit: SpatialModelFit, sw: SpatialWeights, hub_id: str, variable: str | None = None, *,
               draws: int = 0, seed: int | None = 12345, bounds: tuple[float, float] | None = None) -> dict:
    """Column of S_r for the hub: effect on every unit of a unit change in x_r at the hub.

    With ``draws`` the hub's total effect on the *other* units also gets a simulated sd and
    95% interval (one sparse solve per parameter draw), keeping the draws whose rho is in the
    stable range ``bounds`` (default :func:`stable_rho_range` of W: the range of
    :func:`simulate_impacts`, so both simulations keep the same draws).
    """
    if hub_id not in sw.ids:
        raise NotFoundError(f"hub {hub_id!r} is not among the analysed units")
    r = fit.x_names.index(variable) if variable else 0
    W = _sparse_w(sw)
    n = W.shape[0]
    j = sw.ids.index(hub_id)
    e = np.zeros(n)
    e[j] = 1.0
    We = W @ e
    eye = sparse.identity(n, format="csc")

    def column(beta_r: float, theta_r: float, rho: float) -> np.ndarray:
        return splu((eye - rho * W).tocsc()).solve(beta_r * e + theta_r * We)

    col = column(fit.beta[r], fit.theta[r], fit.rho)
    out = {"hub": hub_id, "variable": fit.x_names[r], "own_effect": num(col[j]),
           "effect_on_others_total": num(col.sum() - col[j]),
           "effects": {i: num(v) for i, v in zip(sw.ids, col, strict=True)}}
    if draws:
        rng = np.random.default_rng(seed)
        sims = rng.multivariate_normal(fit.params, fit.vm, size=draws, method="eigh")
        lo, hi = bounds if bounds is not None else stable_rho_range(W)
        totals = []
        for row in sims:
            rho = float(row[fit.idx_rho])
            if not lo < rho < hi:
                continue
            theta_r = row[fit.idx_theta[r]] if fit.idx_theta else 0.0
            c = column(row[fit.idx_beta[r]], theta_r, rho)
            totals.append(c.sum() - c[j])
        totals = np.asarray(totals)
        out["effect_on_others_sd"] = num(totals.std(ddof=1)) if totals.size > 1 else None
        out["effect_on_others_ci95"] = _ci(totals)
        out["draws"] = int(draws)
        out["rejected_draws"] = int(draws - totals.size)
        out["rho_bounds"] = [num(lo), num(hi)]
    return out
