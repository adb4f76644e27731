"""Cross-checks against PySAL itself on its bundled Columbus data (Anselin 1988)."""

from __future__ import annotations

import esda
import numpy as np
import spreg
from libpysal import weights as lw
from numpy.testing import assert_allclose

from cityrank.geo.analysis._common import quiet
from cityrank.geo.analysis.autocorrelation import global_moran
from cityrank.geo.analysis.spillover import (
    fit_spatial_model,
    hub_column,
    impacts,
    simulate_impacts,
    trace_operator,
)


def _pysal_w(columbus):
    w = lw.Queen.from_dataframe(columbus, use_index=False, silence_warnings=True)
    w.transform = "r"
    return w


def test_queen_weights_equal_libpysal(columbus, columbus_w):
    ref = _pysal_w(columbus)
    assert columbus_w.fixed == [] and columbus_w.islands == []
    assert_allclose(columbus_w.w.sparse.toarray(), ref.sparse.toarray(), atol=1e-12)


def test_moran_crime_matches_esda(columbus, columbus_w):
    y = columbus["CRIME"].to_numpy()
    ours = global_moran(y, columbus_w, permutations=999, seed=7)
    ref = esda.Moran(y, _pysal_w(columbus), permutations=0)
    assert abs(ours.I - ref.I) < 1e-6
    assert abs(ours.I - 0.500188557) < 1e-6  # the published value (GeoDa / esda docs)
    assert abs(ours.z_norm - ref.z_norm) < 1e-6
    assert ours.p_sim <= 0.002


def test_moran_permutations_reproducible_with_seed(columbus, columbus_w):
    y = columbus["CRIME"].to_numpy()
    a = global_moran(y, columbus_w, permutations=99, seed=3)
    b = global_moran(y, columbus_w, permutations=99, seed=3)
    state = np.random.get_state()[1][:5].copy()
    global_moran(y, columbus_w, permutations=99, seed=4)
    assert a.z_sim == b.z_sim
    assert (np.random.get_state()[1][:5] == state).all()  # the global stream is restored


def _fit(columbus, columbus_w, model="lag"):
    y = columbus["CRIME"].to_numpy()
    X = columbus[["INC", "HOVAL"]].to_numpy()
    return fit_spatial_model(y, X, columbus_w, x_names=["INC", "HOVAL"], model=model)


def _spreg_lag(columbus, slx=0):
    with quiet():
        return spreg.ML_Lag(columbus[["CRIME"]].to_numpy(), columbus[["INC", "HOVAL"]].to_numpy(),
                            _pysal_w(columbus), slx_lags=slx, spat_impacts="full")


def test_lag_model_matches_spreg(columbus, columbus_w):
    fit = _fit(columbus, columbus_w)
    ref = _spreg_lag(columbus)
    assert abs(fit.rho - float(ref.rho)) < 1e-6
    assert_allclose(fit.params, np.ravel(ref.betas), atol=1e-6)
    assert_allclose(fit.vm, ref.vm, atol=1e-6)
    assert abs(fit.rho - 0.4233) < 1e-4  # Anselin (1988) ML lag estimate


def test_lag_impacts_match_closed_form_and_spreg(columbus, columbus_w):
    fit = _fit(columbus, columbus_w)
    imp = impacts(fit, trace_operator(columbus_w))
    ref = _spreg_lag(columbus)
    adi, aii, ati = ref.sp_multipliers["full"]
    for i, name in enumerate(["INC", "HOVAL"]):
        beta = fit.beta[i]
        assert abs(imp[name]["total"] - beta / (1 - fit.rho)) < 1e-9
        assert abs(imp[name]["direct"] - beta * float(adi)) < 1e-6
        assert abs(imp[name]["indirect"] - beta * float(aii)) < 1e-6
    # Published (spreg summary): INC direct -1.1009, indirect -0.7177, total -1.8186.
    assert_allclose([imp["INC"][k] for k in ("direct", "indirect", "total")], [-1.1009, -0.7177, -1.8186],
                    atol=1e-4)


def _dense_impacts(fit, W):
    n = W.shape[0]
    A = np.linalg.inv(np.eye(n) - fit.rho * W)
    out = {}
    for i, name in enumerate(fit.x_names):
        S = A @ (fit.beta[i] * np.eye(n) + fit.theta[i] * W)
        out[name] = (np.trace(S) / n, S.sum() / n, S)
    return out


def test_durbin_impacts_match_dense_closed_form(columbus, columbus_w):
    fit = _fit(columbus, columbus_w, "durbin")
    ref = _spreg_lag(columbus, slx=1)
    assert_allclose(fit.params, np.ravel(ref.betas), atol=1e-6)
    W = columbus_w.w.sparse.toarray()
    dense = _dense_impacts(fit, W)
    imp = impacts(fit, trace_operator(columbus_w))
    for name, (direct, total, _) in dense.items():
        assert abs(imp[name]["direct"] - direct) < 1e-9
        assert abs(imp[name]["total"] - total) < 1e-9
        assert abs(imp[name]["indirect"] - (total - direct)) < 1e-9
    # spreg's Durbin "direct" is not LeSage-Pace's: the difference is what this module fixes.
    assert abs(imp["INC"]["direct"] - (-0.9607)) > 0.05


def test_trace_approximation_close_to_exact(columbus, columbus_w):
    fit = _fit(columbus, columbus_w, "durbin")
    exact = impacts(fit, trace_operator(columbus_w, method="exact"))
    approx = impacts(fit, trace_operator(columbus_w, method="trace", probes=400, seed=1))
    for name in exact:
        assert abs(approx[name]["total"] - exact[name]["total"]) < 1e-9
        assert abs(approx[name]["direct"] - exact[name]["direct"]) < 0.02 * abs(exact[name]["direct"]) + 1e-3


def test_simulated_impacts_reproducible_and_centred(columbus, columbus_w):
    fit = _fit(columbus, columbus_w)
    ops = trace_operator(columbus_w)
    a = simulate_impacts(fit, ops, draws=2000, seed=11)
    b = simulate_impacts(fit, ops, draws=2000, seed=11)
    assert a == b
    inc = a["impacts"]["INC"]
    for k in ("direct", "indirect", "total"):
        assert inc[k]["sd"] > 0
        assert inc[k]["ci95"][0] < inc[k]["estimate"] < inc[k]["ci95"][1]
    # Direct impact of INC: sd close to the beta's standard error times the multiplier.
    se_beta = float(np.sqrt(fit.vm[1, 1]))
    assert abs(inc["direct"]["sd"] - se_beta * 1.0497) < 0.15 * se_beta


def test_simulation_without_parameter_uncertainty_is_degenerate(columbus, columbus_w):
    fit = _fit(columbus, columbus_w)
    fit.vm = np.zeros_like(fit.vm)
    out = simulate_impacts(fit, trace_operator(columbus_w), draws=50, seed=1)
    inc = out["impacts"]["INC"]["total"]
    assert inc["sd"] < 1e-12
    assert abs(inc["mean"] - inc["estimate"]) < 1e-12


def test_hub_column_is_column_of_impact_matrix(columbus, columbus_w):
    fit = _fit(columbus, columbus_w, "durbin")
    W = columbus_w.w.sparse.toarray()
    S = _dense_impacts(fit, W)["INC"][2]
    col = hub_column(fit, columbus_w, "5", "INC")
    j = columbus_w.ids.index("5")
    got = np.array([col["effects"][i] for i in columbus_w.ids])
    assert_allclose(got, S[:, j], atol=1e-10)
    assert abs(col["own_effect"] - S[j, j]) < 1e-10


def test_hub_column_uncertainty(columbus, columbus_w):
    fit = _fit(columbus, columbus_w, "durbin")
    col = hub_column(fit, columbus_w, "5", "INC", draws=300, seed=2)
    lo, hi = col["effect_on_others_ci95"]
    assert col["effect_on_others_sd"] > 0 and lo < col["effect_on_others_total"] < hi
    assert col == hub_column(fit, columbus_w, "5", "INC", draws=300, seed=2)
