"""Weighting methods: textbook formulas on published worked examples, the registry, effective
weights, and reweighted scoring through the engine."""

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cityrank import paths
from cityrank.errors import ConfigError, DataError
from cityrank.scoring.engine import score
from cityrank.scoring.ingest import ingest
from cityrank.scoring.normalise import given_rates
from cityrank.scoring.system import load_system, parse_system
from cityrank.scoring.weighting import (
    WEIGHTINGS,
    compute_weights,
    critic_weights,
    effective_weights,
    entropy_weights,
    flat_weights,
    pca_weights,
)

TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"
L1 = ["perception", "management", "services", "cyberspace", "collaboration"]

# Xu, X. (2004). A note on the subjective and objective integrated approach to determine
# attribute weights. European Journal of Operational Research 156(2), 530-532: four
# alternatives, four benefit attributes, entropy weights printed as 0.4630, 0.3992, 0.1378,
# 0.0000 (the fourth attribute hardly varies).
XU_2004 = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
XU_2004_WEIGHTS = [0.4630, 0.3992, 0.1378, 0.0000]

# Tuş, A. & Aytaç Adalı, E. (2019). The new combination with CRITIC and WASPAS methods for
# the time and attendance software selection problem. Opsearch 56(2), 528-538,
# doi:10.1007/s12597-019-00371-6: five alternatives, six criteria, CRITIC weights printed as
# 0.157, 0.249, 0.168, 0.121, 0.154, 0.151. The printed weights follow from min-max scaling
# every column as given (the price column included), which is also how pyrepo-mcda's test of
# this example reproduces them; our function takes columns that are "higher is better" as
# they stand, so we feed the matrix unchanged.
TUS_2019 = [[5000, 3, 3, 4, 3, 2], [680, 5, 3, 2, 2, 1], [2000, 3, 2, 3, 4, 3],
            [600, 4, 3, 1, 2, 2], [800, 2, 4, 3, 3, 4]]
TUS_2019_WEIGHTS = [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]


def test_entropy_weights_equal_the_textbook_formula_on_xu_2004():
    x = XU_2004
    n, m = len(x), len(x[0])
    by_hand = []
    for j in range(m):
        col = [x[i][j] for i in range(n)]
        p = [v / sum(col) for v in col]
        e = -sum(pi * math.log(pi) for pi in p if pi > 0) / math.log(n)  # entropy e_j
        by_hand.append(1 - e)  # divergence d_j
    by_hand = [d / sum(by_hand) for d in by_hand]
    assert_allclose(entropy_weights(x), by_hand, rtol=1e-12)
    assert np.round(entropy_weights(x), 4).tolist() == XU_2004_WEIGHTS


def test_critic_weights_equal_the_formula_of_diakoulaki_1995_on_tus_2019():
    x = TUS_2019
    n, m = len(x), len(x[0])
    cols = []
    for j in range(m):  # step 1: min-max scale each criterion
        col = [x[i][j] for i in range(n)]
        lo, hi = min(col), max(col)
        cols.append([(v - lo) / (hi - lo) for v in col])

    def mean(v):
        return sum(v) / len(v)

    def sd(v):  # sample standard deviation
        mu = mean(v)
        return math.sqrt(sum((a - mu) ** 2 for a in v) / (len(v) - 1))

    def r(a, b):  # Pearson correlation
        ma, mb = mean(a), mean(b)
        num = sum((p - ma) * (q - mb) for p, q in zip(a, b, strict=True))
        den = math.sqrt(sum((p - ma) ** 2 for p in a) * sum((q - mb) ** 2 for q in b))
        return num / den

    # step 2: C_j = sigma_j * sum_k (1 - r_jk); step 3: w_j = C_j / sum C
    c = [sd(cols[j]) * sum(1 - r(cols[j], cols[k]) for k in range(m)) for j in range(m)]
    by_hand = [cj / sum(c) for cj in c]
    assert_allclose(critic_weights(x), by_hand, rtol=1e-12)
    assert np.round(critic_weights(x), 3).tolist() == TUS_2019_WEIGHTS


def test_entropy_and_critic_edge_cases():
    assert_allclose(entropy_weights([[1, 2], [1, 4], [1, 6]]), [0, 1], atol=1e-12)
    assert_allclose(entropy_weights([[1, 1], [1, 1]]), [0.5, 0.5])  # nothing varies
    with pytest.raises(DataError):
        entropy_weights([[1, -1], [2, 3]])
    w = critic_weights([[1, 5, 2], [2, 5, 1], [3, 5, 3]])
    assert w[1] == 0 and w.sum() == pytest.approx(1)  # a constant criterion carries nothing


def test_pca_weights_follow_the_handbook_procedure():
    rng = np.random.default_rng(3)
    f1, f2 = rng.normal(size=200), rng.normal(size=200)
    x = np.column_stack([f1, f1 + 0.3 * rng.normal(size=200), f2, f2 + 0.3 * rng.normal(size=200),
                         np.ones(200)])
    w = pca_weights(x, seed=0)
    assert w.sum() == pytest.approx(1) and (w >= 0).all()
    assert w[4] == 0  # constant column
    # two factors of equal strength, two indicators each: four weights near 1/4
    assert_allclose(w[:4], 0.25, atol=0.05)
    assert_allclose(pca_weights(x, seed=0), w)  # seeded: reproducible
    one = pca_weights(np.column_stack([f1, f1 + 0.1 * rng.normal(size=200)]))
    assert_allclose(one, [0.5, 0.5], atol=0.05)


@pytest.fixture(scope="module")
def top10():
    system = load_system("ndrc-2017")
    return system, ingest(TOP10, system).data


def test_registry_and_published_flat_weights(system, top10):
    assert set(WEIGHTINGS) == {"published", "equal", "entropy", "critic", "pca", "user"}
    flat = flat_weights(system, system.leaves)
    assert sum(flat.values()) == pytest.approx(1)
    # 数据管理 declares 10 for children summing to 12: each child is rescaled by 10/12
    assert flat["population_db"] == pytest.approx(5 * 10 / 12 / 100)
    assert flat["one_stop"] == pytest.approx(5 / 100)
    sys10, data = top10
    assert flat_weights(sys10, L1) == pytest.approx(
        {"perception": .15, "management": .25, "services": .25, "cyberspace": .15,
         "collaboration": .2})


def test_engine_equal_and_user_weights_by_hand(top10):
    system, data = top10
    rates = data[L1].to_numpy() / np.array([15, 25, 25, 15, 20])
    eq = score(system, data, weighting="equal").set_index("code").loc[data.index]
    assert_allclose(eq["total"], 100 * rates.mean(axis=1), atol=1e-9)
    user = {"perception": 1, "management": 1, "services": 2, "cyberspace": 0.5,
            "collaboration": 0.5}
    w = np.array(list(user.values())) / 5
    us = score(system, data, weighting="user", weights=user).set_index("code")
    assert_allclose(us.loc[data.index, "total"], 100 * rates @ w, atol=1e-9)
    # first-level points are rescaled to the new maxima: 惠民服务 is now worth 40
    assert us.loc["440600", "services"] == pytest.approx(21.8 / 25 * 40)
    assert us.attrs["weighting"] == "user"
    assert {r["indicator"]: r["weight"] for r in us.attrs["weights"]} == pytest.approx(
        dict(zip(L1, w, strict=True)))
    ent = score(system, data, weighting="entropy")
    assert_allclose(sorted(r["weight"] for r in ent.attrs["weights"]),
                    sorted(entropy_weights(rates)))


def test_user_weights_must_cover_a_group(top10):
    system, data = top10
    with pytest.raises(ConfigError, match="every sibling"):
        score(system, data, weighting="user", weights={"perception": 2})
    with pytest.raises(ConfigError, match="not scored"):
        score(system, data, weighting="user", weights=dict.fromkeys(L1, 1) | {"one_stop": 1})


def test_zero_weight_refused_naming_the_indicator(top10):
    system, data = top10
    flat = data.copy()
    flat["cyberspace"] = 5.0
    with pytest.raises(DataError, match="cyberspace"):
        score(system, flat, weighting="entropy")


def test_system_yaml_weighting_keys():
    doc = {"id": "w", "name": "w", "indicators": [{"id": "a", "name": "甲", "max": 50},
                                                  {"id": "b", "name": "乙", "max": 50}]}
    s = parse_system({**doc, "scoring": {"weighting": "user", "weights": {"a": 3, "b": 1}}})
    assert s.weighting == "user" and s.weights == {"a": 3.0, "b": 1.0}
    data = pd.DataFrame({"a": [50.0, 0.0], "b": [0.0, 50.0]},
                        index=pd.Index(["110000", "120000"], name="code"))
    assert score(s, data).set_index("code")["total"].to_dict() == pytest.approx(
        {"110000": 75.0, "120000": 25.0})
    for bad, msg in (({"weighting": "magic"}, "scoring.weighting"),
                     ({"weighting": "user"}, "needs scoring.weights"),
                     ({"weights": {"zz": 1}}, "unknown indicator"),
                     ({"geometric_offset": 1.5}, "below 1")):
        with pytest.raises(ConfigError, match=msg):
            parse_system({**doc, "scoring": bad})


def test_effective_weights(top10):
    system, data = top10
    rates = given_rates(system, data)
    flat = flat_weights(system, L1)
    eff = effective_weights(system, rates, flat)
    assert list(eff.columns) == ["indicator", "name", "name_en", "weight", "corr_total",
                                 "r2_share", "variance_share"]
    assert eff["variance_share"].sum() == pytest.approx(1)
    assert eff["r2_share"].sum() == pytest.approx(1)
    # variance share by definition: cov(w_k r_k, T) / var(T)
    t = (rates[L1] * pd.Series(flat)).sum(axis=1)
    k = "services"
    by_hand = np.cov(flat[k] * rates[k], t, ddof=0)[0, 1] / t.var(ddof=0)
    assert eff.set_index("indicator").at[k, "variance_share"] == pytest.approx(by_hand)
    total = score(system, data).set_index("code").loc[data.index, "total"]
    eff2 = effective_weights(system, rates, flat, total=total)
    assert eff2.set_index("indicator").at[k, "corr_total"] == pytest.approx(
        np.corrcoef(rates[k], total)[0, 1])


def test_compute_weights_defaults_to_the_system(top10):
    system, data = top10
    w = compute_weights(system, given_rates(system, data))
    assert w.sum() == pytest.approx(1) and w["services"] == pytest.approx(0.25)


def test_reweighted_leaves_in_points_keep_their_rates(system):
    data = ingest(paths.DEMO_DIR / "ndrc-2017-simulated.csv", system).data
    rates = given_rates(system, data)
    eq = score(system, data, weighting="equal").set_index("code").loc[data.index]
    flat = pd.Series(compute_weights(system, rates, "equal"))
    assert_allclose(eq["total"], 100 * rates[flat.index] @ flat, atol=1e-9)
    # equal shares at every level: 5 pillars, 智能感知 has 2 children, 数据管理 3 leaves
    assert flat["population_db"] == pytest.approx(1 / 5 / 2 / 3)
    assert eq["perception"].max() <= 20 + 1e-9  # the pillar is now worth 100 / 5
