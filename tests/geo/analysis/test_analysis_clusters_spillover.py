"""Cluster comparison, core-periphery profile, distance decay and governance zones."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from cityrank.errors import NotFoundError
from cityrank.geo.analysis.clusters import cluster_comparison
from cityrank.geo.analysis.regionalise import governance_zones
from cityrank.geo.analysis.spillover import distance_decay


@dataclass
class _M:
    code: str
    partial: bool = False


@dataclass
class _C:
    name: str
    name_en: str
    plan: str
    year: int
    cores: tuple
    members: tuple


@pytest.fixture
def frame():
    # Province A (codes 11xxxx): a cluster of 5 strong cities along a line east of the core at
    # 120E; province B: weak cities; the core (110100) has no score (outside the universe).
    rows = [("110100", "core", "110000", 120.0, 30.0, np.nan)]
    for i in range(1, 6):
        rows.append((f"11{i + 1:02d}00", f"c{i}", "110000", 120.0 + i * 0.5, 30.0, 70.0 - 2 * i))
    for i in range(7, 11):
        rows.append((f"11{i:02d}00", f"a{i}", "110000", 118.0, 28.0 + i * 0.1, 50.0 + i % 2))
    for i in range(10):
        rows.append((f"12{i:02d}00", f"b{i}", "120000", 110.0, 25.0 + i * 0.3, 40.0 + (i % 3)))
    return pd.DataFrame(rows, columns=["code", "name", "province_code", "lon", "lat", "total"])


@pytest.fixture
def clusters():
    members = (_M("110100"), _M("110200"), _M("110300"), _M("110400"), _M("110500"), _M("110600", partial=True))
    return {"test": _C("测试群", "Test cluster", "plan", 2020, ("110100",), members)}


def test_cluster_gaps_profile_and_partial(frame, clusters):
    (c,) = cluster_comparison(frame, "total", clusters=clusters, n_boot=500, seed=1)
    members = ["110100", "110200", "110300", "110400", "110500", "110600"]
    inner = frame.loc[frame["code"].isin(members), "total"].dropna()
    assert c["scored_members"] == 5 and c["partial_members"] == ["110600"]
    assert "110100" in c["unscored_members"]
    assert abs(c["mean"] - inner.mean()) < 1e-9
    assert abs(c["gap_vs_national"] - (inner.mean() - frame["total"].mean())) < 1e-9
    rest = frame[(frame["province_code"] == "110000") & ~frame["code"].isin(members)]
    assert c["rest_of_provinces_n"] == len(rest.dropna())
    assert abs(c["gap_vs_rest_of_provinces"] - (inner.mean() - rest["total"].mean())) < 1e-9
    assert c["gap_vs_national_ci95"][0] > 0
    cp = c["core_periphery"]
    assert cp["cores"] == ["110100"]
    d = [u["distance_m"] for u in cp["units"]]
    assert d == sorted(d) and 47_000 < d[0] < 49_500  # half a degree of longitude at 30N is ~48.2 km
    slope = cp["fit"]["slope_per_100km"]
    assert abs(slope["coef"] - (-2 / 0.4817)) < 0.2  # -2 points per 0.5 degree (~48.2 km)
    excl = cluster_comparison(frame, "total", clusters=clusters, include_partial=False, n_boot=0)[0]
    assert excl["scored_members"] == 4


def test_distance_decay(frame):
    dd = distance_decay(frame, "total", "110100", max_km=300)
    assert dd["hub_name"] == "core" and dd["n"] == 5 + 4  # province A's cities within 300 km
    assert dd["fit"]["slope_per_100km"]["coef"] < 0
    assert all(u["distance_m"] <= 300_000 for u in dd["units"])
    with pytest.raises(NotFoundError):
        distance_decay(frame, "total", "999999")


def test_skater_zones_match_spopt_default(columbus, columbus_w):
    from spopt.region import Skater

    z = governance_zones(columbus, columbus_w, ["CRIME"], n_zones=4, floor=5)
    fr = columbus[["geometry"]].copy()
    fr["a"] = (columbus["CRIME"] - columbus["CRIME"].mean()) / columbus["CRIME"].std(ddof=0)
    ref = Skater(fr, copy.deepcopy(columbus_w.w), ["a"], n_clusters=4, floor=5, islands="increase")
    ref.solve()
    ours = np.array([z["labels"][i] for i in columbus_w.ids])
    # Same partition (labels may be numbered differently).
    assert len(set(zip(ours, ref.labels_, strict=True))) == len(set(ours)) == 4
    assert min(zz["n"] for zz in z["zones"]) >= 5


def test_maxp_zones_seeded(columbus, columbus_w):
    a = governance_zones(columbus, columbus_w, ["CRIME"], method="maxp", floor=8, seed=3)
    b = governance_zones(columbus, columbus_w, ["CRIME"], method="maxp", floor=8, seed=3)
    assert a["labels"] == b["labels"]
    assert min(zz["n"] for zz in a["zones"]) >= 8


def test_zones_leave_callers_weights_alone(columbus, columbus_w):
    before = columbus_w.w.sparse.toarray().copy()
    governance_zones(columbus, columbus_w, ["CRIME"], method="maxp", floor=8, seed=3)
    governance_zones(columbus, columbus_w, ["CRIME"], n_zones=4)
    assert columbus_w.w.transform == "R"
    np.testing.assert_array_equal(columbus_w.w.sparse.toarray(), before)
