#!/usr/bin/env python
"""The hostile and malformed input corpus: every file a user or an attacker has sent us, with
the outcome each must have through the CLI and through the web upload.

Small files are committed in ``tests/corpus/files/`` (``python tests/corpus/make_corpus.py``
rewrites them; ``tests/corpus/test_corpus.py`` checks they are what this script makes). Big
ones (a 2.5 MB CSV of 120,000 rows, a 200 MB zip bomb, a sheet with 1,500 columns) are made
by the same script into a temporary directory when the tests run (``--big DIR``).

``EXPECTED[name] = (cli, web)``: ``"ok"`` (scored) or the catalogue key of the problem that
refuses the file (``cityrank/i18n/messages.yaml``); the web upload checks some things first
(extension, size, what the bytes are), so its key can differ. Every file is built from
today's city list and the 2017 system (ndrc-2017: 21 evaluation points in points).

Usage: python tests/corpus/make_corpus.py [--out tests/corpus/files] [--big DIR]
"""

from __future__ import annotations

import argparse
import codecs
import io
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

FIXED_TIME = (2017, 1, 1, 0, 0, 0)
SHEET1 = "xl/worksheets/sheet1.xml"
N_OK = 30  # cities in the files that score


# --- the table every file starts from ---------------------------------------------------------
def _system():
    from cityrank.scoring.system import load_system

    return load_system("ndrc-2017")


def _cities(n: int | None = N_OK):
    from cityrank.scoring.units import prefecture_cities

    c = prefecture_cities()
    return c if n is None else c.iloc[:n]


def rows(n: int | None = N_OK, *, key: str = "code") -> list[list[str]]:
    """Header and ``n`` valid rows (each point at half its maximum, varied by city)."""
    s = _system()
    header = ["code" if key == "code" else "城市", "name", *s.leaves]
    out = [header]
    for i, r in enumerate(_cities(n).itertuples(index=False)):
        vals = [f"{float(s.nodes[leaf].max_points) * (0.3 + 0.6 * ((i * 7 + j) % 10) / 10):.2f}"
                for j, leaf in enumerate(s.leaves)]
        out.append([r.code if key == "code" else r.name, r.name, *vals])
    return out


def csv_text(table: list[list[str]], sep: str = ",", newline: str = "\n") -> str:
    import csv

    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=newline).writerows(table)
    return buf.getvalue()


def csv_bytes(table=None, encoding: str = "utf-8", **kw) -> bytes:
    return csv_text(table if table is not None else rows(), **kw).encode(encoding)


def with_cell(row: int, col: int, value: str, table=None) -> list[list[str]]:
    """The valid table with one cell replaced (row 1 = first data row, col 0 = the key)."""
    t = [list(r) for r in (table if table is not None else rows())]
    t[row][col] = value
    return t


# --- workbooks ----------------------------------------------------------------------------------
def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def workbook(table=None, *, sheets: dict[str, list] | None = None, formulas: dict | None = None,
             chart_only: bool = False) -> dict[str, bytes]:
    """The parts of a real workbook (openpyxl) holding ``table`` (or ``sheets``)."""
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = dt.datetime(2017, 1, 1)
    if chart_only:
        wb.remove(wb.active)
        wb.create_chartsheet("图表")
    else:
        sheets = sheets or {"数据": table if table is not None else rows()}
        first = True
        for name, t in sheets.items():
            ws = wb.active if first else wb.create_sheet(name)
            ws.title, first = name, False
            for r in t:
                ws.append([_number(v) for v in r])
        for ref, f in (formulas or {}).items():
            wb.worksheets[0][ref] = f
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    parts = {i.filename: src.read(i) for i in src.infolist()}
    core = "docProps/core.xml"
    if core in parts:  # openpyxl stamps "modified" with the time of saving
        parts[core] = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", parts[core])
    return parts


def _traditional(text: str) -> str:
    from opencc import OpenCC

    return OpenCC("s2t").convert(text)


def _number(v):
    try:
        return float(v) if re.fullmatch(r"-?\d+\.\d+", str(v)) else v
    except ValueError:
        return v


def xlsx(table=None, *, patch: dict[str, Callable[[str], str]] | None = None, drop=(),
         add: dict[str, bytes] | None = None, **kw) -> bytes:
    """A workbook of ``table`` (:func:`workbook`) as bytes, with parts rewritten (``patch``),
    removed (``drop``) or added (``add``)."""
    parts = workbook(table, **kw)
    for name, fn in (patch or {}).items():
        parts[name] = fn(parts[name].decode("utf-8")).encode("utf-8")
    for name in drop:
        parts.pop(name, None)
    parts.update(add or {})
    return _zip(parts)


def _sub(pattern: str, repl: str, count: int = 0) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, repl, text, count=count, flags=re.S)


def _dimension(ref: str) -> Callable[[str], str]:
    def fn(text: str) -> str:
        if "<dimension" in text:
            return re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', text)
        return text.replace("<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>', 1)
    return fn


def _append_row(xml: str) -> Callable[[str], str]:
    return lambda text: text.replace("</sheetData>", xml + "</sheetData>")


LAUGHS = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10)) + "]>")
XXE = ('<?xml version="1.0" encoding="UTF-8"?>\n'
       '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


def _prolog(prolog: str, entity: str | None = None) -> Callable[[str], str]:
    def fn(text: str) -> str:
        body = text.split("?>", 1)[-1] if text.startswith("<?xml") else text
        if entity:
            body = re.sub(r'<c r="A2" t="inlineStr"><is><t>[^<]*</t></is></c>',
                          f'<c r="A2" t="inlineStr"><is><t>&{entity};</t></is></c>', body, count=1)
        return prolog + body
    return fn


def _cell(ref: str, xml: str) -> Callable[[str], str]:
    return _sub(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, 1)


# --- the corpus ---------------------------------------------------------------------------------
def small() -> dict[str, Callable[[], bytes]]:
    """Committed files: name -> builder."""
    demo_293 = lambda: rows(None)  # noqa: E731
    laiwu = lambda: [r if r[0] != "370100" else ["371200", "莱芜市", *r[2:]] for r in rows(140)]  # noqa: E731
    blank = [r if i < 21 else r[:2] + [""] * (len(r) - 2) for i, r in enumerate(rows(60))]
    b: dict[str, Callable[[], bytes]] = {
        # --- CSV that scores ------------------------------------------------------------------
        "ok_utf8.csv": lambda: csv_bytes(),
        "ok_utf8_bom.csv": lambda: csv_bytes(encoding="utf-8-sig"),
        "ok_gbk.csv": lambda: csv_bytes(encoding="gbk"),
        "ok_gb18030_names.csv": lambda: csv_bytes(rows(key="name"), encoding="gb18030"),
        "ok_utf16le_bom.csv": lambda: csv_bytes(encoding="utf-16"),
        "ok_utf16be_bom.csv": lambda: codecs.BOM_UTF16_BE + csv_bytes(encoding="utf-16-be"),
        "ok_crlf.csv": lambda: csv_bytes(newline="\r\n"),
        "ok_cr_only.csv": lambda: csv_bytes(newline="\r"),
        "ok_blank_lines.csv": lambda: csv_text(rows()).replace("\n", "\n\n", 5).encode(),
        "ok_trailing_commas.csv": lambda: "\n".join(line + ",," for line in csv_text(rows()).splitlines()).encode(),
        "ok_quoted_everything.csv": lambda: "\n".join(",".join(f'"{c}"' for c in r) for r in rows()).encode(),
        "ok_fullwidth_digits.csv": lambda: csv_bytes(with_cell(3, 4, "１．５")),
        "ok_traditional_names.csv": lambda: _traditional(csv_text(rows(key="name"))).encode(),
        "ok_template_blank_rows.csv": lambda: csv_bytes(blank),
        "ok_laiwu_without_jinan.csv": lambda: csv_bytes(laiwu()),
        "semicolon_decimal_comma.csv": lambda: csv_bytes(
            [[c.replace(".", ",") if j > 1 else c for j, c in enumerate(r)] for r in rows()], sep=";"),
        # --- CSV refused --------------------------------------------------------------------------
        "header_only.csv": lambda: csv_bytes(rows()[:1]),
        "empty.csv": lambda: b"",
        "whitespace_only.csv": lambda: b"  \n\t\n",
        "bom_only.csv": lambda: codecs.BOM_UTF8,
        "binary_nul.csv": lambda: b"code,name\n\x00\x01\x02\x03",
        "zip_named_csv.csv": lambda: _zip({"a.txt": b"hello"}),
        "pdf_named_csv.csv": lambda: b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "utf16_without_bom.csv": lambda: csv_bytes(encoding="utf-16-le"),
        "undecodable.csv": lambda: bytes(range(128, 256)) * 3,
        "decimal_comma.csv": lambda: csv_bytes(with_cell(2, 3, "1,5")),
        "ambiguous_thousands.csv": lambda: csv_bytes(with_cell(2, 3, "1,234")),
        "percent.csv": lambda: csv_bytes(with_cell(2, 3, "50%")),
        "inf.csv": lambda: csv_bytes(with_cell(2, 3, "INF")),
        "huge_exponent.csv": lambda: csv_bytes(with_cell(2, 3, "1e999")),
        "nan_word.csv": lambda: csv_bytes(with_cell(2, 3, "NaN")),
        "shifted_first_row.csv": lambda: csv_text(rows()).replace("\n", "\n杭州,", 1).encode(),
        "unclosed_quote.csv": lambda: csv_text(rows()).replace("\n", '\n"', 3).encode(),
        "duplicate_city.csv": lambda: csv_bytes(rows() + [rows()[1]]),
        "unknown_city.csv": lambda: csv_bytes(with_cell(2, 0, "不存在市")),
        "chaohu_today.csv": lambda: csv_bytes(with_cell(2, 0, "341400")),
        "out_of_range.csv": lambda: csv_bytes(with_cell(2, 3, "99")),
        "negative.csv": lambda: csv_bytes(with_cell(2, 3, "-1")),
        "formula_names.csv": lambda: csv_bytes(with_cell(2, 0, '=HYPERLINK("http://evil.example","点击")')),
        "xss_names.csv": lambda: csv_bytes(with_cell(2, 0, "<script>alert(1)</script>")),
        "control_chars.csv": lambda: csv_bytes(with_cell(2, 0, "杭州\x07\x1b[31m")),
        "bidi_override.csv": lambda: csv_bytes(with_cell(2, 0, "\u202e市州杭")),
        "missing_column.csv": lambda: csv_bytes([r[:-1] for r in rows()]),
        "no_key_column.csv": lambda: csv_bytes([["备注二", "备注三", *r[2:]] if i == 0 else r
                                                for i, r in enumerate(rows())]),
        "duplicate_columns.csv": lambda: csv_bytes([r + [r[2]] for r in rows()]),
        "all_blank_values.csv": lambda: csv_bytes([r if i == 0 else r[:2] + [""] * (len(r) - 2) for i, r in enumerate(rows())]),
        "legacy.xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        # --- XLSX that scores ---------------------------------------------------------------
        "ok_basic.xlsx": lambda: xlsx(),
        "ok_hidden_first_sheet.xlsx": lambda: xlsx(sheets={"草稿": [["无关", "x"], ["甲", "乙"]], "数据": rows()},
                                                    patch={"xl/workbook.xml": _sub(r'state="visible"', 'state="hidden"', 1)}),
        "ok_very_hidden_first_sheet.xlsx": lambda: xlsx(sheets={"草稿": [["无关", "x"]], "数据": rows()},
                                                         patch={"xl/workbook.xml": _sub(r'state="visible"', 'state="veryHidden"', 1)}),
        "ok_dimension_smaller_than_data.xlsx": lambda: xlsx(demo_293(), patch={SHEET1: _dimension("A1:Y250")}),
        "ok_dimension_narrower_than_data.xlsx": lambda: xlsx(patch={SHEET1: _dimension("A1:C31")}),
        "ok_no_dimension.xlsx": lambda: xlsx(patch={SHEET1: _sub(r"<dimension[^>]*/>", "")}),
        # --- XLSX refused ---------------------------------------------------------------------
        "dimension_bomb.xlsx": lambda: xlsx(patch={SHEET1: lambda t: _append_row(
            '<row r="200000"><c r="A200000" t="inlineStr"><is><t>x</t></is></c></row>')(
            _dimension("A1:XFD1048576")(t))}),
        "row_number_bomb.xlsx": lambda: xlsx(patch={SHEET1: lambda t: _append_row(
            '<row r="200000"><c r="A200000" t="inlineStr"><is><t>x</t></is></c></row>')(
            _sub(r"<dimension[^>]*/>", "")(t))}),
        "column_bomb.xlsx": lambda: xlsx(patch={SHEET1: lambda t: _append_row(
            '<row r="40"><c r="XFD40" t="inlineStr"><is><t>x</t></is></c></row>')(
            _sub(r"<dimension[^>]*/>", "")(t))}),
        "billion_laughs.xlsx": lambda: xlsx(patch={SHEET1: _prolog(LAUGHS, "lol9")}),
        "xxe.xlsx": lambda: xlsx(patch={SHEET1: _prolog(XXE, "xxe")}),
        "xxe_in_shared_strings.xlsx": lambda: xlsx(add={"xl/sharedStrings.xml": (
            XXE + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1">'
            '<si><t>&xxe;</t></si></sst>').encode()}),
        "truncated_sheet.xlsx": lambda: xlsx(patch={SHEET1: lambda t: t[: t.index("</row>") + 40]}),
        "missing_sheet_part.xlsx": lambda: xlsx(drop={SHEET1}),
        "chartsheet_only.xlsx": lambda: xlsx(chart_only=True),
        "all_sheets_hidden.xlsx": lambda: xlsx(patch={"xl/workbook.xml": _sub(r'state="visible"', 'state="hidden"')}),
        "inf_number_cell.xlsx": lambda: xlsx(patch={SHEET1: _cell("D3", '<c r="D3" t="n"><v>INF</v></c>')}),
        "text_in_number_cell.xlsx": lambda: xlsx(patch={SHEET1: _cell("D3", '<c r="D3" t="n"><v>abc</v></c>')}),
        "error_cell.xlsx": lambda: xlsx(patch={SHEET1: _cell("D3", '<c r="D3" t="e"><v>#DIV/0!</v></c>')}),
        "bad_shared_string.xlsx": lambda: xlsx(patch={SHEET1: _cell("A3", '<c r="A3" t="s"><v>99999</v></c>')}),
        "formula_no_cached_value.xlsx": lambda: xlsx(formulas={"D3": "=1+1"}),
        "not_a_zip.xlsx": lambda: csv_bytes(),
        "zip_without_workbook.xlsx": lambda: _zip({"a.txt": b"hello"}),
        "corrupt_zip.xlsx": lambda: b"PK\x03\x04" + b"\x00" * 200,
        "styles_not_xml.xlsx": lambda: xlsx(patch={"xl/styles.xml": lambda t: "not xml at all"}),
    }
    return b


def big() -> dict[str, Callable[[], bytes]]:
    """Generated when the tests run (too big to commit): name -> builder."""
    many = rows(None)
    return {
        "big_rows.csv": lambda: csv_bytes([many[0]] + [many[1 + i % 293] for i in range(120_000)]),
        "big_columns.csv": lambda: csv_bytes([r + [f"x{j}" if i == 0 else "1" for j in range(1500)]
                                              for i, r in enumerate(rows())]),
        "zip_bomb.xlsx": lambda: xlsx(add={"xl/media/padding.bin": b"\x00" * (200 * 2**20)}),
        "huge_cell.csv": lambda: csv_bytes(with_cell(2, 1, "长" * 40000)),
        "big_duplicates.csv": lambda: csv_bytes([many[0]] + [many[1 + i % 293] for i in range(15_000)]),
    }


# name -> (CLI outcome, web outcome): "ok" or the catalogue key of the refusing problem.
EXPECTED: dict[str, tuple[str, str]] = {
    **{n: ("ok", "ok") for n in (
        "ok_utf8.csv", "ok_utf8_bom.csv", "ok_gbk.csv", "ok_gb18030_names.csv", "ok_utf16le_bom.csv",
        "ok_utf16be_bom.csv", "ok_crlf.csv", "ok_cr_only.csv", "ok_blank_lines.csv",
        "ok_trailing_commas.csv", "ok_quoted_everything.csv", "ok_fullwidth_digits.csv",
        "ok_traditional_names.csv", "ok_template_blank_rows.csv", "ok_laiwu_without_jinan.csv",
        "ok_basic.xlsx", "ok_hidden_first_sheet.xlsx", "ok_very_hidden_first_sheet.xlsx",
        "ok_dimension_smaller_than_data.xlsx", "ok_dimension_narrower_than_data.xlsx",
        "ok_no_dimension.xlsx")},
    # a ;-separated file with decimal commas: refused unless declared (the CLI's --decimal ,)
    "semicolon_decimal_comma.csv": ("decimal_comma", "decimal_comma"),
    "header_only.csv": ("no_rows", "no_rows"),
    "empty.csv": ("unreadable.empty_file", "empty"),
    "whitespace_only.csv": ("unreadable.empty_file", "empty"),
    "bom_only.csv": ("unreadable.empty_file", "unreadable.empty_file"),
    "binary_nul.csv": ("unreadable.binary", "not_csv.binary"),
    "zip_named_csv.csv": ("unreadable.binary", "not_csv"),
    "pdf_named_csv.csv": ("missing_key.no_column", "not_csv"),
    "utf16_without_bom.csv": ("unreadable.binary", "not_csv.binary"),
    "undecodable.csv": ("unreadable.encoding", "unreadable.encoding"),
    "decimal_comma.csv": ("decimal_comma", "decimal_comma"),
    "ambiguous_thousands.csv": ("ambiguous_number", "ambiguous_number"),
    "percent.csv": ("percent_unit", "percent_unit"),
    "inf.csv": ("non_finite", "non_finite"),
    "huge_exponent.csv": ("non_finite", "non_finite"),
    "nan_word.csv": ("missing_value", "missing_value"),
    "shifted_first_row.csv": ("shifted_row", "shifted_row"),
    "unclosed_quote.csv": ("unreadable.csv_at", "unreadable.csv_at"),
    "duplicate_city.csv": ("duplicate_unit", "duplicate_unit"),
    "unknown_city.csv": ("unknown_unit", "unknown_unit"),
    "chaohu_today.csv": ("unknown_unit.split", "unknown_unit.split"),
    "out_of_range.csv": ("out_of_range", "out_of_range"),
    "negative.csv": ("out_of_range", "out_of_range"),
    "formula_names.csv": ("unknown_unit", "unknown_unit"),
    "xss_names.csv": ("unknown_unit", "unknown_unit"),
    "control_chars.csv": ("unknown_unit", "unknown_unit"),
    "bidi_override.csv": ("unknown_unit", "unknown_unit"),
    "missing_column.csv": ("missing_column", "missing_column"),
    "no_key_column.csv": ("missing_key.no_column", "missing_key.no_column"),
    "duplicate_columns.csv": ("duplicate_column", "duplicate_column"),
    "huge_cell.csv": ("limit.cell_chars", "limit.cell_chars"),
    "all_blank_values.csv": ("no_rows.no_values", "no_rows.no_values"),
    "legacy.xls": ("unreadable.xls", "bad_extension"),
    "dimension_bomb.xlsx": ("limit.declared_rows", "limit.declared_rows"),
    "row_number_bomb.xlsx": ("limit.rows", "limit.rows"),
    "column_bomb.xlsx": ("limit.columns", "limit.columns"),
    "billion_laughs.xlsx": ("unreadable.xlsx_dtd", "unreadable.xlsx_dtd"),
    "xxe.xlsx": ("unreadable.xlsx_dtd", "unreadable.xlsx_dtd"),
    "xxe_in_shared_strings.xlsx": ("unreadable.xlsx_dtd", "unreadable.xlsx_dtd"),
    "truncated_sheet.xlsx": ("unreadable.sheet_xml", "unreadable.sheet_xml"),
    "missing_sheet_part.xlsx": ("unreadable.missing_part", "unreadable.missing_part"),
    "chartsheet_only.xlsx": ("unreadable.no_worksheet", "unreadable.no_worksheet"),
    "all_sheets_hidden.xlsx": ("unreadable.only_hidden", "unreadable.only_hidden"),
    "inf_number_cell.xlsx": ("non_finite", "non_finite"),
    "text_in_number_cell.xlsx": ("non_numeric", "non_numeric"),
    "error_cell.xlsx": ("non_finite", "non_finite"),
    "bad_shared_string.xlsx": ("unreadable.cell", "unreadable.cell"),
    "formula_no_cached_value.xlsx": ("formula_no_value", "formula_no_value"),
    "not_a_zip.xlsx": ("unreadable.xlsx", "not_xlsx"),
    "zip_without_workbook.xlsx": ("unreadable.not_workbook", "not_xlsx.zip"),
    "corrupt_zip.xlsx": ("unreadable.xlsx", "not_xlsx.unreadable"),
    "styles_not_xml.xlsx": ("unreadable.xlsx_part", "unreadable.xlsx_part"),
    # generated
    "big_rows.csv": ("limit.cells", "too_large"),  # 2.8 million cells: the cells limit comes first
    "big_columns.csv": ("limit.columns", "limit.columns"),
    "zip_bomb.xlsx": ("limit.expanded_mb", "too_large.expanded"),
    "big_duplicates.csv": ("duplicate_unit", "duplicate_unit"),
}


def outcome(path, system) -> str:
    """What ``ingest`` makes of a file: ``"ok"`` or the catalogue key of what refuses it (the
    first error, or the error that stopped the reading)."""
    from cityrank.errors import CityrankError
    from cityrank.scoring.ingest import ingest

    try:
        res = ingest(path, system, raise_errors=False)
    except CityrankError as exc:
        return getattr(exc, "msg", type(exc).__name__)
    return res.errors[0].message_key if res.errors else "ok"


def write(builders: dict[str, Callable[[], bytes]], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in builders.items():
        p = out / name
        p.write_bytes(build())
        written.append(p)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE / "files"), help="where the small files go")
    ap.add_argument("--big", metavar="DIR", help="also write the big files here")
    args = ap.parse_args(argv)
    n = len(write(small(), Path(args.out)))
    print(f"{n} files in {args.out}")
    if args.big:
        print(f"{len(write(big(), Path(args.big)))} big files in {args.big}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
