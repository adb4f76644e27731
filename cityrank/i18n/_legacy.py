"""Bilingual strings: every table is ``key -> (simplified Chinese, English)``, looked up here.

The core (analysis reports and maps) and the web layer each keep their own table of words, but
choose a language and fill placeholders one way: Chinese is the default, English is asked
for with ``lang="en"``, and an empty English entry falls back to the Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("zh", "en")


def pick(pair: tuple[str, str], lang: str) -> str:
    zh, en = pair
    return (en or zh) if lang == "en" else zh


def lookup(table: Mapping[str, tuple[str, str]], key: str, lang: str, **fmt) -> str:
    """``table[key]`` in ``lang``, with ``str.format`` placeholders filled from ``fmt``."""
    text = pick(table[key], lang)
    return text.format(**fmt) if fmt else text
