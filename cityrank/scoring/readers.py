"""Read the tables people really have: CSV in UTF-8 (with or without BOM), GBK/GB18030 from
Chinese Excel, and XLSX workbooks. Everything comes back as strings so that ingestion, not
pandas' type guessing, decides what a cell means (and can say which cell is wrong)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cityrank.errors import CityrankError, DataError, NotFoundError

from .messages import render as render_message

# Tried in order when no encoding is given. gb18030 is a superset of GBK and GB2312.
_CANDIDATES = ("utf-8-sig", "gb18030")


def _error(cls: type[CityrankError], msg: str, **params) -> CityrankError:
    """A reading error that carries its catalogue key and parameters (uploads show it in
    Chinese); its text is the English template, as before."""
    exc = cls(render_message(msg, params, "en"))
    exc.msg, exc.params = msg, params  # type: ignore[attr-defined]
    return exc


@dataclass
class RawTable:
    frame: pd.DataFrame  # all cells str ("" when empty)
    file: str
    encoding: str | None
    sheet: str | None


def detect_encoding(data: bytes) -> str:
    """Strict decoding first (UTF-8 is self-validating; GB18030 decodes most legacy files),
    charset-normalizer only as a last resort."""
    for enc in _CANDIDATES:
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            data.decode("gbk")
            return "gbk"
        except UnicodeDecodeError:
            return "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise _error(DataError, "unreadable.encoding")
    return best.encoding


def read_table(path: str | Path, *, encoding: str | None = None,
               sheet: str | int | None = None) -> RawTable:
    """Read a CSV/TSV or XLSX file into strings. ``sheet`` names an XLSX sheet (first if None)."""
    path = Path(path)
    if not path.exists():
        raise _error(NotFoundError, "unreadable.not_found", path=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise _error(DataError, "unreadable.xls", path=str(path))
    data = path.read_bytes()
    enc = encoding or detect_encoding(data)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise _error(DataError, "unreadable.decode", path=str(path), encoding=enc,
                     detail=str(exc)) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    sep = "\t" if suffix in (".tsv", ".tab") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep,
                            skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _error(DataError, "unreadable.csv", path=str(path), detail=str(exc)) from None
    return RawTable(frame, str(path), enc, None)


def _read_xlsx(path: Path, sheet) -> RawTable:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise _error(DataError, "unreadable.xlsx", path=str(path), detail=str(exc)) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise _error(NotFoundError, "unreadable.no_sheet", path=str(path), sheet=sheet,
                         sheets=", ".join(wb.sheetnames))
        rows = [["" if v is None else _cell_str(v) for v in row]
                for row in ws.iter_rows(values_only=True)]
        title = ws.title
    finally:
        wb.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise _error(DataError, "unreadable.empty_sheet", path=str(path), sheet=title)
    header = rows[0]
    width = max(len(r) for r in rows)
    header = [h if h else f"Unnamed: {i}" for i, h in enumerate(header + [""] * (width - len(header)))]
    body = [r + [""] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=str)
    frame = frame.loc[:, [c for c in frame.columns
                          if not (c.startswith("Unnamed: ") and not frame[c].str.strip().any())]]
    return RawTable(frame, str(path), None, title)


def _cell_str(v) -> str:
    """Codes typed as numbers come back as 330100.0 from some writers: keep them integral."""
    if isinstance(v, float) and v.is_integer() and abs(v) >= 1e5:
        return str(int(v))
    return str(v)
