"""Disparity numbers against inequality (TheilD, Gini) and hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from inequality.gini import Gini
from inequality.theil import TheilD

from cityrank.errors import DataError
from cityrank.geo.analysis.disparity import (
    _gini_fast,
    group_disparity,
    inequality_indices,
    theil_decomposition,
)
from cityrank.scoring.summary import cv_percent


@pytest.fixture
def regions():
    rng = np.random.default_rng(5)
    groups = np.repeat(["East", "Central", "West", "Northeast"], [40, 30, 50, 20])
    base = {"East": 55.0, "Central": 47.0, "West": 40.0, "Northeast": 43.0}
    y = np.array([base[g] for g in groups]) + rng.normal(0, 4, groups.size)
    return pd.DataFrame({"total": y, "region": groups, "a": y * 0.2 + rng.normal(0, 1, groups.size)})


def test_theil_decomposition_matches_inequality(regions):
    codes = pd.factorize(regions["region"])[0]
    y = regions["total"].to_numpy()
    t, b = theil_decomposition(y, codes)
    ref = TheilD(y, codes)
    assert abs(t[0] - ref.T) < 1e-12
    assert abs(b[0] - np.ravel(ref.bg)[0]) < 1e-12


def test_gini_matches_inequality(regions):
    y = regions["total"].to_numpy()
    assert abs(_gini_fast(y) - Gini(y).g) < 1e-12


def test_cv_is_population_std_over_mean():
    # One CV for the whole project (scoring.summary.cv_percent): the population std (ddof=0),
    # as the national evaluation computes it over all evaluated cities; this test expected the
    # sample std (ddof=1) before the two definitions were merged.
    assert abs(cv_percent([1, 2, 3, 4]) - np.std([1, 2, 3, 4], ddof=0) / 2.5 * 100) < 1e-12
    assert cv_percent([7.0]) == 0.0  # one city is a population without spread


def test_group_gaps_and_statements(regions):
    out = group_disparity(regions, "total", "region", max_value=100, indicators={"a": 20},
                          n_boot=500, seed=1)
    nat = regions["total"].mean()
    east = next(r for r in out["groups"] if r["group"] == "East")
    assert abs(east["gap_points"] - (regions.loc[regions.region == "East", "total"].mean() - nat)) < 1e-9
    assert abs(east["gap_rate_pp"] - east["gap_points"]) < 1e-9  # max 100: points == pp
    lo, hi = east["gap_rate_pp_ci95"]
    assert lo < east["gap_rate_pp"] < hi and lo > 0
    assert east["statement"].startswith("East is ") and "above the national mean score rate" in east["statement"]
    west = next(r for r in out["groups"] if r["group"] == "West")
    assert "below" in west["statement"]
    assert [r["group"] for r in out["groups"]] == ["East", "Central", "Northeast", "West"]
    assert set(out["cv_by_indicator_percent"]["a"]) == {"national", "East", "Central", "West", "Northeast"}
    th = out["inequality"]["theil"]
    assert th["between_share_ci95"][0] < th["between_share_percent"] < th["between_share_ci95"][1]
    again = group_disparity(regions, "total", "region", max_value=100, n_boot=500, seed=1)
    assert again["groups"][0]["gap_rate_pp_ci95"] == out["groups"][0]["gap_rate_pp_ci95"]


def test_score_rate_uses_max(regions):
    out = group_disparity(regions, "total", "region", max_value=50, n_boot=0)
    east = next(r for r in out["groups"] if r["group"] == "East")
    assert abs(east["gap_rate_pp"] - 2 * east["gap_points"]) < 1e-9


def test_nonpositive_values_make_theil_undefined():
    out = inequality_indices(np.array([0.0, 1, 2, 3]), np.zeros(4, dtype=int), n_boot=10)
    assert out["theil"] is None and "undefined" in out["note"]


def test_missing_column_is_data_error(regions):
    with pytest.raises(DataError, match="'nope'"):
        group_disparity(regions, "nope", "region")


def test_indicator_score_rates_and_ratio(regions):
    out = group_disparity(regions, "total", "region", max_value=100, indicators={"a": 20}, n_boot=0)
    rates = out["score_rate_by_indicator_percent"]["a"]
    by = {g: regions.loc[regions.region == g, "a"].mean() / 20 * 100 for g in regions.region.unique()}
    assert abs(rates["East"] - by["East"]) < 1e-9
    assert rates["highest"] == max(by, key=by.get) and rates["lowest"] == min(by, key=by.get)
    assert abs(rates["ratio_highest_to_lowest"] - max(by.values()) / min(by.values())) < 1e-9
    assert rates["statement"].startswith("On a, East's mean score rate")
