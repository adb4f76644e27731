"""Message catalogue: every problem and warning of the scoring core in English and simplified
Chinese, rendered from one machine-readable ``kind`` and its parameters.

Policymakers read Chinese, developers and the existing logs read English; keeping the numbers
in ``params`` and the wording in templates guarantees both languages state the same values,
codes and rows. English templates reproduce the historical messages byte for byte, because
callers and tests match on them.

A :class:`Notice` is a warning: a ``str`` (the English line, so every caller that joins,
searches or serialises warnings keeps working) that also carries ``kind``, ``params`` and its
location, and renders itself in either language.
"""

from __future__ import annotations

from typing import Any

from cityrank import i18n

LANGS = i18n.LANGS
DOMAIN = "messages"
"""The catalogue domain of the kinds: ``cityrank/i18n/messages.yaml``."""


def kinds() -> dict[str, dict[str, str]]:
    """``kind -> {"zh": template, "en": template}``: the ``messages`` domain of the catalogue."""
    head = DOMAIN + "."
    return {k[len(head):]: v for k, v in i18n.catalogue().items() if k.startswith(head)}


# Read-only views of the catalogue under their historical names (callers outside the core
# still import them): CATALOGUE = kinds(); the word tables are ``terms.*`` in Chinese.
_VIEWS = {
    "CATALOGUE": kinds,
    "CHANGE_ZH": lambda: i18n.table("terms.change", "zh"),
    "POLICY_ZH": lambda: i18n.table("terms.policy", "zh"),
    "WHAT_ZH": lambda: i18n.table("terms.filetype", "zh"),
}


def __getattr__(name: str):
    if name in _VIEWS:
        return _VIEWS[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def term(group: str, word: str, lang: str) -> str:
    """A word of ``terms.<group>`` in ``lang``; a word the catalogue lacks is shown as given
    (an admin change kind added to the config before its translation)."""
    key = f"terms.{group}.{word}"
    return i18n.t(key, lang) if i18n.has(key) else word


def render(kind: str, params: dict | None, lang: str = "en") -> str:
    """The message of ``kind`` in ``lang`` ("zh" or "en"); KeyError (:class:`MissingString`)
    for an unknown kind, so a missing translation fails in tests rather than showing a raw
    key to a user."""
    lang = "en" if lang == "en" else "zh"
    return i18n.t(f"{DOMAIN}.{kind}", lang).format(**(params or {}))


def location(file, row, column, lang: str = "en", *, sheet: str | None = None) -> str:
    """Where a message points: file, sheet, spreadsheet row and column, exact in both
    languages."""
    where = [file or i18n.t("scoring.where_data", lang)]
    if sheet is not None:
        where.append(i18n.t("scoring.where_sheet", lang, sheet=sheet))
    if row is not None:
        where.append(i18n.t("scoring.where_row", lang, row=row))
    if column is not None:
        where.append(i18n.t("scoring.where_column", lang, column=column))
    return i18n.t("scoring.where_sep", lang).join(where)


def join_located(where: str, message: str, lang: str) -> str:
    return i18n.t("scoring.located", lang, where=where, message=message)


class Notice(str):
    """A warning: its English line as a ``str``, plus ``kind``, ``params`` and location.

    ``file`` may also name a system (``ndrc-2017``) or be None for no prefix; ``row`` and
    ``column`` follow :class:`scoring.problems.Problem`.
    """

    kind: str
    params: dict
    file: str | None
    row: int | None
    column: str | None
    prefix: bool

    def __new__(cls, text: str = "", kind: str = "text", params: dict | None = None,
                file: str | None = None, row: int | None = None, column: str | None = None,
                prefix: bool = False):
        obj = super().__new__(cls, text)
        obj.kind, obj.params = kind, dict(params or {})
        obj.file, obj.row, obj.column, obj.prefix = file, row, column, prefix
        return obj

    @classmethod
    def make(cls, kind: str, params: dict | None = None, *, file: str | None = None,
             row: int | None = None, column: str | None = None) -> Notice:
        """Build from the catalogue; ``file`` (and row/column) become the location prefix."""
        params = dict(params or {})
        text = render(kind, params, "en")
        has_where = file is not None or row is not None or column is not None
        if has_where:
            text = join_located(location(file, row, column, "en"), text, "en")
        return cls(text, kind, params, file, row, column, has_where)

    def render(self, lang: str = "en") -> str:
        if lang == "en" or not i18n.has(f"{DOMAIN}.{self.kind}"):
            return str(self)
        try:
            text = render(self.kind, self.params, lang)
        except (KeyError, IndexError, ValueError):  # built by hand without its parameters
            return str(self)
        if self.prefix:
            text = join_located(location(self.file, self.row, self.column, lang), text, lang)
        return text

    @property
    def message_zh(self) -> str:
        return self.render("zh")

    def relocated(self, old: str, new: str) -> Notice:
        """The same notice with the text ``old`` (a temp path) replaced by ``new`` (the name
        the user knows) in its location, parameters and English line."""
        def swap(v):
            return v.replace(old, new) if isinstance(v, str) and old else v

        return Notice(swap(str(self)), self.kind, {k: swap(v) for k, v in self.params.items()},
                      swap(self.file), self.row, swap(self.column), self.prefix)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": self.params, "file": self.file, "row": self.row,
                "column": self.column, "message": str(self), "message_zh": self.message_zh}

    def __reduce__(self):
        return (Notice, (str(self), self.kind, self.params, self.file, self.row, self.column,
                         self.prefix))


def notice(kind: str, params: dict | None = None, **where) -> Notice:
    return Notice.make(kind, params, **where)


def render_warning(w, lang: str = "en") -> str:
    """Any warning (a :class:`Notice` or a plain string from elsewhere) in ``lang``."""
    return w.render(lang) if isinstance(w, Notice) else str(w)


def prefixed(prefix: str, w) -> Notice:
    """``w`` with a scope such as a system id in front (``ndrc-2018: ...``)."""
    if isinstance(w, Notice) and not w.prefix:
        return Notice(f"{prefix}: {w}", w.kind, w.params, prefix, None, None, True)
    if isinstance(w, Notice):
        return w
    return Notice(f"{prefix}: {w}", "text", {}, prefix, None, None, True)


def notice_of_problem(p) -> Notice:
    """A warning-severity :class:`~scoring.problems.Problem` as a warning line."""
    key = p.message_key if i18n.has(f"{DOMAIN}.{p.message_key}") else "text"
    return Notice(str(p), key, p.params, p.file, p.row, p.column, True)
