"""Exports for people follow the language: the scores workbook and the data-entry template,
read back in Chinese (the default) and English, with their headers, region names, sheets and
notes; and what we write in either language reads back through ingest."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from cityrank import paths
from cityrank.scoring.export import write_scores
from cityrank.scoring.ingest import ingest
from cityrank.scoring.pipeline import score_file
from cityrank.scoring.system import load_system
from cityrank.scoring.template import write_template

DEMO = paths.DEMO_DIR / "ndrc-2017-simulated.csv"
TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"

EXPECTED = {
    "zh": {"sheets": ["得分", "说明"], "head": ["模拟数据", "代码", "城市", "省份", "区域"],
           "region": "东部", "total": "总分", "rank": "排名", "node": "智能感知 [perception]",
           "rate": "得分率：智能感知", "note": "模拟数据：并非真实评估结果（synthetic: true）",
           "about": ["项目", "内容"]},
    "en": {"sheets": ["scores", "about"], "head": ["synthetic", "code", "name", "province", "region"],
           "region": "East", "total": "total", "rank": "rank",
           "node": "Intelligent perception [perception]", "rate": "score rate: Intelligent perception",
           "note": "SIMULATED DATA - not real assessment results (synthetic: true)",
           "about": ["key", "value"]},
}


@pytest.fixture(scope="module")
def demo_run():
    if not DEMO.exists():
        pytest.skip(f"{DEMO} missing")
    return score_file("ndrc-2017", DEMO)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scores_workbook_in_the_language(tmp_path, demo_run, lang):
    exp = EXPECTED[lang]
    out = tmp_path / f"scores-{lang}.xlsx"
    write_scores(demo_run.scores, out, system_id="ndrc-2017", warnings=demo_run.warnings,
                 lang=lang, system=demo_run.system)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == exp["sheets"]
    ws = wb[exp["sheets"][0]]
    header = [c.value for c in ws[1]]
    assert header[:5] == exp["head"]
    assert exp["total"] in header and exp["rank"] in header
    assert exp["node"] in header and exp["rate"] in header
    regions = {row[4] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert exp["region"] in regions
    assert regions <= {"东部", "中部", "西部", "东北"} if lang == "zh" else regions <= {
        "East", "Central", "West", "Northeast"}
    about = list(wb[exp["sheets"][1]].iter_rows(values_only=True))
    assert list(about[0]) == exp["about"]
    assert exp["note"] in [r[1] for r in about]


def test_scores_workbook_defaults_to_chinese_and_reads_back(tmp_path, demo_run):
    out = tmp_path / "scores.xlsx"
    write_scores(demo_run.scores, out, system=demo_run.system)
    assert openpyxl.load_workbook(out).sheetnames == EXPECTED["zh"]["sheets"]
    # the workbook people got is data cityrank reads again: keys, [id] headers, 总分 as published
    res = ingest(out, demo_run.system, raise_errors=False)
    assert res.ok, [str(p) for p in res.errors[:3]]
    assert len(res.data) == 293 and res.synthetic is True
    assert [str(p) for p in res.problems if p.kind == "extra_column" and p.msg is None] == []
    assert set(demo_run.system.first_level) <= set(res.data.columns)
    assert res.extra["published_total"].round(6).equals(
        demo_run.scores.set_index("code")["total"].loc[res.extra.index].round(6))


def test_csv_and_json_keep_their_column_ids(tmp_path, demo_run):
    csv = write_scores(demo_run.scores, tmp_path / "s.csv", lang="zh")
    assert list(pd.read_csv(csv, nrows=0).columns[:4]) == ["synthetic", "code", "name", "province"]
    for lang in ("zh", "en"):
        doc = json.loads(write_scores(demo_run.scores, tmp_path / f"s-{lang}.json", lang=lang)
                         .read_text(encoding="utf-8"))
        assert doc["synthetic"] is True and doc["note"] == EXPECTED[lang]["note"]
        assert doc["rows"][0]["code"] and "total" in doc["columns"]


def test_real_data_carry_no_synthetic_note(tmp_path):
    run = score_file("ndrc-2017", TOP10)
    out = write_scores(run.scores, tmp_path / "top.xlsx", lang="en", system=run.system)
    wb = openpyxl.load_workbook(out)
    assert "synthetic" not in [c.value for c in wb["scores"][1]]
    assert [r[0] for r in wb["about"].iter_rows(min_row=2, values_only=True)][:2] == [
        "system", "synthetic"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_in_the_language_reads_back(tmp_path, lang):
    system = load_system("ndrc-2017")
    path, n = write_template(system, tmp_path / f"tpl-{lang}.xlsx", lang=lang)
    wb = openpyxl.load_workbook(path)
    names = {"zh": ["数据", "填写说明", "指标体系"], "en": ["data", "instructions", "indicators"]}
    assert wb.sheetnames == names[lang]
    ws = wb[names[lang][0]]
    header = [c.value for c in ws[1]]
    assert header[:3] == (["代码", "城市", "省份"] if lang == "zh" else ["code", "name", "province"])
    first = "人口基础数据库建设情况" if lang == "zh" else system.nodes["population_db"].name_en
    assert header[3] == f"{first} [population_db] (0–5)"
    text = "\n".join(str(r[0]) for r in wb[names[lang][1]].iter_rows(values_only=True) if r[0])
    assert (f"“{names[lang][0]}”" in text) if lang == "zh" else (f"'{names[lang][0]}'" in text)
    assert "cityrank score --system ndrc-2017" in text
    # fill it with ones and score it: every key and indicator header is understood
    for row in ws.iter_rows(min_row=2):
        for cell in row[3:]:
            cell.value = 1
    wb.save(path)
    res = ingest(path, system, raise_errors=False)
    assert res.ok and len(res.data) == n == 293
    assert not [p for p in res.problems if p.kind == "extra_column"]
