"""Copeland beside arithmetic and geometric: pairwise outranking by hand, compensability."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cityrank import paths
from cityrank.errors import ConfigError
from cityrank.scoring.aggregate import (
    AGGREGATORS,
    COMPENSABILITY,
    copeland_shares,
)
from cityrank.scoring.engine import score
from cityrank.scoring.ingest import ingest
from cityrank.scoring.system import AGGREGATIONS, load_system, parse_system

L1 = ["perception", "management", "services", "cyberspace", "collaboration"]
W = {"perception": .15, "management": .25, "services": .25, "cyberspace": .15,
     "collaboration": .2}


def test_every_method_states_its_compensability():
    assert COMPENSABILITY == {"arithmetic": "full", "geometric": "partial", "copeland": "none"}
    assert set(AGGREGATIONS) == set(COMPENSABILITY) and set(AGGREGATORS) < set(COMPENSABILITY)


def test_copeland_on_the_published_top10_by_hand():
    system = load_system("ndrc-2017")
    data = ingest(paths.PUBLISHED_DIR / "ndrc-2017-top10.csv", system).data
    codes = list(data.index)
    by_hand = {}
    for a in codes:
        won = 0.0
        for b in codes:
            if a == b:
                continue
            # weighted vote: the weights of the pillars on which a beats b, minus the others
            vote = sum(W[k] * np.sign(data.at[a, k] - data.at[b, k]) for k in L1)
            won += 1.0 if vote > 1e-9 else 0.5 if abs(vote) <= 1e-9 else 0.0
        by_hand[a] = 100 * won / (len(codes) - 1)
    df = score(system, data, aggregation="copeland").set_index("code")
    assert df["total"].to_dict() == pytest.approx(by_hand)
    assert df.attrs["aggregation"] == "copeland"
    # the pillars are the data here: they keep their published points
    assert df.at["370200", "perception"] == pytest.approx(10.0)
    # non-compensatory: only the order on each pillar counts, so any increasing transform of
    # the points leaves Copeland unchanged while the arithmetic totals move
    maxima = pd.Series({k: system.nodes[k].max_points for k in L1})
    squeezed = data.copy()
    squeezed[L1] = maxima * (data[L1] / maxima) ** 3
    again = score(system, squeezed, aggregation="copeland").set_index("code")
    assert again["total"].to_dict() == pytest.approx(df["total"].to_dict())
    arith, arith3 = (score(system, d).set_index("code") for d in (data, squeezed))
    assert not np.allclose(arith["total"], arith3.loc[arith.index, "total"])


def test_copeland_shares_small_cases():
    # three units, two indicators weighted 0.6 / 0.4: a wins both pairs on the heavier one
    assert_allclose(copeland_shares(np.array([[3., 1.], [2., 2.], [1., 3.]]),
                                    np.array([0.6, 0.4])), [1.0, 0.5, 0.0])
    # equal weights, opposite orders: every pair is a tie
    assert_allclose(copeland_shares(np.array([[1., 0.], [0., 1.]]), np.array([.5, .5])),
                    [0.5, 0.5])
    assert_allclose(copeland_shares(np.array([[1.0]]), np.array([1.0])), [1.0])


def test_copeland_refuses_too_many_units():
    with pytest.raises(ConfigError, match="pair"):
        copeland_shares(np.zeros((5001, 1)), np.ones(1))


def test_copeland_dominating_unit_wins_everything():
    s = parse_system({"id": "c", "name": "c", "indicators": [
        {"id": "p", "name": "甲", "max": 60, "children": [
            {"id": "a", "name": "a", "max": 30, "method": "minmax"},
            {"id": "b", "name": "b", "max": 30, "method": "minmax"}]},
        {"id": "c", "name": "乙", "max": 40, "method": "minmax"}]})
    data = pd.DataFrame({"a": [9, 1, 2, 3], "b": [9, 5, 4, 1], "c": [9, 1, 2, 8]},
                        index=pd.Index(["110000", "120000", "130000", "140000"], name="code"),
                        dtype=float)
    df = score(s, data, aggregation="copeland").set_index("code")
    assert df.at["110000", "total"] == pytest.approx(100)
    assert df.at["110000", "p"] == pytest.approx(60)
    assert (df["rank"] == 1).sum() == 1
