"""Read the tables people really have: CSV in UTF-8 (with or without BOM), GBK/GB18030 from
Chinese Excel, UTF-16 with its BOM (Excel's "Unicode text"), and XLSX workbooks
(:mod:`scoring.xlsx`). Everything comes back as strings so that ingestion, not pandas' type
guessing, decides what a cell means (and can say which cell is wrong).

Every reader is bounded (:mod:`scoring.limits`) and every failure is a typed error whose
message names the file (and the sheet, row and column when there is one) in both languages;
nothing a file contains can raise anything else.

Rows keep their spreadsheet numbers (``RawTable.rows``; the header is row 1): blank rows are
skipped but never renumber the rows after them, so a problem always points at the right line.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cityrank.errors import CityrankError, DataError, NotFoundError

from .limits import MB, Budget, ReadLimits, current, limit_error
from .messages import render as render_message
from .problems import Problem

# Tried in order when no encoding is given (after a BOM). gb18030 is a superset of GBK.
_CANDIDATES = ("utf-8-sig", "gb18030")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
SEPARATORS = {".tsv": "\t", ".tab": "\t"}


def _error(cls: type[CityrankError], msg: str, **params) -> CityrankError:
    """A reading error that carries its catalogue key and parameters (uploads and the CLI
    show it in Chinese); its text is the English template."""
    exc = cls(render_message(msg, params, "en"))
    exc.msg, exc.params = msg, params  # type: ignore[attr-defined]
    return exc


@dataclass
class RawTable:
    frame: pd.DataFrame  # all cells str ("" when empty)
    file: str
    encoding: str | None
    sheet: str | None
    rows: list[int] | None = None
    """Spreadsheet row of each frame row (header = 1); None means 2, 3, ..."""
    problems: list[Problem] = field(default_factory=list)
    """What the reader found wrong in single rows (a shifted row), already located."""
    formulas: dict[tuple[int, str], str] = field(default_factory=dict)
    """(frame position, column) -> formula of a cell that has no saved value."""


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark declares (UTF-8, UTF-16, UTF-32), or None."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def is_text(data: bytes) -> bool:
    """True when ``data`` is text a CSV may hold: no NUL byte in its start, unless a UTF-16
    or UTF-32 byte-order mark says the NULs are half of each character."""
    enc = bom_encoding(data)
    if enc and enc != "utf-8-sig":
        try:
            data[:65536].decode(enc, errors="strict")
        except UnicodeDecodeError as exc:  # a cut inside the last character is fine
            return exc.start >= min(len(data), 65536) - 4
        return True
    return b"\x00" not in data[:65536]


def detect_encoding(data: bytes, file: str = "") -> str:
    """A byte-order mark first; then strict decoding (UTF-8 is self-validating; GB18030
    decodes most legacy files); charset-normalizer only as a last resort."""
    enc = bom_encoding(data)
    if enc:
        return enc
    for enc in _CANDIDATES:
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            return "utf-8"
        try:
            data.decode("gbk")
            return "gbk"
        except UnicodeDecodeError:
            return "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise _error(DataError, "unreadable.encoding", path=file)
    return best.encoding


def read_table(path: str | Path, *, encoding: str | None = None, sheet: str | int | None = None,
               limits: ReadLimits | None = None) -> RawTable:
    """Read a CSV/TSV or XLSX file into strings. ``sheet`` names an XLSX sheet (default: the
    first visible one; hidden sheets are read only when named)."""
    path = Path(path)
    limits = current(limits)
    if not path.is_file():
        raise _error(NotFoundError, "unreadable.not_found", path=str(path))
    limits.check("file_mb", path.stat().st_size / MB, str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from .xlsx import read_xlsx

        return read_xlsx(path, sheet, limits)
    if suffix == ".xls":
        raise _error(DataError, "unreadable.xls", path=str(path))
    data = path.read_bytes()
    if not is_text(data):
        raise _error(DataError, "unreadable.binary", path=str(path))
    enc = encoding or detect_encoding(data, str(path))
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise _error(DataError, "unreadable.decode", path=str(path), encoding=enc,
                     detail=str(exc)) from None
    del data
    if text.startswith("\ufeff"):
        text = text[1:]
    return _read_csv(text, str(path), enc, SEPARATORS.get(suffix) or separator(text), limits)


def separator(text: str) -> str:
    """``,`` unless the header line has no comma but semicolons (what Excel writes where the
    decimal mark is a comma) or tabs: a rule on the header, never a guess per row."""
    head = text.lstrip("\r\n").split("\n", 1)[0]
    if "," in head:
        return ","
    return ";" if ";" in head else ("\t" if "\t" in head else ",")


def _read_csv(text: str, file: str, enc: str, sep: str, limits: ReadLimits) -> RawTable:
    budget = Budget(limits, file)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header: list[str] | None = None
    body: list[list[str]] = []
    rows: list[int] = []
    problems: list[Problem] = []
    line = 1
    try:
        for record in reader:
            row, line = line, reader.line_num + 1  # a quoted field may span lines
            limits.check("rows", row, file)
            if not any(c.strip() for c in record):
                continue
            limits.check("columns", len(record), file, row=row)
            budget.add(len(record), sum(map(len, record)))
            if max(map(len, record)) > limits.cell_chars:
                raise limit_error("cell_chars", max(map(len, record)), limits.cell_chars, file,
                                  row=row)
            if header is None:
                header = record
                continue
            extra = record[len(header):]
            if any(c.strip() for c in extra):
                problems.append(Problem.make(file, row, None, "shifted_row", {
                    "n": len(record), "header": len(header)}))
                continue
            body.append(record[: len(header)] + [""] * (len(header) - len(record)))
            rows.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise limit_error("cell_chars", limits.cell_chars + 1, limits.cell_chars, file,
                              row=line) from None
        raise _error(DataError, "unreadable.csv_at", path=file, row=line, detail=str(exc)) from None
    if header is None:
        raise _error(DataError, "unreadable.empty_file", path=file)
    budget.check_time()
    frame = _frame(header, body)
    return RawTable(frame, file, enc, None, rows, problems)


def unique_headers(header: list[str]) -> list[str]:
    """Headers as pandas names them: an empty one ``Unnamed: i``, a repeated one ``x.1``."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        name = h if h.strip() else f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def _frame(header: list[str], body: list[list[str]]) -> pd.DataFrame:
    """The table of strings; columns without a header and without any value are dropped."""
    names = unique_headers(header)
    frame = pd.DataFrame(body, columns=names, dtype=str) if body else pd.DataFrame(
        {n: pd.Series(dtype=str) for n in names})
    keep = [c for c, h in zip(names, header, strict=True)
            if h.strip() or frame[c].str.strip().astype(bool).any()]
    return frame.loc[:, keep]


def cell_str(v) -> str:
    """A cell value as text. Codes typed as numbers come back as 330100.0 from some writers:
    keep them integral."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) >= 1e5:
        return str(int(v))
    return str(v)


__all__ = ["RawTable", "read_table", "detect_encoding", "is_text", "bom_encoding", "cell_str",
           "unique_headers"]
