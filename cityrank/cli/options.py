"""Shared option builders: one name for one thing in every subcommand.

=====================  ==========================================================
``--data FILE``        the table a command reads (raw data, or a scores table)
``--dataset ID``       a catalogued dataset (``cityrank/data/datasets.yaml``)
``--system ID|FILE``   an indicator system
``--indicator ID``     the column / indicator node a command maps or analyses
``--lang zh|en``       language of every message, map and report (default zh)
``--encoding`` ``--sheet`` ``--missing``   how a table is read (every command that reads one)
``--out FILE``         what a command writes
``--classes N``        number of map classes; ``--neighbours K`` is k of KNN weights
``--data-dir DIR``     the server's data directory
=====================  ==========================================================

Old spellings (``--scores``, ``--value``, ``--k``, ``serve --data``, …) stay as hidden
aliases that print a one-line deprecation notice in the command's language.

Help text is built in one language: ``--lang`` on the command line, else ``CITYRANK_LANG``,
else Chinese. Every string comes from the catalogue (``cityrank/i18n/cli.yaml``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata

from cityrank.i18n import LANGS, norm_lang, t

ENV_LANG = "CITYRANK_LANG"


def default_lang() -> str:
    """``CITYRANK_LANG`` (``en`` or anything else meaning Chinese), else Chinese."""
    return norm_lang(os.environ.get(ENV_LANG))


def argv_lang(argv: list[str]) -> str:
    """The ``--lang`` of a command line before it is parsed (to build help in that language)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return norm_lang(argv[i + 1])
        if arg.startswith("--lang="):
            return norm_lang(arg.split("=", 1)[1])
    return default_lang()


def h(key: str, lang: str, **fmt) -> str:
    """A help string from the catalogue (``%`` escaped for argparse)."""
    return t(f"cli.{key}", lang, **fmt).replace("%", "%%")


# --- wrapping that counts a Chinese character as two columns ------------------------------
_BREAK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff"
                    r"\u3000-\u303f\uff00-\uffef]+|\s+")
_NO_LINE_START = set("，。、；：？！）」』》,.;:)")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap by display width; Chinese breaks between characters, other words whole."""
    lines, cur = [], ""
    for tok in _BREAK.findall(text.strip()):
        if tok.isspace():
            tok = " "
        if cur and display_width(cur + tok.rstrip()) > width and tok != " " and tok[0] not in _NO_LINE_START:
            lines.append(cur.rstrip())
            cur = ""
        if cur or tok != " ":
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


class Formatter(argparse.HelpFormatter):
    """Help in the parser's language: translated ``usage:``, width-aware wrapping, and
    descriptions/epilogs whose lines are kept (indented lines, e.g. examples, verbatim)."""

    usage_prefix: str | None = None

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix if prefix is not None else self.usage_prefix)

    def _format_usage(self, usage, actions, groups, prefix):
        # argparse indents continuation lines by len(prefix); a Chinese prefix is wider than
        # it is long, so format with an ASCII stand-in of the same display width.
        if prefix and display_width(prefix) != len(prefix):
            stand_in = "~" * display_width(prefix)
            return super()._format_usage(usage, actions, groups, stand_in).replace(stand_in, prefix, 1)
        return super()._format_usage(usage, actions, groups, prefix)

    def _split_lines(self, text, width):
        return wrap(" ".join(text.split()), width)

    def _fill_text(self, text, width, indent):
        out = []
        for line in text.splitlines():
            if line.startswith(" ") or not line.strip():
                out.append(indent + line)
            else:
                out += [indent + piece for piece in wrap(line, width)]
        return "\n".join(out)


# argparse's own error messages (English, from gettext) -> catalogue keys.
_ARGPARSE_ERRORS = (
    (re.compile(r"^the following arguments are required: (?P<args>.+)$"), "argparse.required"),
    (re.compile(r"^argument (?P<arg>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$"),
     "argparse.choice"),
    (re.compile(r"^argument (?P<arg>\S+): invalid \w+ value: (?P<value>.+)$"), "argparse.invalid"),
    (re.compile(r"^argument (?P<arg>\S+): expected one argument$"), "argparse.expected_one"),
    (re.compile(r"^argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)$"), "argparse.exclusive"),
    (re.compile(r"^unrecognized arguments: (?P<args>.+)$"), "argparse.unrecognized"),
)


def argparse_message(message: str, lang: str) -> str:
    """argparse's message in ``lang`` (English ones pass through: argparse's own wording)."""
    if lang == "en":
        return message
    for pattern, key in _ARGPARSE_ERRORS:
        m = pattern.match(message)
        if m:
            return t(f"cli.{key}", lang, **m.groupdict())
    return message


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help and usage errors speak ``lang``."""

    def __init__(self, *args, lang: str = "zh", **kw):
        kw.setdefault("add_help", False)
        kw.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kw)
        self.lang = lang
        self._positionals.title = t("cli.help.positionals", lang)
        self._optionals.title = t("cli.help.options", lang)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=h("help.help", lang))

    def _get_formatter(self):
        formatter = super()._get_formatter()
        formatter.usage_prefix = t("cli.help.usage", self.lang)
        return formatter

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, t("cli.usage_error", self.lang, prog=self.prog,
                       message=argparse_message(message, self.lang)) + "\n")


# --- deprecated spellings -------------------------------------------------------------------
class DeprecatedAlias(argparse.Action):
    """An old option name: stores into the new option's destination and records the use, so
    ``main`` can print one notice in the command's language once ``--lang`` is parsed."""

    def __init__(self, option_strings, dest, new: str, **kw):
        self.new = new
        super().__init__(option_strings, dest, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        used = list(getattr(namespace, "deprecated_options", []))
        used.append((option_string, self.new))
        namespace.deprecated_options = used


def alias(group, old: str, new_action: argparse.Action, **kw) -> None:
    """Add ``old`` as a hidden alias of ``new_action`` (same destination and type)."""
    group.add_argument(old, action=DeprecatedAlias, new=new_action.option_strings[0],
                       dest=new_action.dest, type=new_action.type, metavar=new_action.metavar,
                       default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kw)


def deprecated_aliases(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    """(old, new) of every hidden alias of a parser (for the CLI reference)."""
    return [(opt, a.new) for a in parser._actions if isinstance(a, DeprecatedAlias) for opt in a.option_strings]


# --- the shared options ------------------------------------------------------------------------
def lang(p, lang_: str) -> None:
    """``--lang``; its default is the language the parser is built in (see ``argv_lang``), so
    ``cityrank --lang en map`` and ``cityrank map --lang en`` mean the same."""
    p.add_argument("--lang", choices=LANGS, default=lang_,
                   help=h("opt.lang", lang_, env=ENV_LANG))


def system(p, lang_: str, *, required: bool, key: str = "opt.system") -> None:
    p.add_argument("--system", required=required, metavar="ID|FILE", help=h(key, lang_))


def data(p, lang_: str, *, key: str, required: bool = False, group=None):
    """``--data FILE``; ``key`` names the help text (what the command does with the table)."""
    return (group or p).add_argument("--data", required=required, metavar="FILE", help=h(key, lang_))


def dataset(p, lang_: str, *, group=None):
    return (group or p).add_argument("--dataset", metavar="ID", help=h("opt.dataset", lang_))


def table_source(p, lang_: str, *, data_key: str) -> None:
    """``--dataset ID | --data FILE`` (old name ``--scores``) and ``--system`` to score the file:
    where ``map`` and ``analyze`` get their table (``cityrank.cli.sources.load_source``)."""
    group = p.add_mutually_exclusive_group()
    dataset(p, lang_, group=group)
    alias(group, "--scores", data(p, lang_, key=data_key, group=group))
    system(p, lang_, required=False, key="opt.system_to_score")


def indicator(p, lang_: str, *, key: str):
    return p.add_argument("--indicator", metavar="ID", default="total", help=h(key, lang_))


def reading(p, lang_: str, *, missing_key: str = "opt.missing", missing: bool = True) -> None:
    """--encoding, --sheet, --decimal, --missing: how a table is read, wherever one is read;
    and the city list it is scored on (:func:`vintage`). ``missing=False`` where a table is
    taken as it is (covariates, grid data, layers to export): no --missing, no city list."""
    from cityrank.scoring.missing import POLICIES
    from cityrank.scoring.numbers import DECIMAL_MARKS

    p.add_argument("--encoding", metavar="NAME", help=h("opt.encoding", lang_))
    p.add_argument("--sheet", metavar="NAME", help=h("opt.sheet", lang_))
    p.add_argument("--decimal", choices=DECIMAL_MARKS, default=".", help=h("opt.decimal", lang_))
    if not missing:
        return
    p.add_argument("--missing", choices=tuple(POLICIES), default=None, help=h(missing_key, lang_))
    vintage(p, lang_)


def vintage(p, lang_: str) -> None:
    """--year Y | --vintage DATE: the city list a table is scored on (scoring.vintage)."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--year", type=_year, metavar="YEAR", help=h("opt.year", lang_))
    group.add_argument("--vintage", metavar="DATE", help=h("opt.vintage", lang_))


def _year(text: str) -> int:
    """--year as the upload form takes it (2017, 2017年, full-width digits)."""
    from cityrank.errors import ParameterError
    from cityrank.scoring.vintage import parse_year

    try:
        return parse_year(text)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def read_options(args) -> dict:
    """The keyword arguments of ``score_file``/``ingest`` that the reading options give."""
    return {"encoding": args.encoding, "sheet": args.sheet, "decimal": args.decimal,
            "year": args.year, "vintage": args.vintage}


def out(p, lang_: str, *, required: bool, key: str):
    return p.add_argument("--out", required=required, metavar="FILE", help=h(key, lang_))


def permutations(p, lang_: str, *, key: str):
    """--permutations N: the permutations of the inference (0: analytical where a statistic
    has one), one spelling in analyze, grid and compare."""
    return p.add_argument("--permutations", type=int, default=999, metavar="N", help=h(key, lang_))


def positive_int(text: str) -> int:
    """An integer of at least 1 (argparse reports 'invalid positive_int value')."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def add_command(sub, name: str, lang_: str, **kw) -> Parser:
    """A subcommand whose help, description and examples come from ``cli.<name>.*``."""
    return sub.add_parser(name, lang=lang_, help=t(f"cli.{name}.help", lang_),
                          description=t(f"cli.{name}.description", lang_),
                          epilog=t("cli.help.examples", lang_) + "\n" + t(f"cli.{name}.examples", lang_),
                          **kw)
