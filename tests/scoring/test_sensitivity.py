"""Sobol indices: ours are SALib's own estimators on the same design, unit by unit."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from SALib.analyze import sobol as salib_sobol

from cityrank import paths
from cityrank.errors import ConfigError
from cityrank.scoring.ingest import ingest
from cityrank.scoring.replicates import Model, ranks_of
from cityrank.scoring.sensitivity import design, indices_by_column, sobol
from cityrank.scoring.system import load_system

TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"


@pytest.fixture(scope="module")
def model():
    system = load_system("ndrc-2017")
    data = ingest(TOP10, system).data
    return Model(system, data, weightings=["published", "equal"],
                 normalisations=["nominal", "points", "minmax", "rank"],
                 aggregations=["arithmetic", "geometric", "copeland"], imputations=[],
                 drop=True, perturbation=0.25, geometric_offset=0.01)


def test_per_unit_indices_equal_salib_analyze_on_the_same_samples(model):
    x = design(model, 64, seed=4)
    groups = [f.name for f in model.factors]
    assert len(x) == 64 * (len(groups) + 2)
    ranks = ranks_of(model.totals(model.decode(x)))
    s1, st = indices_by_column(ranks, len(groups))
    checked = 0
    for j in range(ranks.shape[1]):
        y = ranks[:, j].astype(float)
        if np.ptp(y) == 0:
            continue
        ref = salib_sobol.analyze(model.problem, y, calc_second_order=False,
                                  num_resamples=10, seed=1)
        assert_allclose(s1[:, j], ref["S1"], rtol=1e-10, atol=1e-12)
        assert_allclose(st[:, j], ref["ST"], rtol=1e-10, atol=1e-12)
        checked += 1
    assert checked >= 8


def test_sobol_result_and_average_shift_against_salib(model):
    nominal = ranks_of(model.totals(model.nominal()))[0]
    res = sobol(model, nominal, base=64, seed=4, num_resamples=50)
    assert res.factors == ["weights", "weighting", "normalisation", "aggregation", "drop"]
    x = design(model, 64, seed=4)
    ranks = ranks_of(model.totals(model.decode(x)))
    shift = np.abs(ranks - nominal[None, :]).mean(axis=1)
    ref = salib_sobol.analyze(model.problem, shift, calc_second_order=False,
                              num_resamples=50, seed=5)
    for k in ("S1", "S1_conf", "ST", "ST_conf"):
        assert_allclose(res.shift[k], ref[k], rtol=1e-10, atol=1e-12)
    one = res.per_unit[res.per_unit["code"] == model.codes[3]].set_index("factor")
    ref3 = salib_sobol.analyze(model.problem, ranks[:, 3].astype(float),
                               calc_second_order=False, num_resamples=10, seed=1)
    assert_allclose(one["ST"].to_numpy(), ref3["ST"], rtol=1e-10)
    assert (res.per_unit["ST"] >= -1e-9).all()  # the total-order estimator is a mean square


def test_a_choice_without_effect_has_zero_indices():
    system = load_system("ndrc-2017")
    data = ingest(TOP10, system).data
    m = Model(system, data, weightings=["published"], normalisations=["nominal", "points"],
              aggregations=["arithmetic"], imputations=[], drop=True, perturbation=0.0,
              geometric_offset=0.01)
    nominal = ranks_of(m.totals(m.nominal()))[0]
    res = sobol(m, nominal, base=64, seed=2)
    norm = res.per_unit[res.per_unit["factor"] == "normalisation"]
    assert (norm["S1"] == 0).all() and (norm["ST"] == 0).all()
    drop = res.shift.set_index("factor").loc["drop"]
    assert drop["ST"] > 0.5


def test_constant_outputs_and_design_checks(model):
    s1, st = indices_by_column(np.ones((64 * 7, 3)), 5)
    assert (s1 == 0).all() and (st == 0).all()
    with pytest.raises(ConfigError, match="power of two"):
        design(model, 100, seed=1)
