"""Strengths and weaknesses of a unit: indicator ranks and gaps to its groups' best."""

import json

import pytest

from cityrank import paths
from cityrank.errors import NotFoundError
from cityrank.scoring.pipeline import score_file
from cityrank.scoring.profile import city_profile, detailed_nodes, indicator_ranks, profile_table

YRD = ["310000", "320100", "320200", "330100", "330200", "340100"]  # a few 长三角 codes
EAST = ["330100", "330200", "370200", "440600", "350200"]


@pytest.fixture(scope="module")
def run():
    return score_file("ndrc-2017", paths.DEMO_DIR / "ndrc-2017-simulated.csv")


def test_indicator_ranks_and_gaps_by_hand(run):
    sc = run.scores.set_index("code")
    ranks = indicator_ranks(run.scores, run.system)
    # rank on 惠民服务 = 1 + number of units strictly better
    v = sc.at["330200", "services"]
    assert ranks.at["330200", "services"] == 1 + int((sc["services"] > v + 1e-9).sum())
    table = profile_table(run.scores, run.system, "330200", {"east": EAST, "yrd": YRD})
    row = table.set_index("indicator").loc["services"]
    east_best = sc.loc[EAST, "services"].idxmax()
    assert row["best_east"] == east_best
    assert row["gap_east"] == pytest.approx(sc.at[east_best, "services"] - v)
    # codes not in the table (上海 is not in the 2017 universe) are ignored
    assert row["best_yrd"] in set(YRD) & set(sc.index)
    assert (table["gap_east"] >= 0).all()


def test_city_profile_strengths_and_weaknesses(run):
    p = city_profile(run.scores, run.system, "330200", {"east": EAST}, n=3)
    json.dumps(p, allow_nan=False, ensure_ascii=False)
    detailed = detailed_nodes(run.scores, run.system)
    assert len(detailed) == 21 and p["rank"] == 7 and p["name"] == "宁波市"
    ranks = {i["indicator"]: i["rank"] for i in p["indicators"] if i["indicator"] in detailed}
    best = sorted(ranks.items(), key=lambda kv: (kv[1], kv[0]))
    assert p["strengths"] == [k for k, _ in best[:3]]
    assert set(p["weaknesses"]) == {k for k, _ in best[-3:]}
    first = p["indicators"][0]
    assert first["indicator"] == "perception" and "east" in first["gaps"]
    with pytest.raises(NotFoundError):
        city_profile(run.scores, run.system, "999999")
