"""``build_report`` on a user polygon file: one seed, one report; every weights method;
negative values and an unscored hub. (The ``cityrank analyze`` command is tested in
tests/cli/test_analyze.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "analysis"


def test_same_seed_same_report():
    """Reproducibility of the whole report, in-process (the command adds only I/O)."""
    import geopandas as gpd

    from cityrank.geo.analysis.report import build_report

    gdf = gpd.read_file(DATA / "synthetic_grid.geojson")
    kw = {"id_column": "grid_id", "permutations": 99, "zones": False, "seed": 9, "x_columns": ("x1",),
          "draws": 100}
    ra, rb = build_report(gdf, "score", **kw), build_report(gdf, "score", **kw)
    ra.pop("generated"), rb.pop("generated")
    assert ra == rb
    rc = build_report(gdf, "score", **(kw | {"seed": 10}))
    assert rc["global_moran"]["z_sim"] != ra["global_moran"]["z_sim"]


@pytest.mark.parametrize("weights", ["rook", "knn", "distance_band", "kernel"])
def test_report_with_each_weights_method(weights):
    import geopandas as gpd

    from cityrank.geo.analysis.report import build_report

    gdf = gpd.read_file(DATA / "synthetic_grid.geojson")
    rep = build_report(gdf, "score", id_column="grid_id", weights=weights, permutations=99,
                       x_columns=("x1",), draws=100, hub="G33")
    assert rep["weights"]["method"] == weights
    assert rep["global_moran"]["I"] > 0.3
    for kind in ("lag", "durbin"):
        m = rep["spillover"]["models"][kind]
        assert m["available"] and 0 < m["rho"] < 1
        x1 = m["impacts"]["x1"]["direct"]
        assert x1["ci95"][0] < x1["estimate"] < x1["ci95"][1]
    json.dumps(rep, allow_nan=False)


def test_negative_values_and_unscored_hub():
    import geopandas as gpd

    from cityrank.geo.analysis.report import build_report

    gdf = gpd.read_file(DATA / "synthetic_grid.geojson")
    gdf["centred"] = gdf["score"] - gdf["score"].mean()
    gdf.loc[gdf["grid_id"] == "G00", "centred"] = None
    rep = build_report(gdf, "centred", id_column="grid_id", permutations=99, x_columns=("x1",), draws=50,
                       hub="G00", zones=False)
    assert rep["excluded_units"] == ["G00"]
    assert rep["getis_ord"]["available"] is False and "non-negative" in rep["getis_ord"]["reason"]
    assert rep["disparity"]["overall"]["theil"] is None
    assert "hub_column" not in rep["spillover"] and "G00" in rep["spillover"]["hub_column_note"]
    assert rep["spillover"]["distance_decay"]["hub"] == "G00"  # unscored hub still a location
    json.dumps(rep, allow_nan=False)


_HASH_SCRIPT = r"""
import json, sys
import numpy as np
import geopandas as gpd
from shapely.geometry import box
from cityrank.geo.analysis.report import build_report

cells, ids, groups, vals = [], [], [], []
base = [3.0, 5.0, 4.0, 6.0, 5.5, 4.5]
names = ["甲", "乙", "丙", "丁", "戊", "己"]  # six groups with the same values: equal means
for g, name in enumerate(names):
    for i, v in enumerate(base):
        cells.append(box(i, g, i + 1, g + 1))
        ids.append(f"{name}{i}")
        groups.append(name)
        vals.append(v + (i % 2) * 0.25)
gdf = gpd.GeoDataFrame({"uid": ids, "region": groups, "province": groups, "v": vals}, geometry=cells)
rep = build_report(gdf, "v", id_column="uid", permutations=49, zones=False, seed=3, draws=50)
rep.pop("generated")
sys.stdout.write(json.dumps(rep, ensure_ascii=False, sort_keys=False))
"""


def test_report_is_byte_identical_under_two_hash_seeds(tmp_path):
    """Groups with equal means are ordered deterministically, so the seeded bootstrap draws
    (and every interval) do not follow Python's string-hash randomisation."""
    import os
    import subprocess
    import sys

    outs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        res = subprocess.run([sys.executable, "-c", _HASH_SCRIPT], env=env, capture_output=True,
                             timeout=600, check=True)
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    rep = json.loads(outs[0])
    groups = [g["group"] for g in rep["disparity"]["regions"]["groups"]]
    assert groups == sorted(groups)  # tied means: by name
