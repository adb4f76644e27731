"""The viewer's words, from the one catalogue (:mod:`cityrank.i18n`), and page helpers.

Simplified Chinese by default, English with ``?lang=en``. ``t(key, lang)`` finds a key
without a dot in the ``web`` domain (``cityrank/i18n/web.yaml``), then ``common``, then the
region names of ``config/regions.yaml`` (``t("East", lang)``); a dotted key is a full
catalogue key (``t("clusters.unchecked", lang)``). A key found nowhere raises
:class:`~cityrank.i18n.MissingString`: a page never shows a raw key.
"""

from __future__ import annotations

import re

from cityrank import i18n
from cityrank.i18n import MissingString
from cityrank.i18n import norm_lang as norm_lang  # re-exported: the pages import it from here

NAMESPACES = ("web", "common", "region")
"""Where a key without a dot is looked up, in order."""


def full_key(key: str) -> str:
    """The catalogue key that ``t(key)`` shows (``"ranking"`` -> ``"web.ranking"``)."""
    if "." in key:
        return key
    for ns in NAMESPACES:
        if i18n.has(f"{ns}.{key}"):
            return f"{ns}.{key}"
    raise MissingString(f"no string {key!r} for the web pages (looked in {', '.join(NAMESPACES)})")


def t(key: str, lang: str | None = "zh", **fmt) -> str:
    return i18n.t(full_key(key), lang, **fmt)


def label(obj, lang: str) -> str:
    """Name of a node, dataset or unit in the chosen language, falling back to Chinese."""
    if lang == "en":
        for attr in ("name_en", "title_en"):
            value = getattr(obj, attr, None) if not isinstance(obj, dict) else obj.get(attr)
            if value:
                return str(value)
    for attr in ("name", "title"):
        value = getattr(obj, attr, None) if not isinstance(obj, dict) else obj.get(attr)
        if value:
            return str(value)
    return ""


# Titles that already say "simulated" (data/datasets.yaml: "…（模拟数据）", "— SIMULATED city
# data"): the mark is cut from the title and shown once, by the page (a badge) or by
# ``marked_title``; never both.
_MARK_PATTERNS = (
    re.compile(r"\s*[（(]\s*模拟数据\s*[)）]"),
    re.compile(r"\s*[—–-]+\s*simulated(?:\s+\w+)*\s*$", re.IGNORECASE),
    re.compile(r"\s*\(\s*simulated(?:\s+data)?\s*\)", re.IGNORECASE),
)


def source_text(ds, lang: str) -> str:
    """A dataset's source note in the page language (uploads and old catalogs have one only)."""
    pick = getattr(ds, "source_in", None)
    return pick(lang) if callable(pick) else str(getattr(ds, "source", "") or "")


def plain_title(ds, lang: str) -> str:
    """A dataset's title in ``lang`` without any simulated-data mark (pages add one badge)."""
    title = label(ds, lang)
    for pat in _MARK_PATTERNS:
        title = pat.sub("", title)
    return title.strip()


def marked_title(ds, lang: str) -> str:
    """The title with the simulated-data mark exactly once (selectors, <title>, PNG titles)."""
    title = plain_title(ds, lang)
    if getattr(ds, "synthetic", False):
        title += f"（{t('synthetic', lang)}）" if lang != "en" else f" ({t('synthetic', lang)})"
    return title
