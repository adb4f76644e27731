"""Ingestion of the files people really have, and every problem pinned to file/row/column."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cityrank.scoring.ingest import ingest, ingest_frame, parse_number
from cityrank.scoring.problems import ProblemsError
from cityrank.scoring.readers import detect_encoding
from cityrank.scoring.system import parse_system

DATA = Path(__file__).resolve().parent.parent / "data" / "scoring"
L1 = ["智能感知", "智慧管理", "惠民服务", "网络空间", "主体协同"]


def l1_frame(names, values=None):
    values = values or [["5", "10", "15", "5", "10"]] * len(names)
    return pd.DataFrame([[n, *v] for n, v in zip(names, values, strict=True)],
                        columns=["城市", *L1])


def test_gbk_traditional_file_with_laiwu(system):
    path = DATA / "gbk_traditional.csv"
    res = ingest(path, system)
    assert res.encoding == "gbk"
    assert list(res.data.index) == ["370200", "440100", "350200", "370100", "320500", "650100"]
    assert res.data.loc["370100", "perception"] == pytest.approx(3.1)
    assert res.data.loc["370200", "services"] == pytest.approx(21.5)
    laiwu = [w for w in res.warnings if "莱芜" in w]
    assert len(laiwu) == 1 and "row 5" in laiwu[0] and "济南市" in laiwu[0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_detected(tmp_path, system, encoding):
    p = tmp_path / "d.csv"
    l1_frame(["杭州市", "宁波"]).to_csv(p, index=False, encoding=encoding)
    res = ingest(p, system)
    assert list(res.data.index) == ["330100", "330200"]
    assert res.data.loc["330100", "services"] == 15.0


def test_encoding_override_and_detection_bytes(tmp_path, system):
    assert detect_encoding("杭州".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfa") == "utf-8-sig"
    assert detect_encoding("杭州".encode("gbk")) == "gbk"
    p = tmp_path / "d.csv"
    l1_frame(["杭州市"]).to_csv(p, index=False, encoding="gbk")
    with pytest.raises(Exception, match="decode"):
        ingest(p, system, encoding="utf-8")


def test_xlsx_first_and_named_sheet(tmp_path, system):
    p = tmp_path / "d.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="cover", index=False)
        df = l1_frame(["温州"])
        df.insert(0, "code", [330300])
        df.to_excel(xw, sheet_name="data", index=False)
    res = ingest(p, system, sheet="data")
    assert list(res.data.index) == ["330300"] and res.sheet == "data"
    with pytest.raises(ProblemsError) as exc:
        ingest(p, system)  # first sheet has no key column
    assert any(pr.kind == "missing_key" for pr in exc.value.problems)


def test_every_problem_has_file_row_column(system, resolver):
    df = l1_frame(["杭州", "火星市", "杭州市", "宁波", "温州"])
    df.loc[3, "智慧管理"] = "abc"
    df.loc[4, "惠民服务"] = "26"
    df["备用"] = "x"
    res = ingest_frame(df, system, file="in.csv", resolver=resolver, raise_errors=False)
    got = {(p.kind, p.row, p.column, p.severity) for p in res.problems}
    assert ("unknown_unit", 3, "城市", "error") in got
    assert ("duplicate_unit", 4, "城市", "error") in got
    assert ("non_numeric", 5, "智慧管理", "error") in got
    assert ("out_of_range", 6, "惠民服务", "error") in got
    assert ("extra_column", 1, "备用", "warning") in got
    with pytest.raises(ProblemsError) as exc:
        res.raise_for_problems()
    assert "in.csv, row 5, column '智慧管理'" in str(exc.value)


def test_missing_indicator_column(system, resolver):
    df = l1_frame(["杭州"]).drop(columns=["网络空间"])
    res = ingest_frame(df, system, resolver=resolver, raise_errors=False)
    missing = [p for p in res.problems if p.kind == "missing_column"]
    assert len(missing) == 3  # the three cyberspace evaluation points
    assert all(p.row == 1 for p in missing)
    assert "网络舆情监测情况" in {p.column for p in missing}


def test_laiwu_row_beside_jinan_is_not_used_but_reported(system, resolver):
    df = l1_frame(["萊蕪", "济南"])
    res = ingest_frame(df, system, resolver=resolver)
    assert list(res.data.index) == ["370100"]
    assert any("row 2" in w and "already has data in row 3" in w for w in res.warnings)


@pytest.mark.parametrize("policy,expected", [
    ("zero", 0.0), ("mean", 7.5), ("province_mean", 10.0)])
def test_missing_value_policies(system, resolver, policy, expected):
    # 杭州, 宁波 in 浙江; 广州 in 广东. 宁波 perception missing.
    df = l1_frame(["杭州", "宁波", "广州"], [["10", "10", "10", "5", "10"],
                                           ["", "10", "10", "5", "10"],
                                           ["5", "10", "10", "5", "10"]])
    res = ingest_frame(df, system, missing=policy, resolver=resolver)
    assert res.data.loc["330200", "perception"] == expected
    assert res.filled == 1


def test_refuse_policy_reports_each_missing_cell(system, resolver):
    df = l1_frame(["杭州", "宁波"], [["", "10", "10", "—", "10"], ["1", "10", "10", "5", "10"]])
    res = ingest_frame(df, system, resolver=resolver, raise_errors=False)
    cells = {(p.row, p.column) for p in res.problems if p.kind == "missing_value"}
    assert cells == {(2, "智能感知"), (2, "网络空间")}


def test_coverage_flags_under_65_percent(system, resolver):
    rows = [["1", "10", "10", "5", "10"]] * 3
    rows = [r.copy() for r in rows]
    rows[0][0] = rows[1][0] = ""  # perception 1/3 present
    df = l1_frame(["杭州", "宁波", "温州"], rows)
    res = ingest_frame(df, system, resolver=resolver, missing="zero")
    assert res.coverage["indicators"]["perception"] == pytest.approx(1 / 3)
    assert res.coverage["indicators_low"] == ["perception"]
    assert res.coverage["universe"]["present"] == 3
    assert any("under 65%" in w and "智能感知" in w for w in res.warnings)


def test_columns_by_id_english_name_and_template_header(system, resolver):
    df = pd.DataFrame({"code": ["156330100"], "perception": ["1"],
                       "Smart management": ["2"], "惠民服务（25分）": ["3"],
                       "網絡空間 [cyberspace] (0–15)": ["4"], "collaboration": ["5"]})
    res = ingest_frame(df, system, resolver=resolver)
    assert res.data.loc["330100"].tolist() == [1, 2, 3, 4, 5]


def test_parse_number_variants():
    assert parse_number("１２.５") == 12.5
    assert parse_number(" 1,234.5 ") == 1234.5  # unambiguous: a group and a decimal part
    assert parse_number("1,234,567") == 1234567
    assert parse_number("1,5", decimal=",") == 1.5
    assert parse_number("45%") == 45  # one cell; per indicator only where its unit is %
    assert parse_number("无") is None
    for text, kind in (("abc", "non_numeric"), (" 1,234 ", "ambiguous_number"),
                       ("1,5", "decimal_comma"), ("INF", "non_finite"), ("1e999", "non_finite")):
        with pytest.raises(ValueError, match=kind):
            parse_number(text)
    with pytest.raises(ValueError, match="decimal_point"):
        parse_number("1.5", decimal=",")


def test_minmax_leaves_not_range_checked(resolver):
    s = parse_system({"id": "m", "name": "m", "scoring": {"method": "minmax"}, "indicators": [
        {"id": "gdp", "name": "GDP"}]})
    res = ingest_frame(pd.DataFrame({"城市": ["杭州"], "gdp": ["18753.6"]}), s,
                       resolver=resolver)
    assert np.isclose(res.data.loc["330100", "gdp"], 18753.6)
