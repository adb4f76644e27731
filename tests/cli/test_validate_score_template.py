"""``cityrank validate``, ``score`` and ``template``, run in process."""

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cityrank import paths

DEMO = paths.DEMO_DIR / "ndrc-2017-simulated.csv"
TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"
GBK = Path(__file__).resolve().parent.parent / "data" / "scoring" / "gbk_traditional.csv"


def test_validate_prints_data_management_mismatch(cli):
    r = cli("validate", "--system", paths.INDICATORS_DIR / "ndrc-2017.yaml", "--lang", "en")
    assert r.code == 0, r.err
    assert "5 first-level, 13 second-level, 21 leaf" in r.out
    assert "数据管理" in r.out and "declares max 10" in r.out and "sum to 12" in r.out


def test_validate_bad_system_exits_2_naming_node(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: b\nname: b\nindicators:\n  - {id: a, name: 甲, max: 60}\n"
                   "  - {id: a, name: 乙, max: 40}\n", encoding="utf-8")
    r = cli("validate", "--system", bad)
    assert r.code == 2
    assert r.err.startswith("cityrank validate: 错误：") and "duplicate indicator id 'a'" in r.err


def test_validate_data_lists_problems(cli, tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("城市,智能感知,智慧管理,惠民服务,网络空间,主体协同\n杭州,1,2,3,4,5\n火星,1,2,3,4,99\n",
                 encoding="utf-8")
    r = cli("validate", "--system", "ndrc-2017", "--data", p, "--lang", "en")
    assert r.code == 1
    assert "row 3, column '城市': unknown city '火星'" in r.out


def test_validate_gbk_traditional_with_laiwu(cli):
    r = cli("validate", "--system", "ndrc-2017", "--data", GBK, "--lang", "en")
    assert r.code == 0, r.out + r.err
    assert "encoding gbk" in r.out and "6 unit(s)" in r.out and r.out.rstrip().endswith("ok")
    assert "莱芜市 (371200)" in r.out and "济南市 (370100)" in r.out
    zh = cli("validate", "--system", "ndrc-2017", "--data", GBK)
    assert "编码 gbk" in zh.out and "6 个单位" in zh.out and zh.out.rstrip().endswith("校验通过")


def test_validate_reads_the_named_sheet(cli, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["这一页不是数据"])
    ws = wb.create_sheet("数据")
    ws.append(["城市", "智能感知", "智慧管理", "惠民服务", "网络空间", "主体协同"])
    ws.append(["杭州", 1, 2, 3, 4, 5])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    r = cli("validate", "--system", "ndrc-2017", "--data", path, "--sheet", "数据")
    assert r.code == 0, r.out + r.err
    assert f"数据 {path}：1 个单位" in r.out
    missing = cli("validate", "--system", "ndrc-2017", "--data", path, "--sheet", "无此页")
    assert missing.code == 2 and "无此页" in missing.err


def test_score_demo_json(cli, tmp_path):
    out = tmp_path / "scores.json"
    r = cli("score", "--system", "ndrc-2017", "--data", DEMO, "--out", out, "--lang", "en")
    assert r.code == 0, r.err
    assert "SIMULATED" in r.out and "293 units; mean 45.10" in r.out
    assert f"wrote 293 ranked units to {out}" in r.out
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["synthetic"] is True and len(doc["rows"]) == 293
    assert doc["summary"]["synthetic"] is True
    first = doc["rows"][0]
    for col in ["code", "name", "province", "perception", "management", "services",
                "cyberspace", "collaboration", "total", "rank"]:
        assert col in first
    assert (first["name"], first["rank"]) == ("青岛市", 1)
    assert [b["count"] for b in doc["summary"]["bins"]] == [8, 63, 152, 63, 7]


def test_score_speaks_chinese_by_default(cli):
    r = cli("score", "--system", "ndrc-2017", "--data", DEMO, "--top", "3")
    assert r.code == 0, r.err
    assert "模拟数据" in r.out and "共 293 个单位；平均分 45.10" in r.out
    header = r.out.splitlines()[1].split()
    assert header[:4] == ["排名", "代码", "城市", "省份"] and "智能感知" in header and "总分" in header
    assert "SIMULATED" not in r.out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_score_csv_xlsx_say_synthetic(cli, tmp_path, suffix):
    out = tmp_path / f"scores{suffix}"
    r = cli("score", "--system", "ndrc-2017", "--data", DEMO, "--out", out)
    assert r.code == 0, r.err
    if suffix == ".csv":
        df = pd.read_csv(out, dtype={"code": str})
    else:  # the workbook is for people: Chinese headers by default (scoring.export, lang="zh")
        df = pd.read_excel(out, dtype={"代码": str}).rename(
            columns={"模拟数据": "synthetic", "排名": "rank"})
    assert len(df) == 293 and df["synthetic"].all()
    assert df["rank"].is_monotonic_increasing


def test_score_published_top10_flags_qingdao(cli, tmp_path):
    out = tmp_path / "top.csv"
    r = cli("score", "--system", "ndrc-2017", "--data", TOP10, "--out", out, "--lang", "en")
    assert r.code == 0, r.err
    assert "published total 68.4 but the first-level scores sum to 68.3" in r.err
    df = pd.read_csv(out, dtype={"code": str}).set_index("name")
    assert df.loc["青岛市", "total_discrepancy"] == pytest.approx(0.1)
    assert "synthetic" not in df.columns


def test_score_refuses_bad_output_format(cli, tmp_path):
    r = cli("score", "--system", "ndrc-2017", "--data", TOP10, "--out", tmp_path / "x.doc",
            "--lang", "en")
    assert r.code == 2 and "unsupported output format" in r.err
    assert not (tmp_path / "x.doc").exists()


def test_score_missing_policy_fills_gaps(cli, tmp_path):
    p = tmp_path / "gaps.csv"
    p.write_text("城市,智能感知,智慧管理,惠民服务,网络空间,主体协同\n杭州,9,15,20,4,15\n"
                 "宁波,8,,18,3,12\n温州,7,12,15,3,10\n", encoding="utf-8")
    refused = cli("score", "--system", "ndrc-2017", "--data", p)
    assert refused.code == 2 and "缺少数值" in refused.err and "第 3 行" in refused.err
    out = tmp_path / "filled.csv"
    r = cli("score", "--system", "ndrc-2017", "--data", p, "--missing", "zero", "--out", out)
    assert r.code == 0, r.err
    df = pd.read_csv(out, dtype={"code": str}).set_index("name")
    assert df.loc["宁波市", "total"] == pytest.approx(8 + 18 + 3 + 12)
    # the filled cell is flagged in the file, and listed with its method in JSON
    assert df["imputed"].fillna("").to_dict() == {"杭州市": "", "宁波市": "management", "温州市": ""}
    js = tmp_path / "filled.json"
    assert cli("score", "--system", "ndrc-2017", "--data", p, "--missing", "zero", "--out", js).code == 0
    cells = json.loads(js.read_text(encoding="utf-8"))["imputed"]
    assert [(c["code"], c["indicator"], c["method"], c["value"]) for c in cells] == [("330200", "management", "zero", 0.0)]


def test_template_roundtrip(cli, tmp_path):
    out = tmp_path / "tpl.xlsx"
    r = cli("template", "--system", "ndrc-2017", "--out", out)
    assert r.code == 0, r.err
    assert f"已为 ndrc-2017 写出填报模板（293 个单位）：{out}" in r.out
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
    r = cli("score", "--system", "ndrc-2017", "--data", filled, "--out", res)
    assert r.code == 0, r.err
    got = pd.read_csv(res, dtype={"code": str}).set_index("code")["total"]
    assert len(got) == 293 and got.mean() == pytest.approx(45.1, abs=1e-6)
