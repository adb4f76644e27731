"""`cityrank analyze` run as a real command on a user polygon file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import escape

DATA = Path(__file__).resolve().parents[2] / "data" / "analysis"


def _cmd() -> list[str]:
    exe = shutil.which("cityrank")
    return [exe] if exe else [sys.executable, "-m", "cityrank.cli"]


def _run(*args, cwd=None):
    return subprocess.run(_cmd() + ["analyze", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_analyze_user_geojson(tmp_path):
    out, page = tmp_path / "r.json", tmp_path / "r.html"
    proc = _run("--geodata", str(DATA / "synthetic_grid.geojson"), "--id", "grid_id", "--value", "score",
                "--x", "x1", "--permutations", "199", "--seed", "5", "--hub", "G33", "--draws", "300",
                "--out", str(out), "--html", str(page))
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["synthetic"] is True  # from the file's synthetic column
    assert rep["n_analysed"] == 36 and rep["weights"]["method"] == "queen"
    gm = rep["global_moran"]
    assert gm["permutations"] == 199 and gm["I"] > 0.2 and gm["p"] < 0.05
    assert {u["id"] for u in rep["units"]} == {f"G{r}{c}" for r in range(6) for c in range(6)}
    assert rep["gradients"]["east_west"]["slope"]["coef"] > 0  # score rises with column (east)
    assert rep["clusters"]["available"] is False
    lag = rep["spillover"]["models"]["lag"]
    inc = lag["impacts"]["x1"]
    assert lag["available"] and inc["total"]["ci95"][0] < inc["total"]["estimate"] < inc["total"]["ci95"][1]
    assert rep["spillover"]["distance_decay"]["hub"] == "G33"
    assert rep["spillover"]["hub_column"]["hub"] == "G33"
    text = page.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "&lt;script&gt;alert" in text
    assert "SYNTHETIC DATA" in text and "data:image/png;base64," in text
    assert 'lang="zh-CN"' in text and "主要发现" in text  # --lang defaults to zh
    assert escape(rep["findings_zh"][1]) in text and escape(rep["findings"][1]) not in text
    assert "<title>score 空间分析（synthetic_grid.geojson）</title>" in text
    assert "模拟数据" in proc.stdout  # findings printed in the default language (zh)


def test_analyze_unknown_language_is_a_usage_error(tmp_path):
    proc = _run("--geodata", str(DATA / "synthetic_grid.geojson"), "--id", "grid_id", "--value", "score",
                "--lang", "fr", "--out", str(tmp_path / "r.json"))
    assert proc.returncode == 2 and "--lang" in proc.stderr
    assert not (tmp_path / "r.json").exists()


def test_analyze_missing_id_column_is_an_error(tmp_path):
    proc = _run("--geodata", str(DATA / "synthetic_grid.geojson"), "--id", "nope", "--value", "score",
                "--out", str(tmp_path / "r.json"))
    assert proc.returncode == 2
    assert "nope" in proc.stderr
    assert not (tmp_path / "r.json").exists()


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


def _have_builtin() -> bool:
    from cityrank.paths import ADMIN_GPKG, DEMO_DIR

    return ADMIN_GPKG.exists() and (DEMO_DIR / "ndrc-2017-simulated.csv").exists()


@pytest.mark.slow
def test_analyze_dataset_and_scores_file(tmp_path):
    if not _have_builtin():
        pytest.skip("boundaries or demo data not built")
    from cityrank.paths import DEMO_DIR

    out = tmp_path / "ds.json"
    proc = _run("--dataset", "ndrc-2017-simulated", "--permutations", "99", "--no-zones", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["dataset"] == "ndrc-2017-simulated" and rep["synthetic"] is True
    assert rep["n_analysed"] == 293
    assert rep["disparity"]["regions"]["national"]["score_rate_percent"] is not None
    assert {c["id"] for c in rep["clusters"]["clusters"]} >= {"yrd-2016", "gba", "jjj"}

    out2 = tmp_path / "sc.json"
    proc = _run("--scores", str(DEMO_DIR / "ndrc-2017-simulated.csv"), "--value", "cloud_platform",
                "--permutations", "99", "--no-zones", "--out", str(out2))
    assert proc.returncode == 0, proc.stderr
    rep2 = json.loads(out2.read_text(encoding="utf-8"))
    assert rep2["synthetic"] is True  # the file's synthetic column
    assert rep2["value"] == "cloud_platform" and rep2["n_analysed"] == 293


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
