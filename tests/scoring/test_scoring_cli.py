"""The real ``cityrank`` command: validate, score, template."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cityrank import paths

ROOT = Path(__file__).resolve().parents[2]

DEMO = paths.DEMO_DIR / "ndrc-2017-simulated.csv"
TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"
GBK = Path(__file__).resolve().parent.parent / "data" / "scoring" / "gbk_traditional.csv"


def cityrank(*args, cwd=None):
    exe = shutil.which("cityrank")
    cmd = [exe] if exe else [sys.executable, "-m", "cityrank.cli"]
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def test_validate_prints_data_management_mismatch():
    r = cityrank("validate", "--system", paths.INDICATORS_DIR / "ndrc-2017.yaml")
    assert r.returncode == 0, r.stderr
    assert "5 first-level, 13 second-level, 21 leaf" in r.stdout
    assert "数据管理" in r.stdout and "declares max 10" in r.stdout and "sum to 12" in r.stdout


def test_validate_bad_system_exits_2_naming_node(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: b\nname: b\nindicators:\n  - {id: a, name: 甲, max: 60}\n"
                   "  - {id: a, name: 乙, max: 40}\n", encoding="utf-8")
    r = cityrank("validate", "--system", bad)
    assert r.returncode == 2
    assert "duplicate indicator id 'a'" in r.stderr


def test_validate_data_lists_problems(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("城市,智能感知,智慧管理,惠民服务,网络空间,主体协同\n杭州,1,2,3,4,5\n火星,1,2,3,4,99\n",
                 encoding="utf-8")
    r = cityrank("validate", "--system", "ndrc-2017", "--data", p)
    assert r.returncode == 1
    assert "row 3, column '城市': unknown city '火星'" in r.stdout


def test_validate_gbk_traditional_with_laiwu():
    r = cityrank("validate", "--system", "ndrc-2017", "--data", GBK)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "encoding gbk" in r.stdout and "6 unit(s)" in r.stdout
    assert "莱芜市 (371200)" in r.stdout and "济南市 (370100)" in r.stdout


def test_score_demo_json(tmp_path):
    out = tmp_path / "scores.json"
    r = cityrank("score", "--system", "ndrc-2017", "--data", DEMO, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "SIMULATED" in r.stdout and "293 units; mean 45.10" in r.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["synthetic"] is True and len(doc["rows"]) == 293
    assert doc["summary"]["synthetic"] is True
    first = doc["rows"][0]
    for col in ["code", "name", "province", "perception", "management", "services",
                "cyberspace", "collaboration", "total", "rank"]:
        assert col in first
    assert (first["name"], first["rank"]) == ("青岛市", 1)
    assert [b["count"] for b in doc["summary"]["bins"]] == [8, 63, 152, 63, 7]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_score_csv_xlsx_say_synthetic(tmp_path, suffix):
    out = tmp_path / f"scores{suffix}"
    r = cityrank("score", "--system", "ndrc-2017", "--data", DEMO, "--out", out)
    assert r.returncode == 0, r.stderr
    if suffix == ".csv":
        df = pd.read_csv(out, dtype={"code": str})
    else:  # the workbook is for people: Chinese headers by default (scoring.export, lang="zh")
        df = pd.read_excel(out, dtype={"代码": str}).rename(
            columns={"模拟数据": "synthetic", "排名": "rank"})
    assert len(df) == 293 and df["synthetic"].all()
    assert df["rank"].is_monotonic_increasing


def test_score_published_top10_flags_qingdao(tmp_path):
    out = tmp_path / "top.csv"
    r = cityrank("score", "--system", "ndrc-2017", "--data", TOP10, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "published total 68.4 but the first-level scores sum to 68.3" in r.stderr
    df = pd.read_csv(out, dtype={"code": str}).set_index("name")
    assert df.loc["青岛市", "total_discrepancy"] == pytest.approx(0.1)
    assert "synthetic" not in df.columns


def test_score_refuses_bad_output_format(tmp_path):
    r = cityrank("score", "--system", "ndrc-2017", "--data", TOP10, "--out", tmp_path / "x.doc")
    assert r.returncode == 2 and "unsupported output format" in r.stderr
    assert not (tmp_path / "x.doc").exists()


def test_template_roundtrip(tmp_path):
    out = tmp_path / "tpl.xlsx"
    r = cityrank("template", "--system", "ndrc-2017", "--out", out)
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    # Simplified Chinese by default (scoring.template, lang="zh"); the key headers read back
    assert wb.sheetnames == ["数据", "填写说明", "指标体系"]
    ws = wb["数据"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["代码", "城市", "省份"] and len(header) == 24
    assert header[3] == "人口基础数据库建设情况 [population_db] (0–5)"
    assert ws.max_row == 294
    rules = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
             for dv in ws.data_validations.dataValidation}
    assert rules["F"].formula2 == "2"  # 公共视频资源共享率 max 2
    # Fill the template with the demo values and score it: same totals as the demo.
    demo = pd.read_csv(DEMO, dtype={"code": str}).set_index("code")
    leaves = [h.split("[")[1].split("]")[0] for h in header[3:]]
    for row in ws.iter_rows(min_row=2):
        code = row[0].value
        for cell, leaf in zip(row[3:], leaves, strict=True):
            cell.value = float(demo.loc[code, leaf])
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    res = tmp_path / "res.csv"
    r = cityrank("score", "--system", "ndrc-2017", "--data", filled, "--out", res)
    assert r.returncode == 0, r.stderr
    got = pd.read_csv(res, dtype={"code": str}).set_index("code")["total"]
    assert len(got) == 293 and got.mean() == pytest.approx(45.1, abs=1e-6)
