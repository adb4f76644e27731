"""LISA cluster codes (GeoDa order), FDR, Gi*: reference values and constructed cases."""

from __future__ import annotations

import esda
import numpy as np
import pytest

from cityrank.errors import DataError
from cityrank.geo.analysis.autocorrelation import (
    ESDA_Q_TO_GEODA,
    GEODA_LABELS,
    local_g_star,
    local_moran,
)
from cityrank.geo.analysis.weights import build_weights


def test_esda_quadrants_map_to_geoda_codes():
    # esda: 1 HH, 2 LH, 3 LL, 4 HL; GeoDa: 1 HH, 2 LL, 3 LH, 4 HL.
    assert {GEODA_LABELS[ESDA_Q_TO_GEODA[q]] for q in (1,)} == {"HH"}
    assert GEODA_LABELS[ESDA_Q_TO_GEODA[2]] == "LH"
    assert GEODA_LABELS[ESDA_Q_TO_GEODA[3]] == "LL"
    assert GEODA_LABELS[ESDA_Q_TO_GEODA[4]] == "HL"
    assert [GEODA_LABELS[c] for c in (1, 2, 3, 4)] == ["HH", "LL", "LH", "HL"]


def test_columbus_lisa_reference(columbus, columbus_w):
    lisa = local_moran(columbus["CRIME"].to_numpy(), columbus_w, permutations=999, seed=12345)
    got = {lab: lisa.loc[lisa["cluster_label"] == lab, "id"].tolist() for lab in ("HH", "LL", "LH", "HL")}
    assert got == {
        "HH": ["11", "15", "16", "18", "24", "25", "26", "28", "29", "30", "37"],
        "LL": ["23", "31", "32", "36", "39", "40", "46"],
        "LH": ["7"],
        "HL": ["17"],
    }
    ref = esda.Moran_Local(columbus["CRIME"].to_numpy(), columbus_w.w, permutations=999, seed=12345, n_jobs=1)
    np.testing.assert_allclose(lisa["Ii"], ref.Is, atol=1e-12)
    np.testing.assert_allclose(lisa["p_sim"], ref.p_sim, atol=1e-12)
    # Quadrant names follow the sign of z_i and its lag, whatever the significance.
    z = columbus["CRIME"].to_numpy() - columbus["CRIME"].mean()
    lag = columbus_w.w.sparse @ z
    hh = (z > 0) & (lag > 0)
    assert (lisa.loc[hh, "quadrant"] == "HH").all()


def test_fdr_is_stricter(columbus, columbus_w):
    y = columbus["CRIME"].to_numpy()
    plain = local_moran(y, columbus_w, permutations=999, seed=1)
    fdr = local_moran(y, columbus_w, permutations=999, seed=1, fdr=True)
    assert fdr["p_threshold"].iloc[0] < 0.05
    assert fdr["significant"].sum() < plain["significant"].sum()
    assert set(fdr.loc[fdr["significant"], "id"]) <= set(plain.loc[plain["significant"], "id"])


def test_corner_grid_hot_and_cold(corner_grid):
    sw = build_weights(corner_grid, "queen", ids=corner_grid["id"].tolist())
    lisa = local_moran(corner_grid["v"].to_numpy(), sw, permutations=999, seed=2).set_index("id")
    assert lisa.at["r8c8", "cluster_label"] == "HH"
    assert lisa.at["r1c1", "cluster_label"] == "LL"
    assert lisa.at["r5c5", "cluster_label"] == "not significant"
    gi = local_g_star(corner_grid["v"].to_numpy(), sw, permutations=999, seed=2).set_index("id")
    assert gi.at["r8c8", "label"] == "hot spot" and gi.at["r8c8", "z"] > 3
    assert gi.at["r1c1", "label"] == "cold spot" and gi.at["r1c1", "z"] < -3


def test_constant_values_refused(corner_grid):
    sw = build_weights(corner_grid, "rook", ids=corner_grid["id"].tolist())
    with pytest.raises(DataError, match="constant"):
        local_moran(np.ones(len(corner_grid)), sw, permutations=9)
    with pytest.raises(DataError, match="NaN"):
        local_moran(np.r_[np.nan, np.ones(len(corner_grid) - 1)], sw, permutations=9)


def test_gi_star_matches_textbook_formula(corner_grid):
    sw = build_weights(corner_grid, "queen", ids=corner_grid["id"].tolist())
    x = corner_grid["v"].to_numpy()
    gi = local_g_star(x, sw, permutations=0)
    n = len(x)
    A = (sw.w.sparse.toarray() > 0).astype(float) + np.eye(n)  # binary, self included
    xbar, s = x.mean(), x.std()
    wsum = A.sum(1)
    z = (A @ x - xbar * wsum) / (s * np.sqrt((n * (A**2).sum(1) - wsum**2) / (n - 1)))
    np.testing.assert_allclose(gi["z"], z, atol=1e-9)
