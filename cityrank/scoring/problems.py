"""Problems found in input files, each pinned to file, row and column.

Ingestion collects every problem before failing, so a user fixes a spreadsheet in one pass
instead of one error per run. A problem keeps its parameters so that it can be shown in
simplified Chinese as well as English (:mod:`scoring.messages`) with the same numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from cityrank import i18n
from cityrank.errors import DataError

from .messages import DOMAIN, join_located, location
from .messages import render as render_message


@dataclass(frozen=True)
class Problem:
    """One defect in an input file. ``row`` is the spreadsheet row (header = 1), or None.

    ``kind`` is the category (``non_numeric``); ``msg`` the catalogue key of the wording when
    a category has several (``unknown_unit.code``), else None; ``params`` fill the template.
    """

    file: str
    row: int | None
    column: str | None
    kind: str
    message: str
    severity: str = "error"  # "error" blocks scoring, "warning" is reported only
    params: dict = field(default_factory=dict, compare=False, hash=False)
    msg: str | None = None

    @classmethod
    def make(cls, file: str, row: int | None, column: str | None, kind: str,
             params: dict | None = None, severity: str = "error",
             msg: str | None = None) -> Problem:
        """A problem whose English message comes from the catalogue."""
        params = dict(params or {})
        return cls(file, row, column, kind, render_message(msg or kind, params, "en"),
                   severity, params, msg)

    @classmethod
    def from_error(cls, file: str, exc: Exception, kind: str = "unreadable") -> Problem:
        """A whole-file problem from a reading error; keeps the error's catalogue key and
        parameters when it has them (:mod:`scoring.readers`), else its text as ``detail``."""
        msg, params = getattr(exc, "msg", None), getattr(exc, "params", None)
        if msg and i18n.has(f"{DOMAIN}.{msg}") and isinstance(params, dict):
            return cls.make(file, None, None, kind, params, msg=msg)
        return cls.make(file, None, None, kind, {"detail": str(exc)})

    @property
    def message_key(self) -> str:
        return self.msg or self.kind

    def render(self, lang: str = "en") -> str:
        """The message (without location) in ``lang``; English is always ``message``."""
        if lang == "en" or not i18n.has(f"{DOMAIN}.{self.message_key}"):
            return self.message
        try:
            return render_message(self.message_key, self.params, lang)
        except (KeyError, IndexError, ValueError):  # built by hand without its parameters
            return self.message

    @property
    def message_zh(self) -> str:
        return self.render("zh")

    def located(self, lang: str = "en") -> str:
        """``str(problem)`` in ``lang``: file, row and column, then the message."""
        return join_located(location(self.file, self.row, self.column, lang),
                            self.render(lang), lang)

    def __str__(self) -> str:
        return self.located("en")

    def to_dict(self) -> dict:
        out = asdict(self)
        out["message_zh"] = self.message_zh
        return out


class ProblemsError(DataError):
    """A data file has problems; ``.problems`` lists all of them, the message shows the first."""

    def __init__(self, problems: list[Problem], limit: int = 20):
        self.problems = list(problems)
        super().__init__(self.render("en", limit))

    def render(self, lang: str = "en", limit: int = 20) -> str:
        shown = "\n  ".join(p.located(lang) for p in self.problems[:limit])
        more = len(self.problems) - limit
        tail = "\n  " + i18n.t("scoring.problems_more", lang, n=more) if more > 0 else ""
        return f"{i18n.t('scoring.problems', lang, n=len(self.problems))}\n  {shown}{tail}"
