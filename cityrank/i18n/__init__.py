"""One translation catalogue for every surface: pages, exports, maps, reports, CLI messages.

Strings live in YAML files beside this module, one file per domain (``web.yaml``,
``cli.yaml``, …), all in one layout::

    ranking:
      zh: 排名表
      en: Ranking table

A string is named ``<file stem>.<key>`` (``t("web.ranking", "en")``). Simplified Chinese is
the default language; English is asked for with ``lang="en"``. A missing key, a missing
language or a placeholder that one language has and the other lacks is an error
(:class:`MissingString`), never a raw key shown to a user; ``tests/test_i18n.py`` checks the
whole catalogue and every literal key used in the code.

Why YAML and not gettext ``.po`` files: our strings are addressed by stable keys (the
machine-readable ``kind`` of a problem is part of the API), both languages are first-class
(neither is the "source" string), and the people who check the Chinese wording edit the same
kind of YAML as the rest of ``config/``. Loading is lazy and cached (a few milliseconds).
"""

from __future__ import annotations

import re
import string
from functools import cache
from importlib.resources import files

import yaml

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class MissingString(KeyError):
    """A key (or one of its languages) is not in the catalogue."""


def norm_lang(value: str | None) -> str:
    """``"en"`` for English (``en``, ``en-GB``, ``EN``), otherwise the default, Chinese."""
    v = (value or "").strip().lower()
    return "en" if v == "en" or v.startswith("en-") or v.startswith("en_") else DEFAULT_LANG


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every string: ``"<domain>.<key>" -> {"zh": ..., "en": ...}`` (loaded once)."""
    out: dict[str, dict[str, str]] = {}
    for res in sorted(files(__name__).iterdir(), key=lambda r: r.name):
        if not res.name.endswith(".yaml"):
            continue
        domain = res.name[: -len(".yaml")]
        doc = yaml.safe_load(res.read_text(encoding="utf-8")) or {}
        if not isinstance(doc, dict):
            raise MissingString(f"{res.name}: expected a mapping of keys to {{zh, en}}")
        for key, pair in doc.items():
            if not isinstance(pair, dict) or set(pair) != set(LANGS):
                raise MissingString(f"{res.name}: {key!r} must have exactly zh and en")
            out[f"{domain}.{key}"] = {lang: str(pair[lang]) for lang in LANGS}
    return out


def has(key: str) -> bool:
    return key in catalogue()


def t(key: str, lang: str | None = DEFAULT_LANG, /, **fmt) -> str:
    """The string ``key`` in ``lang`` with ``str.format`` placeholders filled from ``fmt``.

    >>> t("common.total", "en")
    'Total score'
    >>> t("common.total")
    '总分'
    """
    try:
        text = catalogue()[key][norm_lang(lang)]
    except KeyError:
        raise MissingString(f"no string {key!r} in the cityrank catalogue") from None
    return text.format(**fmt) if fmt else text


def both(key: str, /, **fmt) -> dict[str, str]:
    """``{"zh": ..., "en": ...}`` of one key (API payloads carry both languages)."""
    return {lang: t(key, lang, **fmt) for lang in LANGS}


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` of a template (for the catalogue's consistency test)."""
    names = set()
    for _lit, name, _spec, _conv in string.Formatter().parse(text):
        if name is not None and name != "":
            names.add(name.split(".")[0].split("[")[0])
    return names


# The older per-module tables still use these until they move into the catalogue.
from cityrank.i18n._legacy import lookup, pick  # noqa: E402,F401
