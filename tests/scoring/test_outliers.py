"""Outliers by COINr's rule; winsorisation and log treatment."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cityrank.errors import ConfigError
from cityrank.scoring.outliers import has_outliers, log_ct, skew_kurt, treat, treat_given
from cityrank.scoring.system import parse_system

# COINr's own example (vignette "treat"): 1..10 plus two outliers.
X = np.array([*range(1, 11), 30, 100], dtype=float)


def test_skew_and_kurtosis_are_e1071_type_2():
    # COINr skew(): sqrt(n) sum(d^3) / sum(d^2)^1.5 * sqrt(n (n - 1)) / (n - 2)
    n = len(X)
    d = X - X.mean()
    g1 = np.sqrt(n) * (d ** 3).sum() / (d ** 2).sum() ** 1.5
    skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    # COINr kurt(): r = n sum(d^4) / sum(d^2)^2; ((n + 1)(r - 3) + 6)(n - 1) / ((n - 2)(n - 3))
    r = n * (d ** 4).sum() / (d ** 2).sum() ** 2
    kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    assert_allclose(skew_kurt(X), (skew, kurt))
    assert has_outliers(X) and not has_outliers(np.arange(12.0))


def test_winsorise_until_the_rule_passes():
    out, report = treat(pd.DataFrame({"x": X, "y": np.arange(12.0)}), "winsorise")
    row = report.set_index("indicator").loc["x"]
    assert row["outliers"] and row["treatment"] == "winsorise"
    assert not has_outliers(out["x"]) and row["n_treated"] >= 1
    assert out["x"].max() < 100 and (out["x"].iloc[:10] == X[:10]).all()  # only the top end
    assert report.set_index("indicator").at["y", "treatment"] == "none"
    assert (out["y"] == np.arange(12.0)).all()


def test_log_when_winsorising_is_not_allowed_enough():
    out, report = treat(pd.DataFrame({"x": X}), "winsorise", winmax=0)
    assert report.at[0, "treatment"] == "log"
    assert_allclose(out["x"], np.log(X - 1 + 0.01 * 99))
    assert_allclose(log_ct(X), out["x"])
    out2, rep2 = treat(pd.DataFrame({"x": X}), "log")
    assert rep2.at[0, "treatment"] == "log" and np.all(np.diff(out2["x"]) > 0)
    with pytest.raises(ConfigError):
        treat(pd.DataFrame({"x": X}), "clip")


def test_fixed_scales_are_reported_not_changed():
    s = parse_system({"id": "o", "name": "o", "total_max": 300, "indicators": [
        {"id": "p", "name": "p", "max": 200},
        {"id": "m", "name": "m", "max": 100, "method": "minmax"}]})
    data = pd.DataFrame({"p": X, "m": X}, index=[str(110000 + i) for i in range(12)])
    out, report = treat_given(s, data, "winsorise")
    rep = report.set_index("indicator")
    assert rep.at["p", "outliers"] and rep.at["p", "treatment"] == "none"
    assert rep.at["m", "treatment"] == "winsorise"
    assert (out["p"] == X).all() and not has_outliers(out["m"])
