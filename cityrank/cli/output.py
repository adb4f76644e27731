"""What every subcommand prints the same way: warnings, errors, "wrote FILE"."""

from __future__ import annotations

import sys

from cityrank.i18n import t


def error_text(exc: Exception, lang: str) -> str:
    """A core error in ``lang``: problem lists render themselves, reading errors carry their
    catalogue key and parameters; anything else is its own (English) text."""
    render = getattr(exc, "render", None)
    if callable(render):
        return render(lang)
    kind, params = getattr(exc, "msg", None), getattr(exc, "params", None)
    if kind and params is not None:
        from cityrank.scoring.messages import render as render_message

        try:
            return render_message(kind, params, lang)
        except (KeyError, IndexError, ValueError):
            pass
    return str(exc)


def warn(warnings, lang: str, *, file=None) -> None:
    """One line per warning (a scoring Notice renders in ``lang``; other text as it is)."""
    from cityrank.scoring.messages import render_warning

    for w in warnings:
        print(t("cli.warning", lang, message=render_warning(w, lang)), file=file or sys.stderr)


def wrote(path, lang: str) -> None:
    print(t("cli.wrote", lang, path=path))
