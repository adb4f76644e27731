"""XLSX workbooks, read as a stream of rows within :class:`~scoring.limits.ReadLimits`.

openpyxl's read-only mode trusts a sheet's declared ``<dimension>``: it pads every row to the
declared width and stops at the declared last row. So a 41 KB file declaring
``A1:XFD1048576`` with a row numbered 200000 asks for billions of cells, and a sheet whose
declared ``A1:Y250`` is smaller than its data loses the rows below 250 without a word. Here:

* the zip directory is checked first (the unpacked size of all parts, ``expanded_mb``) and
  every XML part's prolog is parsed by defusedxml, which refuses any DTD, so entity
  expansion (billion laughs) and external entities (XXE) never reach a parser;
* a declared dimension larger than the limits is refused at once, and otherwise ignored:
  rows are read from the sheet's XML as they are, each row's number and width checked
  before its cells are kept (openpyxl's ``WorkSheetParser``, the streaming parser its
  read-only worksheets use, subclassed to check and to keep what it cannot convert);
* hidden and very hidden sheets are read only when named; a chartsheet, a sheet whose part
  is missing, truncated XML and unconvertible cells are typed errors with file, sheet and
  row (and column) in both languages;
* a formula cell without a saved value is reported as such (not as "missing"), and a
  number cell holding ``INF`` or text comes back as its text, for ingestion to report.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from cityrank.errors import CityrankError, DataError, NotFoundError

from .limits import MB, Budget, ReadLimits, limit_error
from .readers import RawTable, _error, _frame, cell_str

_XML_PART = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
_SHEET_STATES = ("visible", "hidden", "veryHidden")


class _NoCachedValue(str):
    """The formula text of a formula cell that has no saved value."""


class _RawText(str):
    """A cell whose stored value openpyxl cannot convert (``INF`` in a number cell)."""


def check_archive(path: Path, limits: ReadLimits) -> None:
    """The zip directory within ``expanded_mb``; no XML part declares a DTD."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    file = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _error(DataError, "unreadable.xlsx", path=file, detail=str(exc)) from None
    with zf:
        infos = zf.infolist()
        limits.check("expanded_mb", sum(i.file_size for i in infos) / MB, file)
        names = {i.filename for i in infos}
        if not any(n.lower().endswith("workbook.xml") for n in names):
            raise _error(DataError, "unreadable.not_workbook", path=file)
        for info in infos:
            if not _XML_PART.search(info.filename):
                continue
            try:
                with zf.open(info) as fh:
                    for _event, _elem in DET.iterparse(fh, events=("start",), forbid_dtd=True):
                        break  # a DTD comes before the root element: the prolog is enough
            except DefusedXmlException:
                raise _error(DataError, "unreadable.xlsx_dtd", path=file, part=info.filename) from None
            except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise _error(DataError, "unreadable.xlsx_part", path=file, part=info.filename,
                             detail=str(exc)) from None


def _declared_sheets(reader) -> list[tuple[str, str, bool]]:
    """(name, state, is_chartsheet) of every sheet the workbook lists, in order (also those
    whose part is missing, which openpyxl skips without a word)."""
    return [(sheet.name, sheet.state or "visible", "chartsheet" in (rel.Type or ""))
            for sheet, rel in reader.parser.find_sheets()]


def _choose(reader, sheet, file: str):
    """The worksheet to read: the named one (hidden ones too), else the first visible one."""
    wb = reader.wb
    declared = _declared_sheets(reader)
    loaded = {ws.title: ws for ws in wb.worksheets}
    names = [n for n, _, _ in declared]
    if sheet is None:
        visible = [(n, chart) for n, state, chart in declared if state == "visible"]
        work = [n for n, chart in visible if not chart]
        if not work:
            hidden = [n for n, state, chart in declared if state != "visible" and not chart]
            if hidden:
                raise _error(DataError, "unreadable.only_hidden", path=file,
                             sheets=", ".join(hidden))
            raise _error(DataError, "unreadable.no_worksheet", path=file,
                         sheets=", ".join(names) or "-")
        name = work[0]
    elif isinstance(sheet, int):
        work = [n for n, _, chart in declared if not chart]
        if not 0 <= sheet < len(work):
            raise _error(NotFoundError, "unreadable.no_sheet", path=file, sheet=str(sheet),
                         sheets=", ".join(names))
        name = work[sheet]
    else:
        if sheet not in names:
            raise _error(NotFoundError, "unreadable.no_sheet", path=file, sheet=sheet,
                         sheets=", ".join(names))
        if dict((n, c) for n, _, c in declared)[sheet]:
            raise _error(DataError, "unreadable.chartsheet", path=file, sheet=sheet)
        name = sheet
    if name not in loaded:
        raise _error(DataError, "unreadable.missing_part", path=file, sheet=name)
    return loaded[name]


def _parser_class():
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        """openpyxl's streaming sheet parser that checks each row before keeping its cells and
        keeps what it cannot convert as text."""

        limits: ReadLimits
        file: str
        sheet: str

        def parse_row(self, row):
            self.limits.check("columns", len(row), self.file, sheet=self.sheet,
                              row=row.get("r", "?"))
            return super().parse_row(row)

        def parse_cell(self, element):
            try:
                cell = super().parse_cell(element)
            except (ValueError, TypeError, IndexError, KeyError, OverflowError) as exc:
                text = element.findtext(VALUE_TAG)
                ref = element.get("r")
                if element.get("t", "n") not in ("n", "e", "str"):  # a shared string, bool, date
                    raise _error(DataError, "unreadable.cell", path=self.file, sheet=self.sheet,
                                 cell=ref or "?", detail=f"{type(exc).__name__}: {exc}") from None
                try:
                    row, column = coordinate_to_tuple(ref) if ref else (
                        self.row_counter, self.col_counter + 1)
                except (ValueError, TypeError):
                    raise _error(DataError, "unreadable.cell", path=self.file, sheet=self.sheet,
                                 cell=ref or "?", detail="bad cell reference") from None
                self.col_counter = column
                return {"row": row, "column": column, "value": _RawText(text or ""),
                        "data_type": "e", "style_id": 0}
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                formula = element.find(FORMULA_TAG).text or ""
                cell["value"] = _NoCachedValue("=" + formula)
            return cell

    return Parser


def _reader_class():
    from openpyxl.reader.excel import ExcelReader

    class Reader(ExcelReader):
        """openpyxl's workbook reader, without reading chart sheets (it fails on them in
        read-only mode, and they hold no cells): they stay in the declared sheet list."""

        def read_chartsheet(self, sheet, rel):
            return None

    return Reader


def read_xlsx(path: Path, sheet, limits: ReadLimits) -> RawTable:
    """Read one sheet of an XLSX workbook (see the module docstring)."""
    file = str(path)
    check_archive(path, limits)
    _Reader = _reader_class()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # styles and extensions openpyxl cannot keep
            reader = _Reader(path, read_only=True, data_only=True)
            reader.read()  # what openpyxl.load_workbook does, keeping the workbook's sheet list
    except CityrankError:
        raise
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise _error(DataError, "unreadable.xlsx", path=file,
                     detail=f"{type(exc).__name__}: {exc}") from None
    wb = reader.wb
    try:
        ws = _choose(reader, sheet, file)
        return _read_sheet(wb, ws, file, limits)
    finally:
        wb.close()


def _read_sheet(wb, ws, file: str, limits: ReadLimits) -> RawTable:
    title = ws.title
    if ws.max_row is not None and ws.max_column is not None:  # the declared dimension
        for name, value in (("rows", ws.max_row), ("columns", ws.max_column)):
            if value > getattr(limits, name):
                raise limit_error(name, value, getattr(limits, name), file, msg=f"limit.declared_{name}",
                                  sheet=title, dimension=ws.calculate_dimension())
    Parser = _parser_class()
    budget = Budget(limits, file)
    kept: list[tuple[int, dict[int, str]]] = []
    formulas: dict[tuple[int, int], str] = {}
    width = 0
    row_no = 0
    try:
        with warnings.catch_warnings(), ws._get_source() as src:
            warnings.simplefilter("ignore")  # dates out of range become "#VALUE!" cells
            parser = Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                            date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            parser.limits, parser.file, parser.sheet = limits, file, title
            for row_no, cells in parser.parse():
                limits.check("rows", row_no, file, sheet=title)
                values: dict[int, str] = {}
                for c in cells:
                    v = c["value"]
                    if v is None:
                        continue
                    col = c["column"]
                    limits.check("columns", col, file, sheet=title, row=row_no)
                    if isinstance(v, _NoCachedValue):
                        formulas[(row_no, col)] = str(v)
                        values[col] = ""
                        continue
                    text = str(v) if isinstance(v, _RawText) else cell_str(v)
                    if not text.strip():
                        continue
                    if len(text) > limits.cell_chars:
                        raise limit_error("cell_chars", len(text), limits.cell_chars, file,
                                          sheet=title, row=row_no)
                    values[col] = text
                if not values:
                    continue
                budget.add(len(values), sum(map(len, values.values())), sheet=title)
                width = max(width, max(values))
                kept.append((row_no, values))
    except CityrankError:
        raise
    except (ParseError, zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise _error(DataError, "unreadable.sheet_xml", path=file, sheet=title, row=row_no + 1,
                     detail=f"{type(exc).__name__}: {exc}") from None
    if not kept:
        raise _error(DataError, "unreadable.empty_sheet", path=file, sheet=title)
    budget.check_time()
    (_, head), rest = kept[0], kept[1:]
    header = [head.get(j, "") for j in range(1, width + 1)]
    body = [[vals.get(j, "") for j in range(1, width + 1)] for _, vals in rest]
    frame = _frame(header, body)
    names = dict(zip(range(1, width + 1), _frame_names(header), strict=True))
    position = {r: i for i, (r, _) in enumerate(rest)}
    notes = {(position[r], names[c]): f for (r, c), f in formulas.items()
             if r in position and names.get(c) in frame.columns}
    return RawTable(frame, file, None, title, [r for r, _ in rest], [], notes)


def _frame_names(header: list[str]) -> list[str]:
    from .readers import unique_headers

    return unique_headers(header)
