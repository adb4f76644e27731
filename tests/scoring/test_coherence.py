"""Coherence: Cronbach's alpha and PCA by their formulas, flags on constructed data."""

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cityrank import paths
from cityrank.scoring.coherence import coherence, cronbach_alpha, first_component
from cityrank.scoring.ingest import ingest
from cityrank.scoring.system import parse_system


def test_cronbach_alpha_by_its_formula():
    x = np.array([[2, 3, 3], [4, 4, 5], [3, 5, 4], [5, 5, 5], [1, 2, 2]], dtype=float)
    k = x.shape[1]
    item_var = sum(np.var(x[:, j], ddof=1) for j in range(k))
    total_var = np.var(x.sum(axis=1), ddof=1)
    assert cronbach_alpha(x) == pytest.approx(k / (k - 1) * (1 - item_var / total_var))
    assert np.isnan(cronbach_alpha(x[:, :1]))


def test_first_component_share_and_loadings():
    rng = np.random.default_rng(1)
    f = rng.normal(size=300)
    x = np.column_stack([f + 0.2 * rng.normal(size=300) for _ in range(3)])
    share, load, n_eig = first_component(x)
    vals = np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))
    assert share == pytest.approx(vals[-1] / vals.sum())
    assert n_eig == 1 and (load > 0.9).all()
    assert_allclose((load ** 2).sum(), vals[-1])


def _system():
    return parse_system({"id": "c", "name": "c", "indicators": [
        {"id": "A", "name": "甲", "max": 50, "children": [
            {"id": "a1", "name": "a1", "weight": 1, "method": "minmax"},
            {"id": "a2", "name": "a2", "weight": 1, "method": "minmax"},
            {"id": "a3", "name": "a3", "weight": 1, "method": "minmax"}]},
        {"id": "B", "name": "乙", "max": 50, "children": [
            {"id": "b1", "name": "b1", "weight": 1, "method": "minmax"},
            {"id": "b2", "name": "b2", "weight": 1, "method": "minmax"}]}]})


def test_negative_and_redundant_indicators_are_flagged():
    rng = np.random.default_rng(2)
    n = 80
    f, g = rng.normal(size=n), rng.normal(size=n)
    data = pd.DataFrame({
        "a1": f + 0.6 * rng.normal(size=n),
        "a2": f + 0.6 * rng.normal(size=n),
        "a3": -f + 0.5 * rng.normal(size=n),  # pulls against its own pillar
        "b1": g,
        "b2": g * 2 + 0.01 * rng.normal(size=n),  # the same thing twice
    }, index=pd.Index([str(110000 + i) for i in range(n)], name="code"))
    rep = coherence(_system(), data)
    ind = rep.indicators.set_index("indicator")
    assert ind.at["a3", "negative"] and not ind.at["a1", "negative"]
    assert ind.at["a3", "r_pillar"] < 0 < ind.at["a1", "r_pillar"]
    assert rep.redundant[["indicator_a", "indicator_b"]].values.tolist() == [["b1", "b2"]]
    assert ind.at["b1", "redundant_with"] == "b2" and rep.flagged
    pil = rep.pillars.set_index("pillar")
    assert pil.at["B", "alpha"] > 0.9 > pil.at["A", "alpha"]
    assert_allclose(rep.correlations.loc["b1", "b2"], np.corrcoef(data["b1"], data["b2"])[0, 1])
    sp = coherence(_system(), data, method="spearman")
    assert sp.method == "spearman" and sp.indicators.set_index("indicator").at["a3", "negative"]
    doc = rep.to_json()
    json.dumps(doc, allow_nan=False)
    assert {"correlations", "indicators", "pillars", "loadings", "redundant", "index",
            "outliers", "effective_weights"} <= set(doc)


def test_coherence_on_the_shipped_demo(system):
    data = ingest(paths.DEMO_DIR / "ndrc-2017-simulated.csv", system).data
    rep = coherence(system, data)
    assert len(rep.indicators) == 21 and len(rep.pillars) == 5
    assert rep.index["n_pillars"] == 5 and 0 < rep.index["pc1_share"] <= 1
    assert rep.effective["weight"].sum() == pytest.approx(1)
    assert rep.outliers["treatment"].eq("none").all()  # points: detected, never changed
    assert rep.meta["synthetic"] is False  # not scored through the file: caller says
