"""Problems found in input files, each pinned to file, row and column.

Ingestion collects every problem before failing, so a user fixes a spreadsheet in one pass
instead of one error per run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cityrank.errors import DataError


@dataclass(frozen=True)
class Problem:
    """One defect in an input file. ``row`` is the spreadsheet row (header = 1), or None."""

    file: str
    row: int | None
    column: str | None
    kind: str
    message: str
    severity: str = "error"  # "error" blocks scoring, "warning" is reported only

    def __str__(self) -> str:
        where = [self.file or "<data>"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


class ProblemsError(DataError):
    """A data file has problems; ``.problems`` lists all of them, the message shows the first."""

    def __init__(self, problems: list[Problem], limit: int = 20):
        self.problems = list(problems)
        shown = "\n  ".join(str(p) for p in self.problems[:limit])
        more = len(self.problems) - limit
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in input data:\n  {shown}{tail}")
