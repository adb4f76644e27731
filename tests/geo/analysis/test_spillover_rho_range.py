"""One stable range for rho in every simulation: LeSage-Pace's (1/lambda_min, 1/lambda_max)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from cityrank.geo.analysis.spillover import (
    fit_spatial_model,
    hub_column,
    simulate_impacts,
    stable_rho_range,
    trace_operator,
)


@pytest.fixture(scope="module")
def durbin(columbus, columbus_w):
    y = columbus["CRIME"].to_numpy(float)
    X = columbus[["INC"]].to_numpy(float)
    return fit_spatial_model(y, X, columbus_w, x_names=["INC"], model="durbin")


def test_sparse_range_equals_the_eigenvalue_range(columbus_w):
    exact = trace_operator(columbus_w, method="exact").rho_bounds()
    traced = trace_operator(columbus_w, method="trace").rho_bounds()
    assert exact[1] == pytest.approx(1.0)
    assert exact[0] < -1.0  # row-standardised W: lambda_min > -1, so the range reaches below -1
    assert traced == pytest.approx(exact, rel=1e-8)
    from scipy import sparse

    assert stable_rho_range(sparse.csr_matrix(columbus_w.w.sparse)) == pytest.approx(exact, rel=1e-8)


def test_hub_column_and_impacts_keep_the_same_draws(durbin, columbus_w):
    """With rho near -1 the old (-1, 1) of the hub column rejected draws the impact simulation
    kept; both now keep exactly the draws inside (1/lambda_min, 1)."""
    ops = trace_operator(columbus_w)
    lo, hi = ops.rho_bounds()
    fit = copy.deepcopy(durbin)
    fit.params = fit.params.copy()
    fit.params[fit.idx_rho] = fit.rho = -1.02
    sim = simulate_impacts(fit, ops, draws=400, seed=7)
    hub = hub_column(fit, columbus_w, columbus_w.ids[0], "INC", draws=400, seed=7, bounds=(lo, hi))
    assert sim["rho_bounds"] == pytest.approx([lo, hi])
    assert hub["rho_bounds"] == pytest.approx([lo, hi])
    below_minus_one = (np.random.default_rng(7).multivariate_normal(
        fit.params, fit.vm, size=400, method="eigh")[:, fit.idx_rho] <= -1).sum()
    assert below_minus_one > 100  # the old (-1, 1) would have thrown these away
    assert hub["rejected_draws"] == sim["rejected_draws"] < below_minus_one
    rhos = np.random.default_rng(7).multivariate_normal(fit.params, fit.vm, size=400, method="eigh")[:, fit.idx_rho]
    assert sim["rejected_draws"] == int(((rhos <= lo) | (rhos >= hi)).sum())
    assert hub_column(fit, columbus_w, columbus_w.ids[0], "INC", draws=400, seed=7)["rejected_draws"] == hub["rejected_draws"]


@pytest.mark.parametrize("method", ["knn", "kernel", "distance_band"])
def test_range_for_asymmetric_and_kernel_weights(columbus, method):
    from cityrank.geo.analysis.weights import build_weights

    sw = build_weights(columbus, method, ids=columbus["POLYID"].astype(str).tolist())
    exact = trace_operator(sw, method="exact").rho_bounds()
    traced = trace_operator(sw, method="trace").rho_bounds()
    assert traced == pytest.approx(exact, rel=1e-6)
    assert traced == trace_operator(sw, method="trace").rho_bounds()  # same on every run
