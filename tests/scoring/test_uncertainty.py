"""Monte Carlo rank intervals: the published tie, cases with known answers, the vectorised
replicates against the engine, reproducibility and the JSON contract."""

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cityrank import paths
from cityrank.errors import ConfigError, DataError
from cityrank.scoring.datasets import load_catalog
from cityrank.scoring.engine import score
from cityrank.scoring.ingest import ingest
from cityrank.scoring.missing import imputed_table
from cityrank.scoring.pipeline import score_file
from cityrank.scoring.replicates import Model, ranks_of
from cityrank.scoring.system import load_system, parse_system
from cityrank.scoring.uncertainty import (
    RANK_COLUMNS,
    UncertaintyConfig,
    analyse,
    analyse_dataset,
    analyse_file,
    dataset_key,
    rank_label,
)

TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"
DEMO = paths.DEMO_DIR / "ndrc-2017-simulated.csv"
L1 = ["perception", "management", "services", "cyberspace", "collaboration"]
MAX = {"perception": 15, "management": 25, "services": 25, "cyberspace": 15,
       "collaboration": 20}
NINGBO, FOSHAN = "330200", "440600"


@pytest.fixture(scope="module")
def top10():
    return analyse_file("ndrc-2017", TOP10)


def test_published_top10_ningbo_and_foshan_tied_with_overlapping_intervals(top10):
    r = top10.ranks.set_index("code")
    assert r.at[NINGBO, "rank"] == r.at[FOSHAN, "rank"] == 7
    assert r.at[NINGBO, "tied"] and r.at[FOSHAN, "tied"]
    assert r.at[NINGBO, "tie_group"] == r.at[FOSHAN, "tie_group"] == 7
    assert r.at[NINGBO, "tied_with"] == FOSHAN and r.at[FOSHAN, "tied_with"] == NINGBO
    lo = max(r.at[NINGBO, "rank_p05"], r.at[FOSHAN, "rank_p05"])
    hi = min(r.at[NINGBO, "rank_p95"], r.at[FOSHAN, "rank_p95"])
    assert lo <= hi, "the two 90% intervals must overlap"
    assert r.at[NINGBO, "overlaps_next"] and r.at[FOSHAN, "overlaps_prev"]
    assert FOSHAN in r.at[NINGBO, "overlap_with"].split(",")
    assert r["tied"].sum() == 2  # nobody else shares a total
    assert rank_label(7, True) == "并列第7名" and rank_label(7, True, "en") == "tied 7th"
    assert rank_label(9, False) == "第9名"


def test_every_overlap_flag_is_what_the_intervals_say(top10):
    r = top10.ranks
    lo, hi = r["rank_p05"].to_numpy(), r["rank_p95"].to_numpy()
    for i in range(len(r) - 1):
        meets = lo[i] <= hi[i + 1] and lo[i + 1] <= hi[i]
        assert r.at[i, "overlaps_next"] == meets and r.at[i + 1, "overlaps_prev"] == meets
    assert list(r.columns) == list(RANK_COLUMNS)
    assert (r["rank_p05"] <= r["rank_median"]).all() and (r["rank_median"] <= r["rank_p95"]).all()
    # replicate ranks are in the table's order; the statistics come from them
    reps = top10.replicate_ranks
    assert reps.shape == (1000, 10)
    assert_allclose(r["rank_median"], np.median(reps, axis=0))
    assert_allclose(r["p_top10"], 1.0)  # ten cities: everyone is always in the top 10


def _system_2x3():
    leaves = [{"id": f"{p}{i}", "name": f"{p}{i}", "weight": 1, "method": "minmax"}
              for p in "ab" for i in range(3)]
    return parse_system({"id": "t", "name": "t", "indicators": [
        {"id": "A", "name": "甲", "max": 40, "children": leaves[:3]},
        {"id": "B", "name": "乙", "max": 60, "children": leaves[3:]}]})


def _codes(n):
    return pd.Index([f"{110000 + 100 * i}" for i in range(n)], name="code")


def test_a_unit_dominating_every_indicator_has_interval_1_1():
    s = _system_2x3()
    rng = np.random.default_rng(7)
    data = pd.DataFrame(rng.uniform(10, 90, size=(40, 6)), index=_codes(40), columns=s.leaves)
    data.iloc[5] = data.max() + 1.0  # strictly best everywhere
    data.iloc[9] = data.min() - 1.0  # strictly worst everywhere
    data.iloc[20, 2] = np.nan  # a gap elsewhere, so imputation is a factor too
    config = UncertaintyConfig(runs=500, seed=3, weightings=("published", "equal", "entropy",
                                                             "critic"))
    res = analyse(s, data, config=config, missing="mean")
    assert set(res.factors) == {"weights", "weighting", "normalisation", "aggregation",
                                "imputation", "drop"}
    r = res.ranks.set_index("code")
    best, worst = data.index[5], data.index[9]
    assert (r.at[best, "rank_p05"], r.at[best, "rank_p95"]) == (1, 1)
    assert r.at[best, "rank_median"] == 1 and r.at[best, "p_top10"] == 1.0
    assert r.at[best, "p_above_median"] == 1.0 and r.at[best, "interval_width"] == 0
    assert (r.at[worst, "rank_p05"], r.at[worst, "rank_p95"]) == (40, 40)
    assert r.at[worst, "p_above_median"] == 0.0
    assert (res.replicate_ranks[:, 0] == 1).all()


def test_weight_perturbation_known_probability():
    """Two units, two indicators published 60/40; X is best on the first, Y on the second.
    Shares are m_a*0.6 / (m_a*0.6 + m_b*0.4) with m ~ U(0.5, 1.5) independent, so X wins
    unless m_a < (2/3) m_b: P = integral over m_b in [0.75, 1.5] of (2 m_b / 3 - 1/2) =
    0.1875, and X is first with probability 0.8125."""
    s = parse_system({"id": "k", "name": "k", "indicators": [
        {"id": "a", "name": "a", "max": 60, "method": "minmax"},
        {"id": "b", "name": "b", "max": 40, "method": "minmax"}]})
    data = pd.DataFrame({"a": [1.0, 0.0], "b": [0.0, 1.0]}, index=_codes(2))
    runs = 20000
    cfg = UncertaintyConfig(runs=runs, seed=11, weight_perturbation=0.5,
                            normalisations=("nominal",), aggregations=("arithmetic",),
                            drop_indicators=False, top=1)
    r = analyse(s, data, config=cfg).ranks.set_index("code")
    sigma = np.sqrt(0.8125 * 0.1875 / runs)
    assert r.at["110000", "p_top1"] == pytest.approx(0.8125, abs=5 * sigma)
    assert r.at["110000", "p_above_median"] == pytest.approx(0.8125, abs=5 * sigma)
    assert r.at["110100", "p_top1"] == pytest.approx(0.1875, abs=5 * sigma)


def test_dropping_one_pillar_at_a_time_matches_the_hand_ranking():
    system = load_system("ndrc-2017")
    data = ingest(TOP10, system).data
    rates = data[L1] / pd.Series(MAX)
    by_level = {}
    for dropped in [None, *L1]:
        keep = [k for k in L1 if k != dropped]
        w = pd.Series({k: MAX[k] for k in keep}, dtype=float)
        total = 100 * (rates[keep] * w / w.sum()).sum(axis=1)
        by_level[dropped] = (-total.round(6)).rank(method="min").astype(int)
    cfg = UncertaintyConfig(runs=6000, seed=5, weight_perturbation=0.0,
                            normalisations=("nominal",), aggregations=("arithmetic",), top=1)
    res = analyse(system, data, config=cfg)
    assert res.factors == ["drop"]
    assert res.choices["drop"] == L1
    codes = res.ranks["code"].tolist()
    sigma = np.sqrt(0.25 / 6000)
    for i, code in enumerate(codes):
        seen = set(res.replicate_ranks[:, i].tolist())
        assert seen == {int(by_level[d][code]) for d in by_level}, code
        expected = np.mean([by_level[d][code] == 1 for d in by_level])
        assert res.ranks.at[i, "p_top1"] == pytest.approx(expected, abs=5 * sigma)


def test_no_declared_choice_gives_the_nominal_rank_everywhere():
    system = load_system("ndrc-2017")
    data = ingest(TOP10, system).data
    cfg = UncertaintyConfig(runs=50, weight_perturbation=0.0, normalisations=("nominal",),
                            aggregations=("arithmetic",), drop_indicators=False)
    res = analyse(system, data, config=cfg)
    r = res.ranks
    assert res.factors == []
    assert (r["rank_p05"] == r["rank"]).all() and (r["rank_p95"] == r["rank"]).all()
    assert (r["interval_width"] == 0).all()


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric", "copeland"])
def test_replicates_at_the_nominal_choices_equal_the_engine(system, aggregation):
    data = ingest(DEMO, system).data
    m = Model(system, data, weightings=["published"], normalisations=["nominal"],
              aggregations=[aggregation], imputations=[], drop=False, perturbation=0.0,
              geometric_offset=0.01)
    engine = score(system, data, aggregation=aggregation, geometric_offset=0.01)
    engine = engine.set_index("code").loc[m.codes]
    totals = m.totals(m.nominal(3))
    assert_allclose(totals, np.tile(engine["total"].to_numpy(), (3, 1)), atol=1e-8)
    assert (ranks_of(totals)[0] == engine["rank"].to_numpy()).all()


def test_replicates_with_a_data_driven_weighting_equal_the_engine(system):
    data = ingest(DEMO, system).data
    m = Model(system, data, weightings=["critic"], normalisations=["nominal"],
              aggregations=["arithmetic"], imputations=[], drop=False, perturbation=0.0,
              geometric_offset=0.01)
    engine = score(system, data, weighting="critic").set_index("code").loc[m.codes]
    assert_allclose(m.totals(m.nominal())[0], engine["total"], atol=1e-8)


def test_same_seed_same_result_and_no_global_random_state():
    before = np.random.get_state()[1].copy()
    a = analyse_file("ndrc-2017", TOP10, config=UncertaintyConfig(runs=300, seed=9,
                                                                  sobol_base=32))
    b = analyse_file("ndrc-2017", TOP10, config=UncertaintyConfig(runs=300, seed=9,
                                                                  sobol_base=32))
    c = analyse_file("ndrc-2017", TOP10, config=UncertaintyConfig(runs=300, seed=10))
    assert (np.random.get_state()[1] == before).all(), "the global RNG was used"
    pd.testing.assert_frame_equal(a.ranks, b.ranks)
    pd.testing.assert_frame_equal(a.sensitivity, b.sensitivity)
    pd.testing.assert_frame_equal(a.shift, b.shift)
    assert not np.array_equal(a.replicate_ranks, c.replicate_ranks)
    assert a.key == b.key != c.key


def test_imputation_is_a_factor_and_every_imputed_cell_is_flagged(tmp_path, system):
    df = pd.read_csv(DEMO, dtype=str)
    df.loc[3, "open_data"] = ""
    df.loc[10, "one_stop"] = ""
    path = tmp_path / "gaps.csv"
    df.to_csv(path, index=False)
    run = score_file(system, path, missing="province_mean")
    flags = imputed_table(run.scores)
    assert list(flags.columns) == ["code", "indicator", "method", "value"]
    assert flags[["code", "indicator"]].values.tolist() == [
        [df.loc[3, "code"], "open_data"], [df.loc[10, "code"], "one_stop"]]
    assert (flags["method"] == "province_mean").all()
    same_prov = df[(df["province"] == df.loc[3, "province"]) & (df.index != 3)]
    assert flags.at[0, "value"] == pytest.approx(same_prov["open_data"].astype(float).mean())
    res = analyse_file(system, path, missing="province_mean",
                       config=UncertaintyConfig(runs=100))
    assert "imputation" in res.factors
    assert res.choices["imputation"] == ["province_mean", "mean", "zero"]
    nominal = run.scores.set_index("code")["total"]
    assert_allclose(res.ranks.set_index("code")["total"], nominal.loc[res.ranks["code"]])
    with pytest.raises(ConfigError, match="gaps"):
        analyse(system, ingest(path, system, missing="mean").raw)


def test_json_contract(top10):
    doc = top10.to_json()
    text = json.dumps(doc, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == doc
    assert doc["columns"] == list(RANK_COLUMNS) and doc["n"] == 10
    assert {"key", "system", "synthetic", "runs", "seed", "config", "choices", "factors",
            "compensability", "units", "average_shift", "timing"} <= set(doc)
    ningbo = next(u for u in doc["units"] if u["code"] == NINGBO)
    assert ningbo["tied_with"] == [FOSHAN] and ningbo["rank"] == 7
    assert ningbo["tie_group"] == 7 and ningbo["sobol"] is None
    assert doc["compensability"]["copeland"] == "none"
    eff = {e["indicator"]: e for e in doc["effective_weights"]}
    assert set(eff) == set(L1) and eff["services"]["weight"] == pytest.approx(0.25)
    assert sum(e["variance_share"] for e in eff.values()) == pytest.approx(1)
    assert doc["choices"]["aggregation"] == ["arithmetic", "geometric", "copeland"]


def test_dataset_function_and_cache_key():
    ds = load_catalog().get("ndrc-2017-simulated")
    cfg = UncertaintyConfig(runs=100)
    key = dataset_key(ds, cfg)
    assert key == dataset_key(ds, cfg) != dataset_key(ds, cfg.replace(seed=2))
    res = analyse_dataset(ds, cfg)
    assert res.key == key and res.synthetic is True and len(res.ranks) == 293
    assert res.to_json()["synthetic"] is True


def test_config_validation_names_the_key():
    for bad, msg in (({"sobol_base": 100}, "power of two"), ({"runs": 3}, "runs"),
                     ({"normalisations": ["magic"]}, "magic"),
                     ({"weight_perturbation": 1.5}, "weight_perturbation"),
                     ({"colour": 1}, "unknown key")):
        with pytest.raises(ConfigError, match=msg):
            UncertaintyConfig.from_mapping(bad)
    doc = {"id": "u", "name": "u", "indicators": [{"id": "a", "name": "甲", "max": 100}],
           "uncertainty": {"runs": 5}}
    with pytest.raises(ConfigError, match="uncertainty: runs"):
        parse_system(doc)
    s = parse_system({**doc, "uncertainty": {"runs": 200, "aggregations": ["arithmetic"]}})
    assert UncertaintyConfig.from_mapping(s.uncertainty).runs == 200


def test_copeland_in_monte_carlo_is_bounded():
    s = parse_system({"id": "b", "name": "b", "indicators": [
        {"id": "a", "name": "a", "max": 50, "method": "minmax"},
        {"id": "b", "name": "b", "max": 50, "method": "minmax"}]})
    data = pd.DataFrame(np.arange(2002.0).reshape(1001, 2), columns=["a", "b"],
                        index=pd.Index([str(100000 + i) for i in range(1001)], name="code"))
    with pytest.raises(ConfigError, match="copeland"):
        analyse(s, data, config=UncertaintyConfig(runs=10))
    with pytest.raises(DataError):
        Model(s, data.iloc[:, :0], weightings=["published"], normalisations=["nominal"],
              aggregations=["arithmetic"], imputations=[], drop=False, perturbation=0,
              geometric_offset=0.01)


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric", "copeland"])
def test_deductions_and_goalposts_of_ndrc_2018(aggregation):
    s = load_system("ndrc-2018")
    rng = np.random.default_rng(4)
    cols = [n for n in s.first_level if not s.nodes[n].deduction]
    data = pd.DataFrame(rng.uniform(20, 95, size=(30, len(cols))), columns=cols,
                        index=_codes(30))
    data["security"] = rng.choice([0.0, 0.0, 1.0, 2.5], size=30)
    m = Model(s, data, weightings=["published"], normalisations=["nominal"],
              aggregations=[aggregation], imputations=[], drop=False, perturbation=0.0,
              geometric_offset=0.01)
    engine = score(s, data, aggregation=aggregation, geometric_offset=0.01)
    engine = engine.set_index("code").loc[m.codes]
    assert_allclose(m.totals(m.nominal())[0], engine["total"], atol=1e-8)
    res = analyse(s, data, config=UncertaintyConfig(runs=200, aggregations=(aggregation,)))
    assert res.choices["drop"] == cols  # the deduction item is never "dropped"
    assert len(res.ranks) == 30
