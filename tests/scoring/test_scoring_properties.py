"""Property tests: monotonicity, weighted sums, unit invariance of min-max."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityrank.scoring.engine import score
from cityrank.scoring.system import load_system, parse_system

SYS2017 = load_system("ndrc-2017")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def raw_system(method):
    return parse_system({"id": "p", "name": "p", "scoring": {"method": method}, "indicators": [
        {"id": "a", "name": "a", "weight": 2, "children": [
            {"id": "a1", "name": "a1", "weight": 1},
            {"id": "a2", "name": "a2", "weight": 3, "direction": "lower"}]},
        {"id": "b", "name": "b", "weight": 1, "children": [{"id": "b1", "name": "b1"}]}]})


def frame(system, matrix):
    idx = pd.Index([f"{110000 + i}" for i in range(len(matrix))], name="code")
    return pd.DataFrame(np.asarray(matrix, float), index=idx, columns=system.leaves)


def points_matrix(n_min=2, n_max=8):
    maxima = [SYS2017.nodes[leaf].max_points for leaf in SYS2017.leaves]
    row = st.tuples(*[st.floats(0, m, allow_nan=False) for m in maxima])
    return st.lists(row, min_size=n_min, max_size=n_max)


def by_code(df):
    return df.set_index("code")


@SETTINGS
@given(points_matrix(), st.data())
def test_raising_an_indicator_never_lowers_total_points(matrix, data):
    i = data.draw(st.integers(0, len(matrix) - 1))
    j = data.draw(st.integers(0, len(SYS2017.leaves) - 1))
    m = SYS2017.nodes[SYS2017.leaves[j]].max_points
    before = frame(SYS2017, matrix)
    after = before.copy()
    after.iat[i, j] = data.draw(st.floats(after.iat[i, j], m))
    code = before.index[i]
    t0 = by_code(score(SYS2017, before)).loc[code, "total"]
    t1 = by_code(score(SYS2017, after)).loc[code, "total"]
    assert t1 >= t0 - 1e-9


@SETTINGS
@pytest.mark.parametrize("method", ["minmax", "rank"])
@given(st.lists(st.tuples(*[st.floats(-1e3, 1e3, allow_nan=False)] * 3), min_size=2,
                max_size=8), st.data())
def test_raising_higher_is_better_never_lowers_total_relative(method, matrix, data):
    system = raw_system(method)
    i = data.draw(st.integers(0, len(matrix) - 1))
    col = data.draw(st.sampled_from(["a1", "b1"]))  # the higher-is-better leaves
    before = frame(system, matrix)
    after = before.copy()
    after.loc[after.index[i], col] += data.draw(st.floats(0, 1e3))
    code = before.index[i]
    t0 = by_code(score(system, before)).loc[code, "total"]
    t1 = by_code(score(system, after)).loc[code, "total"]
    assert t1 >= t0 - 1e-9


@SETTINGS
@given(points_matrix(1, 5))
def test_every_node_is_the_weighted_sum_of_its_children(matrix):
    df = score(SYS2017, frame(SYS2017, matrix))
    for nid, node in SYS2017.nodes.items():
        if node.is_leaf:
            continue
        kids = [SYS2017.nodes[c] for c in node.children]
        total_max = sum(k.max_points for k in kids)
        weighted = sum((k.max_points / total_max) * df[k.id] / k.max_points for k in kids)
        np.testing.assert_allclose(df[nid], node.max_points * weighted, atol=1e-8)
    weighted = sum(SYS2017.nodes[f].weight * df[f] / SYS2017.nodes[f].max_points
                   for f in SYS2017.first_level)
    np.testing.assert_allclose(df["total"], 100 * weighted, atol=1e-8)
    np.testing.assert_allclose(df["total"], df[SYS2017.first_level].sum(axis=1), atol=1e-8)


@SETTINGS
@given(st.lists(st.tuples(*[st.integers(-100_000, 100_000).map(lambda v: v / 10)] * 3),
                min_size=2, max_size=10),
       st.floats(1e-3, 1e3), st.floats(-1e4, 1e4), st.sampled_from(["a1", "a2", "b1"]))
def test_minmax_invariant_to_unit_change(matrix, scale, shift, col):
    # Values on a 0.1 grid: a unit change must not be confused with float round-off.
    system = raw_system("minmax")
    base = frame(system, matrix)
    changed = base.copy()
    changed[col] = changed[col] * scale + shift  # e.g. yuan -> 10k yuan, °C -> K
    a, b = score(system, base), score(system, changed)
    np.testing.assert_allclose(by_code(a)[system.nodes.keys()].sort_index(),
                               by_code(b)[system.nodes.keys()].sort_index(), atol=1e-6)
