"""``cityrank analyze`` in process: a user polygon file, a dataset, a scores table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markupsafe import escape

from cityrank import paths

DATA = Path(__file__).resolve().parents[1] / "data" / "analysis"
GRID = DATA / "synthetic_grid.geojson"


def test_analyze_user_geojson(cli, tmp_path):
    out, page = tmp_path / "r.json", tmp_path / "r.html"
    r = cli("analyze", "--boundaries", GRID, "--id-column", "grid_id", "--indicator", "score",
            "--x", "x1", "--permutations", "199", "--seed", "5", "--hub", "G33", "--draws", "300",
            "--out", out, "--html", page)
    assert r.code == 0, r.err
    assert f"已写入 {out}" in r.out and f"已写入 {page}" in r.out
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
    assert rep["title"] == "Spatial analysis of score (synthetic_grid.geojson)"
    assert "模拟数据" in r.out  # findings printed in the default language (zh)


def test_old_option_names_and_knn_neighbours(cli, tmp_path):
    out = tmp_path / "r.json"
    r = cli("analyze", "--geodata", GRID, "--id", "grid_id", "--value", "score", "--weights", "knn",
            "--k", "6", "--permutations", "99", "--draws", "50", "--no-zones", "--out", out, "--lang", "en")
    assert r.code == 0, r.err
    for old, new in (("--geodata", "--boundaries"), ("--id", "--id-column"), ("--value", "--indicator"),
                     ("--k", "--neighbours")):
        assert f"note: option {old} is now {new}" in r.err
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["weights"]["method"] == "knn" and rep["weights"]["params"]["k"] == 6
    assert any(line.startswith("- ") for line in r.out.splitlines())


def test_analyze_unknown_language_is_a_usage_error(cli, tmp_path):
    r = cli("analyze", "--boundaries", GRID, "--id-column", "grid_id", "--indicator", "score",
            "--lang", "fr", "--out", tmp_path / "r.json")
    assert r.code == 2 and "--lang" in r.err
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["--id-column", "nope"], "没有「nope」列", "no column 'nope'"),
        ([], "--boundaries 需要 --id-column", "--boundaries needs --id-column"),
        (["--id-column", "grid_id", "--dataset", "ndrc-2017-simulated"], "不能与 --dataset 或 --system 同时使用",
         "cannot be combined with --dataset or --system"),
        (["--id-column", "grid_id", "--indicator", "grid_id"], "「G00」不是数字", "'G00' is not a number"),
    ],
)
def test_analyze_polygon_errors(cli, tmp_path, args, zh, en):
    for lang, message in (("zh", zh), ("en", en)):
        r = cli("analyze", "--boundaries", GRID, *args, "--out", tmp_path / "r.json", "--lang", lang)
        assert r.code == 2 and message in r.err, r.err
    assert not (tmp_path / "r.json").exists()


def _have_builtin() -> bool:
    return paths.ADMIN_GPKG.exists() and (paths.DEMO_DIR / "ndrc-2017-simulated.csv").exists()


@pytest.mark.slow
def test_analyze_dataset_and_scores_file(cli, tmp_path):
    if not _have_builtin():
        pytest.skip("boundaries or demo data not built")
    out = tmp_path / "ds.json"
    r = cli("analyze", "--dataset", "ndrc-2017-simulated", "--permutations", "99", "--no-zones", "--out", out)
    assert r.code == 0, r.err
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["dataset"] == "ndrc-2017-simulated" and rep["synthetic"] is True
    assert rep["n_analysed"] == 293
    assert rep["disparity"]["regions"]["national"]["score_rate_percent"] is not None
    assert {c["id"] for c in rep["clusters"]["clusters"]} >= {"yrd-2016", "gba", "jjj"}
    assert rep["title_zh"].endswith("总分空间分析")

    out2 = tmp_path / "sc.json"
    r = cli("analyze", "--data", paths.DEMO_DIR / "ndrc-2017-simulated.csv", "--indicator", "cloud_platform",
            "--permutations", "99", "--no-zones", "--out", out2)
    assert r.code == 0, r.err
    rep2 = json.loads(out2.read_text(encoding="utf-8"))
    assert rep2["synthetic"] is True  # the file's synthetic column
    assert rep2["value"] == "cloud_platform" and rep2["n_analysed"] == 293

    out3 = tmp_path / "sys.json"
    r = cli("analyze", "--data", paths.DEMO_DIR / "ndrc-2017-simulated.csv", "--system", "ndrc-2017",
            "--indicator", "智慧管理", "--permutations", "99", "--no-zones", "--out", out3)
    assert r.code == 0, r.err
    rep3 = json.loads(out3.read_text(encoding="utf-8"))
    assert rep3["value"] == "management" and rep3["n_analysed"] == 293
    assert rep3["disparity"]["regions"]["national"]["score_rate_percent"] is not None
