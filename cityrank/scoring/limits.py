"""What one input file may cost: the limits every reader checks *before* it allocates.

A 41 KB workbook can declare ``A1:XFD1048576`` and a row numbered 200000; a CSV can hold one
cell of 100 MB. Readers (:mod:`scoring.readers`, :mod:`scoring.xlsx`) check each limit as
soon as the number is known (the file size before reading, the zip directory before
unpacking, a sheet's declared dimension before its rows, each row's number and width before
its cells are kept) and raise :class:`~cityrank.errors.LimitError` naming the file, the
limit, the value found and the setting that changes it.

One settings object, :class:`ReadLimits`. Its defaults are generous for real evaluation
tables (293 cities x 21 indicators is 6,153 cells; a district's 4,833 grids x 50 columns is a
quarter of a million) and small for the machine. Each can be changed per call
(``ingest(..., limits=ReadLimits(rows=...))``) or for a process by an environment variable
(``CITYRANK_MAX_ROWS=500000``), read when :func:`current` is called.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, fields, replace

from cityrank.errors import ConfigError, LimitError

MB = 2**20


@dataclass(frozen=True)
class ReadLimits:
    """Limits per input file (see the module docstring); ``ENV`` names their variables."""

    file_mb: float = 64.0
    """Size of the file as stored (CSV bytes, XLSX zip)."""
    expanded_mb: float = 128.0
    """XLSX: the sum of the workbook's parts unpacked (zip bombs)."""
    rows: int = 100_000
    """Spreadsheet rows (the row number of the last row with a value)."""
    columns: int = 1_000
    """Columns (the column number of the rightmost cell with a value)."""
    cells: int = 2_000_000
    """Cells holding a value."""
    cell_chars: int = 32_767
    """Characters in one cell (Excel's own limit)."""
    memory_mb: float = 512.0
    """Estimated memory of the table being read (strings and their containers)."""
    seconds: float = 60.0
    """Wall-clock time to read the file."""

    ENV = {"file_mb": "CITYRANK_MAX_FILE_MB", "expanded_mb": "CITYRANK_MAX_EXPANDED_MB",
           "rows": "CITYRANK_MAX_ROWS", "columns": "CITYRANK_MAX_COLUMNS",
           "cells": "CITYRANK_MAX_CELLS", "cell_chars": "CITYRANK_MAX_CELL_CHARS",
           "memory_mb": "CITYRANK_MAX_READ_MEMORY_MB", "seconds": "CITYRANK_MAX_READ_SECONDS"}

    @classmethod
    def from_env(cls, environ=None) -> ReadLimits:
        """The defaults, with every ``CITYRANK_MAX_*`` variable that is set applied."""
        environ = os.environ if environ is None else environ
        changes = {}
        for f in fields(cls):
            raw = environ.get(cls.ENV.get(f.name, ""), "").strip()
            if not raw:
                continue
            try:
                value = (int if f.type in ("int", int) else float)(raw)
            except ValueError:
                raise ConfigError(f"{cls.ENV[f.name]}={raw!r} is not a number") from None
            if value <= 0:
                raise ConfigError(f"{cls.ENV[f.name]}={raw!r} must be positive")
            changes[f.name] = value
        return replace(cls(), **changes)

    def check(self, name: str, value: float, file: str, **where) -> None:
        """Raise :class:`LimitError` when ``value`` exceeds the limit ``name``."""
        limit = getattr(self, name)
        if value > limit:
            raise limit_error(name, value, limit, file, **where)


def current(limits: ReadLimits | None = None) -> ReadLimits:
    """``limits`` when given, else the defaults with the environment applied."""
    return limits if limits is not None else ReadLimits.from_env()


def limit_error(name: str, value, limit, file: str, msg: str | None = None,
                **where) -> LimitError:
    """A :class:`LimitError` worded by the catalogue (``messages.limit.<name>``)."""
    from .messages import location, render

    sheet, row, column = where.pop("sheet", None), where.pop("row", None), where.pop("column", None)
    params = {"path": str(file), "value": _show(name, value), "limit": _show(name, limit),
              "setting": ReadLimits.ENV[name], **where}
    for lang in ("en", "zh"):
        params[f"where_{lang}"] = location(str(file), row, column, lang, sheet=sheet)
    key = msg or f"limit.{name}"
    exc = LimitError(render(key, params, "en"))
    exc.msg, exc.params = key, params  # type: ignore[attr-defined]
    exc.limit = name  # type: ignore[attr-defined]
    return exc


def _show(name: str, value) -> str:
    if name.endswith("_mb"):
        return f"{value:.1f}" if value < 10 else f"{value:.0f}"
    if name == "seconds":
        return f"{value:g}"
    return f"{int(value):,}"


class Budget:
    """Counts what a reader keeps (cells, estimated bytes) and the time it takes; every
    ``add`` checks the limits, so a file is refused as soon as it passes one."""

    # CPython: a str costs ~49 bytes + its characters (1, 2 or 4 bytes each); a list slot 8.
    CELL_OVERHEAD = 57

    def __init__(self, limits: ReadLimits, file: str):
        self.limits, self.file = limits, file
        self.cells = 0
        self.bytes = 0
        self.deadline = time.monotonic() + limits.seconds
        self._tick = 0

    def add(self, n_cells: int, n_chars: int, **where) -> None:
        self.cells += n_cells
        self.bytes += n_cells * self.CELL_OVERHEAD + 4 * n_chars
        self.limits.check("cells", self.cells, self.file, **where)
        if self.bytes > self.limits.memory_mb * MB:
            raise limit_error("memory_mb", self.bytes / MB, self.limits.memory_mb, self.file)
        self._tick += 1
        if self._tick % 256 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise limit_error("seconds", self.limits.seconds, self.limits.seconds, self.file,
                              msg="limit.seconds")
