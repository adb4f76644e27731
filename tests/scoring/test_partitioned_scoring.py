"""Scoring partitioned on Dask equals single-process scoring exactly: 40,000 units, every
normalisation method that reads whole columns (min/max, z-score, rank with ties, goalposts),
both directions, a deduction item, arithmetic and geometric aggregation, data-driven weights;
and the scoring core still imports neither Dask nor geo."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from cityrank.errors import ConfigError
from cityrank.scoring.engine import score
from cityrank.scoring.system import parse_system

N_UNITS = 40_000

SYSTEM = {
    "id": "dask-test", "name": "分区测试", "total_max": 100,
    "indicators": [
        {"id": "econ", "name": "经济", "max": 40, "children": [
            {"id": "gdp", "name": "GDP", "max": 20, "method": "minmax"},
            {"id": "cost", "name": "成本", "max": 10, "method": "zscore", "direction": "lower"},
            {"id": "jobs", "name": "就业", "max": 10, "method": "rank"}]},
        {"id": "life", "name": "民生", "max": 60, "children": [
            {"id": "school", "name": "教育", "max": 30, "method": "goalposts", "goalposts": [0, 100]},
            {"id": "air", "name": "空气", "max": 30, "method": "rank", "direction": "lower"},
            {"id": "penalty", "name": "扣分", "max": 5, "deduction": True}]},
    ]}


@pytest.fixture(scope="module")
def system():
    return parse_system(SYSTEM)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    codes = pd.Index([f"{100000 + i}" for i in range(N_UNITS)], name="code")
    return pd.DataFrame({
        "gdp": rng.lognormal(3.0, 1.0, N_UNITS),
        "cost": rng.normal(50, 12, N_UNITS),
        "jobs": rng.integers(0, 500, N_UNITS).astype(float),  # many ties
        "school": rng.uniform(-10, 110, N_UNITS),  # clipped at both goalposts
        "air": np.round(rng.gamma(3.0, 10.0, N_UNITS), 1),  # ties, lower is better
        "penalty": np.where(rng.random(N_UNITS) < 0.05, rng.integers(1, 6, N_UNITS), 0).astype(float),
    }, index=codes)


@pytest.fixture(scope="module")
def engine():
    from cityrank.geo.analysis.partitioned import DaskEngine

    eng = DaskEngine(n_workers=2, partition_size=7_000)  # 6 partitions, the last one short
    yield eng
    eng.close()


@pytest.mark.parametrize("options", [
    {}, {"aggregation": "geometric", "geometric_offset": 0.01}, {"weighting": "entropy"}],
    ids=["arithmetic", "geometric", "entropy-weights"])
def test_dask_scores_equal_single_process_exactly(system, data, engine, options):
    one = score(system, data, **options)
    many = score(system, data, engine=engine, **options)
    pd.testing.assert_frame_equal(one, many, check_exact=True)
    assert one.attrs == many.attrs
    assert one["rank"].nunique() > N_UNITS // 2 and one["total"].std() > 1  # not a trivial table
    # partitions really differ from the whole: a partition alone would normalise differently
    alone = score(system, data.iloc[:7_000], **options).set_index("code")["gdp"]
    assert not np.allclose(alone.loc[data.index[:7_000]].to_numpy(),
                           one.set_index("code").loc[data.index[:7_000], "gdp"].to_numpy())


def test_threshold_and_copeland(system, data, engine):
    small = data.iloc[:50]
    # below min_units nothing goes to the cluster (the engine object is never asked)
    assert score(system, small, engine=object(), min_units=100)["total"].notna().all()
    with pytest.raises(ConfigError, match="copeland"):
        score(system, small, engine=engine, aggregation="copeland")


def test_scoring_core_imports_no_dask_or_geo():
    code = ("import sys, cityrank.scoring.engine, cityrank.scoring.pipeline, "
            "cityrank.scoring.partitioned\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'flask') "
            "or m.startswith('cityrank.geo')]\nprint(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_rank_method_equals_scipy_rankdata_average():
    from scipy.stats import rankdata

    from cityrank.scoring.normalise import normalise

    class Node:
        method, max_points, goalposts = "rank", 10.0, None

        def __init__(self, direction):
            self.direction = direction

    x = np.round(np.random.default_rng(2).normal(0, 1, 5_000), 1)
    x[::97] = np.nan
    ok = ~np.isnan(x)
    for direction, v in (("higher", x[ok]), ("lower", -x[ok])):
        want = (rankdata(v, method="average") - 1) / (ok.sum() - 1)
        got = normalise(x, Node(direction))
        assert np.array_equal(got[ok], want) and np.isnan(got[~ok]).all()


def test_cli_score_on_dask_writes_the_same_table(tmp_path, capsys):
    from cityrank import paths
    from cityrank.cli import main

    data = paths.DEMO_DIR / "ndrc-2017-simulated.csv"
    outs = {}
    for engine in ("single", "dask"):
        out = tmp_path / f"{engine}.csv"
        assert main(["score", "--system", "ndrc-2017", "--data", str(data), "--out", str(out),
                     "--engine", engine, "--lang", "en"]) == 0
        outs[engine] = (out.read_bytes(), capsys.readouterr().out)
    assert outs["single"][0] == outs["dask"][0]
    assert "on Dask (LocalCluster(2 workers))" in outs["dask"][1]
    assert "Dask" not in outs["single"][1]
    # auto: 293 units are far below the threshold, no cluster is started
    assert main(["score", "--system", "ndrc-2017", "--data", str(data), "--lang", "en"]) == 0
    assert "Dask" not in capsys.readouterr().out
