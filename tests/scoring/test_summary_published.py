"""Summary figures and the published-table mode (Qingdao 68.3 vs 68.4, the 7th-place tie)."""

import numpy as np
import pandas as pd
import pytest

from cityrank import paths
from cityrank.jsonsafe import num
from cityrank.scoring.datasets import load_catalog
from cityrank.scoring.pipeline import score_file
from cityrank.scoring.summary import bin_counts, cv_percent, parse_bins, summarise
from cityrank.scoring.system import load_system

TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"


def test_bins_default_and_edges():
    # The labels are those of the map legends (scoring.bins, one definition): "≥ 60", not "≥60".
    counts = bin_counts([60.0, 59.99, 50.0, 49.9, 40, 39.9, 30, 29.9])
    assert [(b["label"], b["count"]) for b in counts] == [
        ("≥ 60", 1), ("50 – 60", 2), ("40 – 50", 2), ("30 – 40", 2), ("< 30", 1)]
    assert counts[0]["share"] == pytest.approx(1 / 8)
    custom = parse_bins([50, 70])
    assert [b[0] for b in custom] == ["≥ 70", "50 – 70", "< 50"]
    assert parse_bins([50, 70], "en") == custom  # same notation in both languages


def test_cv_is_population_std_over_mean_percent():
    assert cv_percent([1, 2, 3]) == pytest.approx(np.std([1, 2, 3]) / 2 * 100)
    # undefined (mean 0, or no value) is NaN, which every JSON writer turns into null
    assert np.isnan(cv_percent([0, 0])) and np.isnan(cv_percent([]))
    assert num(cv_percent([0, 0])) is None


def test_published_top10_reproduces_and_flags_qingdao():
    run = score_file("ndrc-2017", TOP10)
    s = run.scores.set_index("name")
    pub = pd.read_csv(TOP10).set_index("name")
    assert run.synthetic is False
    np.testing.assert_allclose(s.loc[pub.index, "published_total"], pub["published_total"])
    ok = pub.index != "青岛市"
    np.testing.assert_allclose(s.loc[pub.index[ok], "total"], pub.loc[ok, "published_total"],
                               atol=1e-9)
    assert s.loc["青岛市", "total"] == pytest.approx(68.3)
    assert s.loc["青岛市", "total_discrepancy"] == pytest.approx(0.1)
    assert s["published_mismatch"].sum() == 1 and s.loc["青岛市", "published_mismatch"]
    assert any("青岛市" in w and "68.4" in w and "68.3" in w for w in run.warnings)
    # ranks as published except the tie: both 宁波 and 佛山 are 7th
    assert s.loc[pub.index, "rank"].tolist() == [1, 2, 3, 4, 5, 6, 7, 7, 9, 10]
    assert any("佛山市" in w and "published rank 8" in w for w in run.warnings)


def test_summary_json_shape():
    system = load_system("ndrc-2017")
    run = score_file(system, TOP10)
    s = summarise(run.scores, system)
    assert s["n"] == 10 and s["synthetic"] is False
    assert s["mean"] == pytest.approx(62.57)
    assert set(s["score_rates"]) == set(system.first_level)
    assert s["nodes"]["perception"]["cv"] > 0


def test_catalog():
    cat = load_catalog()
    assert cat.ids() == ["ndrc-2017-simulated", "ndrc-2017-top10", "ndrc-2019-simulated"]
    assert cat.default_id == "ndrc-2017-simulated"
    demo = cat.get()
    assert demo.synthetic and demo.scores().attrs["synthetic"] is True
    assert demo.summary()["synthetic"] is True
    assert len(demo.scores()) == 293
    top = cat.get("ndrc-2017-top10")
    assert not top.synthetic and top.system.id == "ndrc-2017"
    assert any("青岛市" in w for w in top.warnings)
    from cityrank.errors import NotFoundError

    with pytest.raises(NotFoundError):
        cat.get("nope")


def test_catalog_refuses_unlabelled_synthetic(tmp_path):
    from cityrank.errors import ConfigError

    (tmp_path / "x-simulated.csv").write_text("code,perception\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text(
        "datasets:\n  x:\n    title: x\n    system: ndrc-2017\n    data: x-simulated.csv\n"
        "    synthetic: false\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="synthetic"):
        load_catalog(tmp_path)
