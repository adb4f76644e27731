"""``cityrank uncertainty`` and ``cityrank coherence`` in process; files read back."""

import json

import openpyxl
import pandas as pd
import pytest

from cityrank import paths
from cityrank.cli import main
from cityrank.scoring.uncertainty import RANK_COLUMNS

TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"
DEMO = paths.DEMO_DIR / "ndrc-2017-simulated.csv"


def test_uncertainty_csv_zh(tmp_path, capsys):
    out = tmp_path / "u.csv"
    assert main(["uncertainty", "--system", "ndrc-2017", "--data", str(TOP10), "--runs",
                 "1000", "--seed", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "蒙特卡洛模拟 1000 次（随机种子 1），10 个城市" in text
    assert "并列第7名" in text and "宁波市(330200)、佛山市(440600)" in text
    assert "排名区间与相邻城市重叠" in text and f"已写入 10 个城市的排名区间：{out}" in text
    df = pd.read_csv(out, dtype={"code": str})
    assert list(df.columns) == list(RANK_COLUMNS)
    r = df.set_index("code")
    assert r.at["330200", "rank"] == r.at["440600", "rank"] == 7
    assert r.at["330200", "tied"] and r.at["330200", "overlaps"]


def test_uncertainty_json_en_with_sobol(tmp_path, capsys):
    out = tmp_path / "u.json"
    assert main(["uncertainty", "--system", "ndrc-2017", "--data", str(TOP10), "--runs",
                 "200", "--sobol", "64", "--aggregation", "arithmetic", "geometric",
                 "--no-drop-indicators", "--lang", "en", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Monte Carlo: 200 runs (seed 1) of 10 units" in text
    assert "Sobol design: 320 evaluations (base sample 64)" in text
    assert "tied 7" in text and "most influential choice" in text
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["runs"] == 200 and doc["factors"] == ["weights", "normalisation", "aggregation"]
    assert doc["choices"]["aggregation"] == ["arithmetic", "geometric"]
    assert doc["choices"]["drop"] == []
    assert set(doc["units"][0]["sobol"]["ST"]) == set(doc["factors"])
    assert [f["factor"] for f in doc["average_shift"]["factors"]] == doc["factors"]


def test_uncertainty_xlsx_synthetic(tmp_path, capsys):
    out = tmp_path / "u.xlsx"
    assert main(["uncertainty", "--system", "ndrc-2017", "--data", str(DEMO), "--runs", "100",
                 "--sobol", "32", "--top", "5", "--out", str(out)]) == 0
    assert "模拟数据" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["ranks", "sensitivity", "average_shift", "choices", "about"]
    ranks = pd.read_excel(out, sheet_name="ranks", dtype={"code": str})
    assert len(ranks) == 293 and ranks["synthetic"].all()
    about = pd.read_excel(out, sheet_name="about").set_index("key")["value"]
    assert "SIMULATED" in about["note"]
    sens = pd.read_excel(out, sheet_name="sensitivity", dtype={"code": str})
    assert list(sens.columns) == ["code", "factor", "S1", "ST"]


def test_uncertainty_errors_leave_nothing_written(tmp_path, capsys):
    out = tmp_path / "u.txt"
    assert main(["uncertainty", "--system", "ndrc-2017", "--data", str(TOP10), "--runs", "50",
                 "--out", str(out)]) == 2
    assert "unsupported output format" in capsys.readouterr().err
    assert not out.exists()
    assert main(["uncertainty", "--system", "ndrc-2017", "--data", str(TOP10),
                 "--sobol", "100"]) == 2
    assert "power of two" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("城市,智能感知\n青岛,abc\n", encoding="utf-8")
    assert main(["uncertainty", "--system", "ndrc-2017", "--data", str(bad)]) == 2
    assert "错误" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".json", ".xlsx", ".csv"])
def test_coherence_files(tmp_path, capsys, suffix):
    out = tmp_path / f"c{suffix}"
    assert main(["coherence", "--system", "ndrc-2017", "--data", str(DEMO), "--out",
                 str(out)]) == 0
    text = capsys.readouterr().out
    assert "Cronbach α" in text and "有效权重" in text and "模拟数据" in text
    if suffix == ".json":
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["synthetic"] is True and len(doc["indicators"]) == 21
        assert doc["index"]["n_pillars"] == 5
    elif suffix == ".xlsx":
        assert openpyxl.load_workbook(out).sheetnames == [
            "indicators", "pillars", "correlations", "loadings", "redundant", "outliers",
            "effective_weights", "about"]
    else:
        df = pd.read_csv(out)
        assert len(df) == 21 and df["synthetic"].all()


def test_coherence_english(capsys):
    assert main(["coherence", "--system", "ndrc-2017", "--data", str(TOP10), "--lang",
                 "en"]) == 0
    text = capsys.readouterr().out
    assert "whole index: 5 first-level indicators, Cronbach's α" in text
    assert "effective weights" in text and "Services for citizens" in text


def test_score_takes_weighting_copeland_and_geometric_offset(tmp_path, capsys):
    out = tmp_path / "s.json"
    assert main(["score", "--system", "ndrc-2017", "--data", str(TOP10), "--weighting",
                 "equal", "--aggregation", "copeland", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["rows"]) == 10
    zero = tmp_path / "zero.csv"
    df = pd.read_csv(TOP10, dtype=str)
    df.loc[0, "cyberspace"] = "0"
    df.to_csv(zero, index=False)
    capsys.readouterr()
    assert main(["score", "--system", "ndrc-2017", "--data", str(zero), "--aggregation",
                 "geometric", "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert "几何平均合成" in err and "370200 cyberspace（网络空间）" in err
    assert main(["score", "--system", "ndrc-2017", "--data", str(zero), "--aggregation",
                 "geometric", "--geometric-offset", "0.01"]) == 0
