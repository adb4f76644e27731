"""The one translation catalogue (cityrank.i18n): complete, consistent, simplified, and every
literal key the code asks for exists.

A key lacking zh or en, placeholders that differ between the languages, a key written twice in
a YAML file, traditional characters in a Chinese string, or a ``t("…")`` of a key that is not
in the catalogue fail here, before a user sees a raw key or a half-translated page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from opencc import OpenCC

from cityrank import i18n
from cityrank.i18n import MissingString, catalogue, placeholder_roots, t

PACKAGE = Path(i18n.__file__).resolve().parent.parent
I18N_DIR = Path(i18n.__file__).resolve().parent
WEB_DIR = PACKAGE / "web"

# t("key", …) / t('key', …) with a literal key, also as i18n.t( and {{ t( in templates; not
# ut( or _t( (other, older tables) nor f-strings (computed keys).
LITERAL_T = re.compile(r"""(?<![\w])t\(\s*(["'])([^"'{}\n]+)\1""")
# the print map's words: S.text(lang, "key") is map.<key>
MAP_TEXT = re.compile(r"""\bS\.text\(\s*[\w"']+\s*,\s*(["'])([^"'{}\n]+)\1""")


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a mapping with the same key twice (YAML keeps the last)."""


def _no_duplicates(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise yaml.constructor.ConstructorError(None, None, f"duplicate key(s) {sorted(dup)}",
                                                node.start_mark)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def _sources():
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html") and "vendor" not in path.parts:
            yield path


def _literal_keys():
    """(file, line, key as written, catalogue key) of every literal key in the package."""
    from cityrank.web.i18n import NAMESPACES

    for path in _sources():
        text = path.read_text(encoding="utf-8")
        # web pages and the service layer that feeds them use cityrank.web.i18n.t
        in_web = WEB_DIR in path.parents or PACKAGE / "service" in path.parents
        for pattern, domain in ((LITERAL_T, None), (MAP_TEXT, "map")):
            for m in pattern.finditer(text):
                written = m.group(2)
                line = text.count("\n", 0, m.start()) + 1
                if domain:
                    yield path, line, written, [f"{domain}.{written}"]
                elif "." in written:
                    yield path, line, written, [written]
                elif in_web:  # web pages look a dotless key up in web, common, region
                    yield path, line, written, [f"{ns}.{written}" for ns in NAMESPACES]
                else:
                    yield path, line, written, []


def test_every_file_has_each_key_once_and_both_languages():
    files = sorted(I18N_DIR.glob("*.yaml"))
    assert {f.stem for f in files} >= {"common", "web", "messages", "terms", "scoring", "map",
                                       "analysis", "export", "bins", "clusters"}
    for f in files:
        doc = yaml.load(f.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506
        assert isinstance(doc, dict) and doc, f.name
        for key, pair in doc.items():
            assert isinstance(pair, dict) and set(pair) == {"zh", "en"}, f"{f.name}: {key}"
            assert str(pair["zh"]).strip() and str(pair["en"]).strip(), f"{f.name}: {key} is empty"


def test_placeholders_agree_between_languages():
    bad = {k: (sorted(placeholder_roots(v["zh"])), sorted(placeholder_roots(v["en"])))
           for k, v in catalogue().items()
           if placeholder_roots(v["zh"]) != placeholder_roots(v["en"])}
    assert bad == {}


def test_a_catalogue_file_with_a_missing_language_or_placeholder_is_refused(tmp_path, monkeypatch):
    import importlib.resources

    real_files = importlib.resources.files

    def fake(text):
        (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
        monkeypatch.setattr(i18n, "files", lambda _name: tmp_path)
        i18n.catalogue.cache_clear()

    try:
        fake("a:\n  zh: 甲\n")
        with pytest.raises(MissingString, match="exactly zh and en"):
            catalogue()
        fake("a:\n  zh: 甲{n}\n  en: a {m}\n")
        with pytest.raises(MissingString, match="placeholders differ"):
            catalogue()
        fake("a:\n  zh: 甲{when_zh}\n  en: a{when_en}\n")  # x_zh / x_en are the forms of x
        assert catalogue()["x.a"]["en"] == "a{when_en}"
    finally:
        monkeypatch.setattr(i18n, "files", real_files)
        i18n.catalogue.cache_clear()
    assert t("common.total", "en") == "Total score"


def test_chinese_strings_are_simplified():
    to_simplified = OpenCC("t2s")
    traditional = {k: v["zh"] for k, v in catalogue().items()
                   if to_simplified.convert(v["zh"]) != v["zh"]}
    assert traditional == {}


def test_region_names_come_from_config_only():
    doc = yaml.safe_load((PACKAGE / "config" / "regions.yaml").read_text(encoding="utf-8"))
    for rid, spec in doc["regions"].items():
        assert i18n.both(f"region.{rid}") == {"zh": spec["name"], "en": spec["name_en"]}
    assert not any(k.startswith("region.") for f in I18N_DIR.glob("*.yaml")
                   for k in (f"{f.stem}.{key}" for key in yaml.safe_load(f.read_text("utf-8"))))


def test_every_literal_key_in_code_and_templates_is_in_the_catalogue():
    found, missing = 0, []
    for path, line, written, candidates in _literal_keys():
        found += 1
        if not any(i18n.has(c) for c in candidates):
            missing.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {written!r}")
    assert found > 100  # the scan sees the pages and the cores
    assert missing == []


def test_a_missing_key_raises_instead_of_showing_the_key():
    from cityrank.web import i18n as web_i18n

    with pytest.raises(MissingString):
        t("web.no_such_key", "en")
    with pytest.raises(MissingString):
        web_i18n.t("no_such_key", "en")
    with pytest.raises(KeyError):  # MissingString is a KeyError: old callers still catch it
        web_i18n.t("web.no_such_key")
    assert web_i18n.t("ranking", "en") == t("web.ranking", "en") == "Ranking table"
    assert web_i18n.t("total", "en") == t("common.total", "en")  # common words, once
    assert web_i18n.t("East") == "东部" and web_i18n.t("East", "en") == "East"


def test_web_pages_have_a_label_for_every_classification_method():
    from cityrank.geo.classify import CLASSIFIERS
    from cityrank.web.i18n import full_key

    assert all(i18n.has(full_key(m)) for m in CLASSIFIERS)


def test_simplified_chinese_is_the_default():
    assert t("common.total") == t("common.total", "zh") == t("common.total", "zh-CN") == "总分"
    assert t("common.total", "en-GB") == "Total score"
