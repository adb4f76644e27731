"""Every message kind of the catalogue, triggered from a real input, rendered in both languages.

Each trigger writes (or reads) a real file or system, runs the real code path and returns the
problem/warning of that kind; the test checks that the English and Chinese lines state the
same numbers and codes, that the Chinese is simplified, and that the English line is the
historical ``message`` / ``str()``.
"""

from __future__ import annotations

import ast
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from opencc import OpenCC

from cityrank import paths
from cityrank.errors import CityrankError, ConfigError, UnknownUnitError
from cityrank.scoring.ingest import ingest
from cityrank.scoring.messages import CATALOGUE, Notice, render
from cityrank.scoring.pipeline import score_file
from cityrank.scoring.problems import Problem
from cityrank.scoring.system import load_system
from cityrank.scoring.units import UnitResolver, load_units

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "scoring"
TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"
L1 = {"perception": "智能感知", "management": "智慧管理", "services": "惠民服务",
      "cyberspace": "网络空间", "collaboration": "主体协同"}
T2S = OpenCC("t2s")
_NUM = re.compile(r"\d+(?:\.\d+)?")


def frame(names, rows=None, columns=None) -> pd.DataFrame:
    rows = rows or [["5", "10", "15", "5", "10"]] * len(names)
    return pd.DataFrame([[n, *r] for n, r in zip(names, rows, strict=True)],
                        columns=["城市", *(columns or L1.values())])


def write(tmp: Path, df: pd.DataFrame, name="d.csv", encoding="utf-8") -> Path:
    p = tmp / name
    if name.endswith(".xlsx"):
        df.to_excel(p, index=False)
    else:
        df.to_csv(p, index=False, encoding=encoding)
    return p


def first(items, key: str):
    found = [x for x in items if _key(x) == key]
    assert found, f"{key} not among {[_key(x) for x in items]}"
    return found[0]


def _key(x) -> str:
    return x.message_key if isinstance(x, Problem) else x.kind


def problems(path, system, **kw):
    return ingest(path, system, raise_errors=False, **kw).problems


def warnings(path, system, **kw):
    return ingest(path, system, raise_errors=False, **kw).warnings


# ---- one trigger per kind: (tmp_path, system, resolver) -> Problem | Notice -------------------

def t_extra_column(tmp, s, r):
    df = frame(["杭州市"]).assign(备用列="x")
    return first(problems(write(tmp, df), s), "extra_column")


def t_extra_column_below(tmp, s, r):
    df = frame(["杭州市"]).assign(data_management="3")
    return first(problems(write(tmp, df), s), "extra_column.below")


def t_duplicate_column(tmp, s, r):
    df = frame(["杭州市"]).assign(perception="5")
    return first(problems(write(tmp, df), s), "duplicate_column")


def t_missing_column(tmp, s, r):
    df = frame(["杭州市"]).drop(columns=["主体协同"])
    return first(problems(write(tmp, df), s), "missing_column")


def t_missing_key_no_column(tmp, s, r):
    df = frame(["杭州市"]).rename(columns={"城市": "备注二"})
    return first(problems(write(tmp, df), s), "missing_key.no_column")


def t_missing_key(tmp, s, r):
    return first(problems(write(tmp, frame(["杭州市", ""])), s), "missing_key")


def t_unknown_unit(tmp, s, r):
    return first(problems(write(tmp, frame(["杭州市", "不存在市"]), encoding="gbk"), s),
                 "unknown_unit")


def t_unknown_unit_code(tmp, s, r):
    return first(problems(write(tmp, frame(["330100", "999999"])), s), "unknown_unit.code")


def t_unknown_unit_empty(tmp, s, r):
    # ingestion reports blank keys as missing_key first; other callers (joins, the API) reach
    # the resolver's own message
    with pytest.raises(UnknownUnitError) as exc:
        r.resolve("   ")
    return Problem.make("api", None, None, "unknown_unit", exc.value.params, msg=exc.value.msg)


def t_unknown_unit_ambiguous(tmp, s, r):
    units = load_units()
    extra = units[units["code"] == "211300"].assign(code="211399", name="朝阳地区",
                                                    short_name="朝阳")
    amb = UnitResolver(pd.concat([units, extra], ignore_index=True), r.changes)
    return first(problems(write(tmp, frame(["杭州市", "朝阳"])), s, resolver=amb),
                 "unknown_unit.ambiguous")


def t_unknown_unit_bad_change(tmp, s, r):
    bad = UnitResolver(r.units, [{"old_code": "379900", "old_name": "旧市",
                                  "new_code": "999999", "kind": "merged"}])
    return first(problems(write(tmp, frame(["379900"])), s, resolver=bad),
                 "unknown_unit.bad_change")


def t_duplicate_unit(tmp, s, r):
    return first(problems(write(tmp, frame(["杭州市", "宁波市", "杭州"])), s), "duplicate_unit")


def t_non_numeric(tmp, s, r):
    rows = [["5", "10", "15", "5", "10"], ["5", "十", "15", "5", "10"]]
    return first(problems(write(tmp, frame(["杭州市", "宁波市"], rows), encoding="gbk"), s),
                 "non_numeric")


def t_out_of_range(tmp, s, r):
    rows = [["5", "10", "15", "5", "10"], ["5", "10", "15", "5", "20.5"]]
    return first(problems(write(tmp, frame(["杭州市", "宁波市"], rows), "d.xlsx"), s),
                 "out_of_range")


def t_missing_value(tmp, s, r):
    rows = [["5", "10", "15", "5", "10"], ["5", "", "15", "5", "10"]]
    return first(problems(write(tmp, frame(["杭州市", "宁波市"], rows)), s), "missing_value")


def t_admin_change(tmp, s, r):
    return first(warnings(write(tmp, frame(["杭州市", "莱芜"]), encoding="gbk"), s),
                 "admin_change")


def t_historical_duplicate(tmp, s, r):
    return first(warnings(write(tmp, frame(["莱芜市", "济南市"])), s), "historical_duplicate")


def t_coverage_indicators(tmp, s, r):
    rows = [["5", "", "15", "5", "10"]] * 3 + [["5", "10", "15", "5", "10"]]
    p = write(tmp, frame(["杭州市", "宁波市", "温州市", "嘉兴市"], rows))
    return first(warnings(p, s, missing="mean"), "coverage_indicators")


def t_coverage_units(tmp, s, r):
    rows = [["5", "", "", "", "10"], ["5", "10", "15", "5", "10"]]
    p = write(tmp, frame(["杭州市", "宁波市"], rows))
    return first(warnings(p, s, missing="zero"), "coverage_units")


def t_outside_universe(tmp, s, r):
    return first(warnings(write(tmp, frame(["杭州市", "恩施土家族苗族自治州"])), s),
                 "outside_universe")


def t_universe_coverage(tmp, s, r):
    return first(warnings(write(tmp, frame(["杭州市", "宁波市"])), s), "universe_coverage")


def t_missing_filled(tmp, s, r):
    rows = [["5", "10", "15", "5", "10"], ["5", "", "15", "5", "10"], ["5", "12", "15", "5", ""]]
    p = write(tmp, frame(["杭州市", "宁波市", "温州市"], rows))
    return first(warnings(p, s, missing="province_mean"), "missing_filled")


def t_encoding_detected(tmp, s, r):
    return first(warnings(write(tmp, frame(["杭州市"]), encoding="gbk"), s), "encoding_detected")


def t_children_missing(tmp, s, r):
    return first(load_system("ndrc-2018").warnings, "children_missing")


def t_max_mismatch_rescaled(tmp, s, r):
    return first(s.warnings, "max_mismatch_rescaled")


def t_system_note(tmp, s, r):
    doc = {"id": "t", "name": "测试", "indicators": [
        {"id": "a", "name": "甲", "max": 60}, {"id": "b", "name": "乙", "max": 40}],
        "warnings": ["weights of 2019 assumed (60/40)"]}
    p = tmp / "t.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return first(load_system(p).warnings, "system_note")


def t_system_note_bilingual(tmp, s, r):
    doc = {"id": "t", "name": "测试", "indicators": [
        {"id": "a", "name": "甲", "max": 60}, {"id": "b", "name": "乙", "max": 40}],
        "warnings": [{"en": "weights of 2019 assumed (60/40)", "zh": "假定沿用 2019 年权重（60/40）"}]}
    p = tmp / "t.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return first(load_system(p).warnings, "system_note_bilingual")


def t_published_total_mismatch(tmp, s, r):
    return first(score_file(s, TOP10).warnings, "published_total_mismatch")


def t_published_rank_mismatch(tmp, s, r):
    return first(score_file(s, TOP10).warnings, "published_rank_mismatch")


def _upload(data: bytes, name: str, **kw):
    from cityrank.service.uploads import process_upload

    return process_upload(data, name, "ndrc-2017", **kw).problems


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in files.items():
            zf.writestr(n, b)
    return buf.getvalue()


def t_not_csv(tmp, s, r):
    return first(_upload(b"%PDF-1.4 ...", "数据.csv"), "not_csv")


def t_not_csv_binary(tmp, s, r):
    return first(_upload(b"code,name\x00\x01", "数据.csv"), "not_csv.binary")


def t_not_xlsx(tmp, s, r):
    return first(_upload("城市,智能感知\n杭州,5\n".encode(), "数据.xlsx"), "not_xlsx")


def t_not_xlsx_unreadable(tmp, s, r):
    return first(_upload(b"PK\x03\x04" + b"\x00" * 40, "数据.xlsx"), "not_xlsx.unreadable")


def t_not_xlsx_zip(tmp, s, r):
    return first(_upload(_zip({"a.txt": b"hello"}), "数据.xlsx"), "not_xlsx.zip")


def t_too_large_expanded(tmp, s, r):
    return first(_upload(_zip({"xl/workbook.xml": b"<w/>", "xl/big.xml": b" " * (41 * 2**20)}),
                         "数据.xlsx"), "too_large.expanded")


def t_too_large(tmp, s, r):
    return first(_upload(b"a" * (2 * 2**20 + 10), "数据.csv"), "too_large")


def t_bad_extension(tmp, s, r):
    return first(_upload(b"a,b\n1,2\n", "数据.txt"), "bad_extension")


def t_bad_extension_none(tmp, s, r):
    return first(_upload(b"a,b\n1,2\n", "数据"), "bad_extension.none")


def t_empty(tmp, s, r):
    return first(_upload(b"  \n", "数据.csv"), "empty")


def t_unreadable(tmp, s, r):
    class BrokenResolver(UnitResolver):  # e.g. a damaged admin_units table
        def resolve_column(self, *a, **kw):
            raise ConfigError("config/admin_units.csv: row 7 has no code")

    return first(_upload(frame(["杭州市"]).to_csv(index=False).encode(), "数据.csv",
                         resolver=BrokenResolver(r.units, r.changes)), "unreadable")


def read_error(path: Path, s, **kw) -> Problem:
    with pytest.raises(CityrankError) as exc:
        ingest(path, s, **kw)
    return Problem.from_error(path.name, exc.value)


def t_unreadable_not_found(tmp, s, r):
    return read_error(tmp / "没有这个文件.csv", s)


def t_unreadable_xls(tmp, s, r):
    p = tmp / "旧表.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    return read_error(p, s)


def t_unreadable_encoding(tmp, s, r):
    p = tmp / "乱码.csv"
    p.write_bytes(bytes(range(128, 256)) * 3)
    return read_error(p, s)


def t_unreadable_decode(tmp, s, r):
    return read_error(write(tmp, frame(["杭州市"]), encoding="gbk"), s, encoding="utf-8")


def t_unreadable_empty_file(tmp, s, r):
    p = tmp / "空.csv"
    p.write_text("\n\n", encoding="utf-8")
    return read_error(p, s)


def t_unreadable_csv_at(tmp, s, r):
    p = tmp / "引号.csv"  # a quote never closed would swallow every row after it
    p.write_text("城市,智能感知,智慧管理,惠民服务,网络空间,主体协同\n杭州市,5,10,15,5,10\n"
                 '宁波市,"5,10,15,5,10\n温州市,5,10,15,5,10\n', encoding="utf-8")
    return read_error(p, s)


def t_unreadable_binary(tmp, s, r):
    p = tmp / "二进制.csv"
    p.write_bytes(b"code,name\n\x00\x01\x02")
    return read_error(p, s)


def _xlsx(tmp: Path, name="表.xlsx", sheets=("数据",), patch: dict | None = None,
          drop=()) -> Path:
    """A real workbook (openpyxl) with parts replaced (``patch``: part -> function of its
    text) or removed (``drop``): the malformed files people and attackers send."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = sheets[0]
    for extra in sheets[1:]:
        wb.create_sheet(extra)
    for ws in wb.worksheets:
        for row in [["城市", *L1.values()], ["杭州市", 5, 10, 15, 5, 10]]:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    p = tmp / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename in drop:
                continue
            data = src.read(info)
            if patch and info.filename in patch:
                data = patch[info.filename](data.decode("utf-8")).encode("utf-8")
            zf.writestr(info.filename, data)
    return p


SHEET1 = "xl/worksheets/sheet1.xml"


def t_unreadable_not_workbook(tmp, s, r):
    p = tmp / "压缩包.xlsx"
    p.write_bytes(_zip({"a.txt": b"hello"}))
    return read_error(p, s)


def t_unreadable_xlsx_dtd(tmp, s, r):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    p = _xlsx(tmp, patch={SHEET1: lambda x: laughs + x.split("?>", 1)[-1]})
    return read_error(p, s)


def t_unreadable_xlsx_part(tmp, s, r):
    return read_error(_xlsx(tmp, patch={"xl/styles.xml": lambda x: "not xml at all"}), s)


def t_unreadable_sheet_xml(tmp, s, r):
    return read_error(_xlsx(tmp, patch={SHEET1: lambda x: x[: x.index("</row>") + 30]}), s)


def t_unreadable_only_hidden(tmp, s, r):
    return read_error(_xlsx(tmp, patch={"xl/workbook.xml": lambda x: x.replace(
        'state="visible"', 'state="hidden"')}), s)


def t_unreadable_no_worksheet(tmp, s, r):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.create_chartsheet("图表")
    p = tmp / "只有图表.xlsx"
    wb.save(p)
    return read_error(p, s)


def t_unreadable_chartsheet(tmp, s, r):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["城市", *L1.values()])
    wb.create_chartsheet("图表")
    p = tmp / "图表.xlsx"
    wb.save(p)
    return read_error(p, s, sheet="图表")


def t_unreadable_cell(tmp, s, r):  # a shared-string index beyond the table
    return read_error(_xlsx(tmp, patch={SHEET1: lambda x: re.sub(
        r'<c r="A2" t="inlineStr">.*?</c>', '<c r="A2" t="s"><v>99999</v></c>', x)}), s)


def t_unreadable_missing_part(tmp, s, r):
    return read_error(_xlsx(tmp, drop={SHEET1}), s)


def _limit(tmp, s, **limits) -> Problem:
    from cityrank.scoring.limits import ReadLimits

    rows = [["5", "10", "15", "5", "10"]] * 300
    codes = load_units()["code"].tolist()[:300]
    return read_error(write(tmp, frame(codes, rows)), s, limits=ReadLimits(**limits))


def t_limit_file_mb(tmp, s, r):
    return _limit(tmp, s, file_mb=0.001)


def t_limit_expanded_mb(tmp, s, r):
    from cityrank.scoring.limits import ReadLimits

    return read_error(_xlsx(tmp), s, limits=ReadLimits(expanded_mb=0.001))


def t_limit_rows(tmp, s, r):
    return _limit(tmp, s, rows=100)


def t_limit_columns(tmp, s, r):
    return _limit(tmp, s, columns=3)


def t_limit_declared_rows(tmp, s, r):
    from cityrank.scoring.limits import ReadLimits

    p = _xlsx(tmp, patch={SHEET1: lambda x: re.sub(r'<dimension ref="[^"]*"',
                                                   '<dimension ref="A1:F1048576"', x)})
    return read_error(p, s, limits=ReadLimits())


def t_limit_declared_columns(tmp, s, r):
    from cityrank.scoring.limits import ReadLimits

    p = _xlsx(tmp, patch={SHEET1: lambda x: re.sub(r'<dimension ref="[^"]*"',
                                                   '<dimension ref="A1:XFD2"', x)})
    return read_error(p, s, limits=ReadLimits())


def t_limit_cells(tmp, s, r):
    return _limit(tmp, s, cells=500)


def t_limit_cell_chars(tmp, s, r):
    return _limit(tmp, s, cell_chars=5)


def t_limit_memory_mb(tmp, s, r):
    return _limit(tmp, s, memory_mb=0.01)


def t_limit_seconds(tmp, s, r):
    return _limit(tmp, s, seconds=1e-9)


def t_formula_no_value(tmp, s, r):
    import openpyxl

    wb = openpyxl.Workbook()  # openpyxl saves formulas without a computed value, as Excel
    wb.active.append(["城市", *L1.values()])  # does with "manual calculation" switched on
    wb.active.append(["杭州市", 5, "=4+6", 15, 5, 10])
    p = tmp / "公式.xlsx"
    wb.save(p)
    return first(problems(p, s), "formula_no_value")


def _one(cell: str, column: str = "智慧管理", **kw):
    def trigger(tmp, s, r):
        df = frame(["杭州市", "宁波市"], [["5", "10", "15", "5", "10"],
                                        ["5", "10", "15", "5", "10"]])
        df.loc[1, column] = cell
        return first(problems(write(tmp, df), s, **kw), trigger.kind)
    return trigger


t_non_finite = _one("INF")
t_decimal_comma = _one("10,5")
t_decimal_point = _one("10.5", decimal=",")
t_ambiguous_number = _one("1,234")
t_percent_unit = _one("50%")
for _kind, _fn in (("non_finite", t_non_finite), ("decimal_comma", t_decimal_comma),
                   ("decimal_point", t_decimal_point), ("ambiguous_number", t_ambiguous_number),
                   ("percent_unit", t_percent_unit)):
    _fn.kind = _kind


def t_shifted_row(tmp, s, r):
    p = tmp / "多一列.csv"  # an unquoted comma in the first data row's name
    p.write_text("城市,智能感知,智慧管理,惠民服务,网络空间,主体协同\n杭州,市,5,10,15,5,10\n"
                 "宁波市,5,10,15,5,10\n", encoding="utf-8")
    return first(problems(p, s), "shifted_row")


def t_no_rows(tmp, s, r):
    return first(problems(write(tmp, frame([]).iloc[:0]), s), "no_rows")


def t_no_rows_no_values(tmp, s, r):
    return first(problems(write(tmp, frame(["杭州市", "宁波市"], [[""] * 5] * 2)), s),
                 "no_rows.no_values")


def t_not_evaluated(tmp, s, r):
    flat = parse_flat_system()
    df = pd.DataFrame({"城市": ["杭州市", "宁波市", "温州市"], "a": ["1", "", ""]})
    return first(warnings(write(tmp, df), flat), "not_evaluated")


def t_not_evaluated_universe(tmp, s, r):
    rows = [["5", "10", "15", "5", "10"]] + [[""] * 5] * 2
    return first(warnings(write(tmp, frame(["杭州市", "宁波市", "温州市"], rows)), s),
                 "not_evaluated.universe")


def parse_flat_system():
    from cityrank.scoring.system import parse_system

    return parse_system({"id": "flat", "name": "平", "total_max": 10, "indicators": [
        {"id": "a", "name": "甲", "max": 10}]})


def t_unknown_unit_split(tmp, s, r):
    return first(problems(write(tmp, frame(["杭州市", "巢湖市"])), s), "unknown_unit.split")


def t_later_unit(tmp, s, r):
    return first(warnings(write(tmp, frame(["杭州市", "那曲市"])), s, year=2017), "later_unit")


def t_vintage_list(tmp, s, r):
    return first(warnings(write(tmp, frame(["杭州市", "莱芜市"])), s, year=2017), "vintage_list")


def t_unreadable_xlsx(tmp, s, r):
    p = tmp / "坏.xlsx"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    return read_error(p, s)


def t_unreadable_no_sheet(tmp, s, r):
    return first(_upload(_xlsx_bytes(), "数据.xlsx", sheet="不存在的表"), "unreadable.no_sheet")


def t_unreadable_empty_sheet(tmp, s, r):
    import openpyxl

    p = tmp / "空表.xlsx"
    openpyxl.Workbook().save(p)
    return read_error(p, s)


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    frame(["杭州市"]).to_excel(buf, index=False)
    return buf.getvalue()


def t_more_problems(tmp, s, r):
    codes = load_units()["code"].tolist()[:120]  # 120 rows x 5 cells, 2 problems each
    df = frame(codes, [["x", "x", "x", "x", "x"]] * len(codes))
    return first(_upload(df.to_csv(index=False).encode("gbk"), "数据.csv"), "more_problems")


_BY_FN = {c.replace(".", "_"): c for c in CATALOGUE}  # t_not_xlsx_zip -> not_xlsx.zip
TRIGGERS: dict[str, Callable] = {_BY_FN.get(n[2:], n[2:]): fn for n, fn in list(globals().items())
                                 if n.startswith("t_") and callable(fn)}


def test_every_catalogue_kind_has_a_trigger():
    assert set(TRIGGERS) == set(CATALOGUE)


def numbers(text: str) -> set[str]:
    return set(_NUM.findall(text))


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_kind_from_real_input_renders_in_both_languages(kind, tmp_path, system, resolver):
    item = TRIGGERS[kind](tmp_path, system, resolver)
    assert _key(item) == kind
    if isinstance(item, Problem):
        en, zh = item.located("en"), item.located("zh")
        assert en == str(item) and item.render("en") == item.message
        assert item.to_dict()["message_zh"] == item.message_zh == item.render("zh")
    else:
        assert isinstance(item, Notice) and isinstance(item, str)
        en, zh = item.render("en"), item.render("zh")
        assert en == str(item) and item.to_dict()["message_zh"] == zh
    assert zh != en or kind in ("system_note",)
    assert numbers(en) == numbers(zh), (en, zh)
    assert T2S.convert(zh) == zh, zh  # simplified Chinese
    if kind != "system_note":
        assert re.search(r"[\u4e00-\u9fff]", zh), zh
    if getattr(item, "row", None) is not None:  # row and column named exactly in both
        assert f"row {item.row}" in en and f"第 {item.row} 行" in zh
        if item.column is not None:
            assert f"column {item.column!r}" in en and f"「{item.column}」列" in zh


def test_reference_renderings():
    """Exact lines for the cases people meet most, in both languages."""
    p = Problem.make("城市.csv", 6, "惠民服务", "non_numeric", {"value": "abc"})
    assert str(p) == "城市.csv, row 6, column '惠民服务': 'abc' is not a number"
    assert p.located("zh") == "城市.csv，第 6 行，「惠民服务」列：「abc」不是数字"
    o = Problem.make("f", 3, "c", "out_of_range", {"value": 20.5, "lo": 0.0, "hi": 20.0,
                                                   "indicator": "collaboration", "name": "主体协同"})
    assert o.message == "20.5 is outside [0, 20] for 'collaboration' (主体协同)"
    assert o.message_zh == "20.5 超出指标 collaboration（主体协同）的取值范围 [0, 20]"


def test_laiwu_gbk_traditional_in_both_languages(system):
    res = ingest(DATA / "gbk_traditional.csv", system)
    laiwu = first(res.warnings, "admin_change")
    assert laiwu.params["new_code"] == "370100" and laiwu.row == 5
    zh = laiwu.message_zh
    assert "第 5 行" in zh and "济南市（370100）" in zh and "莱芜市（371200）" in zh and "已撤销并入" in zh
    assert "row 5" in laiwu and "mapped to today's 济南市 (370100)" in laiwu
    enc = first(res.warnings, "encoding_detected")
    assert enc.params == {"encoding": "gbk"} and "检测到文本编码为 gbk" in enc.message_zh


def test_templates_are_simplified_and_complete():
    for kind, t in CATALOGUE.items():
        assert set(t) == {"zh", "en"}, kind
        assert T2S.convert(t["zh"]) == t["zh"], kind


def test_problem_built_by_hand_falls_back_to_english():
    p = Problem("f.csv", 2, "x", "non_numeric", "custom text")
    assert p.message_zh == "custom text" and p.located("zh") == "f.csv，第 2 行，「x」列：custom text"
    assert render("empty", {}, "zh") == "文件为空"


def _raised_kinds() -> set[str]:
    """String kinds passed to the message builders anywhere in scoring/ and the upload service."""
    files = [*sorted((ROOT / "cityrank" / "scoring").glob("*.py")), ROOT / "cityrank" / "service" / "uploads.py"]
    builders = {"make", "_file_problem", "_unknown", "_error"}
    kinds: set[str] = set()
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            args = list(node.args)
            if name in builders:
                kind_pos = 3 if name == "make" and isinstance(fn.value, ast.Name) and \
                    fn.value.id == "Problem" else (1 if name in ("_file_problem", "_error") else 0)
                if len(args) > kind_pos and isinstance(args[kind_pos], ast.Constant):
                    kinds.add(args[kind_pos].value)
                for kw in node.keywords:
                    if kw.arg == "msg" and isinstance(kw.value, ast.Constant) and kw.value.value:
                        kinds.add(kw.value.value)
            if name == "Notice" and len(args) > 1 and isinstance(args[1], ast.Constant):
                kinds.add(args[1].value)
            if f.name == "ingest.py" and name == "append" and args and \
                    isinstance(args[0], ast.Tuple) and isinstance(args[0].elts[0], ast.Constant):
                # coverage warnings: (kind, params)
                kinds.add(args[0].elts[0].value)
    kinds.discard("text")
    return kinds


def test_every_kind_raised_in_scoring_has_both_templates():
    raised = _raised_kinds()
    assert len(raised) > 30
    missing = sorted(k for k in raised if k not in CATALOGUE)
    assert missing == []
    # and no problem in scoring/ is built with a hand-written English message any more
    src = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cityrank" / "scoring").glob("*.py"))
    assert len(re.findall(r"\bProblem\(", src)) == 1  # units: the resolver error carries params


def test_notice_survives_copy_pickle_and_json():
    """pandas deep-copies ``attrs`` (where scores keep their warnings); caches may pickle."""
    import copy
    import json
    import pickle

    n = Notice.make("missing_filled", {"n": 2, "policy": "mean", "policy_zh": "全国均值"},
                    file="a.csv")
    for m in (copy.deepcopy(n), pickle.loads(pickle.dumps(n)), copy.copy(n)):
        assert m == n and m.kind == n.kind and m.params == n.params
        assert m.render("zh") == "a.csv：已按缺失值处理方式 mean（全国均值）填补 2 个缺失值"
    assert json.loads(json.dumps([n])) == ["a.csv: 2 missing value(s) filled by policy 'mean'"]
    df = pd.DataFrame({"x": [1.0]})
    df.attrs["warnings"] = [n]
    assert df.copy().attrs["warnings"][0].message_zh == n.message_zh
