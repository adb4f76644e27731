"""Normalisation methods, aggregation up the tree, ranks with shared ties, percentiles."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cityrank.errors import DataError
from cityrank.scoring.aggregate import percentile, rank_desc
from cityrank.scoring.engine import score
from cityrank.scoring.normalise import METHODS, normalise
from cityrank.scoring.system import load_system, parse_system


class N:
    def __init__(self, direction="higher", max_points=10.0, goalposts=None, method="points"):
        self.direction, self.max_points, self.goalposts, self.method = (
            direction, max_points, goalposts, method)


def test_registry_has_all_methods():
    assert set(METHODS) == {"points", "minmax", "zscore", "rank", "goalposts"}


def test_methods_reference_values():
    x = np.array([2.0, 4.0, 6.0, np.nan])
    assert_allclose(normalise(x, N(method="points")), [0.2, 0.4, 0.6, np.nan])
    assert_allclose(normalise(x, N(method="minmax")), [0, 0.5, 1, np.nan])
    assert_allclose(normalise(x, N("lower", method="minmax")), [1, 0.5, 0, np.nan])
    assert_allclose(normalise(x, N(method="zscore")), [0.110335, 0.5, 0.889665, np.nan],
                    atol=1e-6)
    assert_allclose(normalise(x, N(method="rank")), [0, 0.5, 1, np.nan])
    assert_allclose(normalise(x, N(method="goalposts", goalposts=(3, 5))), [0, 0.5, 1, np.nan])
    assert_allclose(normalise(x, N(method="goalposts", goalposts=(5, 3))), [1, 0.5, 0, np.nan])


def test_ranks_ties_shared_and_percentile():
    t = [68.3, 60.4, 60.4000000000001, 59.9, 70.0]
    assert rank_desc(t).tolist() == [2, 3, 3, 5, 1]
    assert_allclose(percentile(t), [80, 60, 60, 20, 100])


def _frame(system, rows):
    return pd.DataFrame(rows, index=pd.Index([str(110000 + i) for i in range(len(rows))],
                                             name="code"), columns=system.leaves, dtype=float)


def test_points_2017_rescales_data_management():
    s = load_system("ndrc-2017")
    row = {leaf: 0.0 for leaf in s.leaves}
    row.update(population_db=5, legal_entity_db=5, video_sharing=2, cloud_platform=3,
               spatial_platform=2)
    df = score(s, _frame(s, [row]))
    assert df.loc[0, "data_management"] == pytest.approx(10.0)
    assert df.loc[0, "perception"] == pytest.approx(15.0)
    assert df.loc[0, "rate_perception"] == pytest.approx(1.0)
    full = {leaf: s.nodes[leaf].max_points for leaf in s.leaves}
    assert score(s, _frame(s, [full])).loc[0, "total"] == pytest.approx(100.0)


def test_geometric_penalises_imbalance():
    s = parse_system({"id": "g", "name": "g", "scoring": {"aggregation": "geometric"},
                      "indicators": [{"id": "a", "name": "a", "max": 50},
                                     {"id": "b", "name": "b", "max": 50}]})
    df = score(s, _frame(s, [[50, 10], [30, 30], [50, 50]]))
    # sqrt(1.0 * 0.2) = 0.447 < 0.6: imbalance costs points the arithmetic mean would keep
    assert_allclose(sorted(df["total"]), [100 * np.sqrt(0.2), 60, 100])
    arith = score(s, _frame(s, [[50, 10], [30, 30]]), aggregation="arithmetic")
    assert_allclose(arith["total"], [60, 60])


def test_geometric_zero_refused_naming_cells_or_offset():
    from cityrank.scoring.aggregate import GeometricZeroError

    s = parse_system({"id": "g", "name": "g", "scoring": {"aggregation": "geometric"},
                      "indicators": [{"id": "a", "name": "甲", "max": 50},
                                     {"id": "b", "name": "乙", "max": 50}]})
    data = _frame(s, [[50, 0], [25, 25], [0, 50]])
    with pytest.raises(GeometricZeroError) as e:
        score(s, data)
    assert e.value.cells == [("110000", "b", "乙"), ("110002", "a", "甲")]
    assert "110000 b (乙)" in str(e.value) and "geometric_offset" in str(e.value)
    assert "110002 a（甲）" in e.value.render("zh")
    # offset e: every rate r -> e + (1 - e) r, so [1, 0] -> [1, e] and [0.5, 0.5] stays 0.5
    df = score(s, data, geometric_offset=0.01).set_index("code")
    assert_allclose(df.loc["110000", "total"], 100 * np.sqrt(0.01))
    assert_allclose(df.loc["110001", "total"], 100 * (0.01 + 0.99 * 0.5))


def test_scores_table_contract_columns():
    s = load_system("ndrc-2017")
    df = score(s, _frame(s, [{leaf: 1.0 for leaf in s.leaves}] * 2), synthetic=True)
    for col in ["code", "name", "province", "region", "total", "rank", "percentile",
                *s.nodes, *(f"rate_{f}" for f in s.first_level)]:
        assert col in df.columns
    assert df.attrs["synthetic"] is True
    assert df["rank"].tolist() == [1, 1]


def test_missing_values_must_be_handled_first():
    s = load_system("ndrc-2017")
    with pytest.raises(DataError, match="missing"):
        score(s, _frame(s, [{leaf: np.nan for leaf in s.leaves}]))


def test_deduction_item_subtracts():
    s = load_system("ndrc-2018")
    row = {f: 50.0 for f in s.leaves}
    row["security"] = 3.0
    df = score(s, _frame(s, [row]))
    assert df.loc[0, "total"] == pytest.approx(50.0 - 3.0)
