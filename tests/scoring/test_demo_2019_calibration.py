"""The second simulated year (2019) hits what it borrows exactly and says what it invents.

Borrowed: the national evaluation's mean rise 58.03 -> 68.16 as a ratio (45.1 -> 52.97) and its
2019 regional pattern (East and Central more than 4 points above the national mean score rate,
Northeast and West more than 4 below); 武汉, 郑州, 西安 leap ahead. Invented: everything per
city, including catch-up growth (beta-convergence) that the compare tests can find again.
"""

import json

import numpy as np
import pytest
from scipy.stats import linregress

from cityrank import paths
from cityrank.scoring.datasets import load_catalog
from cityrank.scoring.pipeline import score_file

Y17 = paths.DEMO_DIR / "ndrc-2017-simulated.csv"
Y19 = paths.DEMO_DIR / "ndrc-2019-simulated.csv"


@pytest.fixture(scope="module")
def both():
    a = score_file("ndrc-2017", Y17).scores.set_index("code")
    b = score_file("ndrc-2017", Y19).scores.set_index("code")
    return a, b


def test_mean_rises_by_the_national_evaluations_ratio(both):
    a, b = both
    assert a["total"].mean() == pytest.approx(45.1, abs=0.005)
    assert b["total"].mean() == pytest.approx(45.1 * 68.16 / 58.03, abs=0.005)
    assert round(b["total"].mean(), 2) == 52.97
    assert b["total"].mean() / a["total"].mean() - 1 == pytest.approx(0.1746, abs=5e-4)


def test_regional_pattern_of_2019(both):
    _, b = both
    mean = b["total"].mean()
    dev = b.groupby("region")["total"].mean() - mean
    assert dev["East"] > 4 and dev["Central"] > 4 and dev["Northeast"] < -4 and dev["West"] < -4
    assert dev["East"] == pytest.approx(5.0, abs=0.01) and dev["Central"] == pytest.approx(4.5, abs=0.01)


def test_same_cities_all_synthetic_within_maxima(both):
    a, b = both
    assert sorted(a.index) == sorted(b.index) and len(b) == 293
    assert "371200" not in b.index and "540600" in b.index  # 2019 list: 莱芜 merged, 那曲 a city
    assert (b["total"] <= 100).all() and (b["total"] > 0).all()
    run = score_file("ndrc-2017", Y19)
    assert run.synthetic and not [w for w in run.warnings if getattr(w, "kind", "") == "out_of_range"]


def test_invented_catch_up_is_there_and_ranks_move(both):
    a, b = both
    b = b.loc[a.index]
    fit = linregress(np.log(a["total"]), np.log(b["total"] / a["total"]))
    assert fit.slope < 0 and fit.pvalue < 1e-6  # beta-convergence, as the generator says
    assert (a["rank"] != b["rank"]).mean() > 0.8
    for code in ("420100", "410100", "610100"):  # 武汉 郑州 西安 leap ahead
        assert b.loc[code, "rank"] < a.loc[code, "rank"]


def test_sidecar_and_catalog_say_simulated_and_what_is_borrowed():
    meta = json.loads((paths.DEMO_DIR / "ndrc-2019-simulated.meta.json").read_text("utf-8"))
    assert meta["synthetic"] is True and meta["seed"] == 20191
    assert meta["borrowed"]["mean_rise"]["from"] == 58.03 and meta["borrowed"]["mean_rise"]["to"] == 68.16
    assert meta["borrowed"]["target_mean"] == 52.97 == meta["achieved"]["mean"]
    assert "invented" in meta and meta["invented"]["catch_up_beta"] < 0
    ds = load_catalog().get("ndrc-2019-simulated")
    assert ds.synthetic and ds.year == 2019 and ds.system.id == "ndrc-2017"
    assert "模拟" in ds.title and "SIMULATED" in ds.title_en
    assert "58.03" in ds.source and "68.16" in ds.source and "invented" in ds.source
    assert "虚构" in ds.source_zh
