"""A user's own regions are counted and named as given: never "four regions", never 西部 for a
user's "West" (the NBS names belong to the built-in layer only)."""

from __future__ import annotations

import numpy as np


def test_user_regions_keep_their_names_and_count(grid_factory):
    from cityrank.geo.analysis.report import build_report

    g = grid_factory(8, 6)
    g["region"] = np.where(g["col"] < 4, "West", "East")  # the user's words, not the NBS regions
    g["v"] = 40 + 3.0 * g["col"] + np.random.default_rng(2).normal(0, 1, len(g))
    rep = build_report(g, "v", id_column="id", permutations=19, zones=False, draws=20)
    regions = rep["disparity"]["regions"]
    assert regions["nbs"] is False
    assert {r["name"] for r in regions["groups"]} == {"West", "East"}
    zh, en = " ".join(rep["findings_zh"]), " ".join(rep["findings"])
    assert "西部" not in zh and "东部" not in zh and "(西部)" not in en
    assert "来自 2 个区域之间" in zh and "between the 2 regions" in en
    assert "four" not in en and "四大" not in zh


def test_builtin_layer_keeps_the_nbs_names():
    """On the built-in layer (codes and provinces) the NBS names are used, in both languages."""
    import pandas as pd

    from cityrank.geo.analysis.findings import bilingual_findings

    report = {"disparity": {"regions": {"available": True, "nbs": True, "groups": [
        {"group": "West", "name": "West (西部)", "gap_points": -2.0, "gap_points_ci95": [-3.0, -1.0],
         "gap_rate_pp": None}], "inequality": {}}},
        "global_moran": {"I": 0.1, "expected_I": -0.01, "z": 2.0, "p": 0.01, "permutations": 99},
        "local_moran": {"summary": {k: {"units": [], "count": 0} for k in ("HH", "LL", "LH", "HL")},
                        "p_threshold": 0.05},
        "weights": {"fixed": []}}
    zh = " ".join(f["zh"] for f in bilingual_findings(report))
    assert "西部的均值比全国均值低 2.00 分" in zh
    assert pd.notna(zh)
