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

Placeholders: both languages of a key take the same ``{names}``. A parameter that needs a
language's own form is passed twice, ``x_zh``/``x_en`` beside ``x`` (the scoring messages'
``change``/``change_zh``): for the consistency rule ``x_zh`` and ``x_en`` count as ``x``.

Names that live with their data are read from there, not copied: ``region.<id>`` (``East``,
``Central``, ``West``, ``Northeast``) comes from ``config/regions.yaml`` (``name``/``name_en``),
so the NBS region names exist once and every surface, scoring exports included, reaches them
through the same ``t()``.
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
    """Every string: ``"<domain>.<key>" -> {"zh": ..., "en": ...}`` (loaded once).

    Raises :class:`MissingString` for a key without exactly ``zh`` and ``en``, a domain that
    is defined twice, or placeholders that differ between the two languages.
    """
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
    domains = {k.split(".")[0] for k in out}
    for key, pair in _config_names().items():
        if key.split(".")[0] in domains:
            raise MissingString(f"domain of {key!r} is both in config/ and in cityrank/i18n/")
        out[key] = pair
    for key, pair in out.items():
        zh, en = (placeholder_roots(pair[lang]) for lang in LANGS)
        if zh != en:
            raise MissingString(f"{key!r}: placeholders differ: zh {sorted(zh)}, en {sorted(en)}")
    return out


def _config_names() -> dict[str, dict[str, str]]:
    """Bilingual names kept beside their data in ``config/`` (see the module docstring)."""
    from cityrank.paths import CONFIG_DIR

    path = CONFIG_DIR / "regions.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {}
    for rid, spec in (doc.get("regions") or {}).items():
        if not isinstance(spec, dict) or not spec.get("name") or not spec.get("name_en"):
            raise MissingString(f"{path}: region {rid!r} needs name and name_en")
        out[f"region.{rid}"] = {"zh": str(spec["name"]), "en": str(spec["name_en"])}
    return out


def has(key: str) -> bool:
    return key in catalogue()


def keys(prefix: str) -> list[str]:
    """The last parts of the keys under ``prefix`` (``keys("terms.policy")`` -> ``["mean", …]``)."""
    head = prefix.rstrip(".") + "."
    return [k[len(head):] for k in catalogue() if k.startswith(head)]


def table(prefix: str, lang: str | None = DEFAULT_LANG) -> dict[str, str]:
    """``{last part: text in lang}`` of the keys under ``prefix`` (a view, for old callers)."""
    return {k: t(f"{prefix.rstrip('.')}.{k}", lang) for k in keys(prefix)}


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


def placeholder_roots(text: str) -> set[str]:
    """:func:`placeholders` with a language suffix dropped (``when_zh``/``when_en`` -> ``when``)."""
    return {n.removesuffix("_zh").removesuffix("_en") for n in placeholders(text)}
