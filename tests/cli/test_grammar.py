"""One grammar: the same option name, metavar and default for the same thing in every
subcommand; old spellings are hidden aliases with a notice; help exists in both languages;
no CLI code left in the core packages."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cityrank.cli import build_parser
from cityrank.cli.options import DeprecatedAlias

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def commands(lang: str = "zh") -> dict[str, argparse.ArgumentParser]:
    for action in build_parser(lang)._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def options(parser) -> dict[str, argparse.Action]:
    return {opt: a for a in parser._actions for opt in a.option_strings
            if opt.startswith("--") and not isinstance(a, DeprecatedAlias)}


READS_A_TABLE = ("validate", "score", "uncertainty", "coherence", "map", "analyze")
STORES_A_TABLE = ("datasets",)  # datasets add: read like score, kept in the store
SPATIAL = ("covariates", "grid", "export")  # read tables as they are: no missing-value policy
SCORED = READS_A_TABLE + STORES_A_TABLE  # scored on a city list: --missing, --year/--vintage
EXPECTED = {
    "--data": SCORED + SPATIAL,
    "--encoding": SCORED + SPATIAL, "--sheet": SCORED + SPATIAL, "--decimal": SCORED + SPATIAL,
    "--missing": SCORED, "--year": SCORED, "--vintage": SCORED,
    "--system": ("validate", "score", "template", "uncertainty", "coherence", "map", "analyze",
                 "datasets"),
    "--dataset": ("map", "analyze", "publish", "datasets", "covariates"),
    "--indicator": ("map", "analyze", "grid", "export", "publish"),
    "--out": ("score", "template", "uncertainty", "coherence", "map", "analyze", "publish",
              "compare", "datasets") + SPATIAL,
    "--lang": ("validate", "score", "template", "uncertainty", "coherence", "map", "analyze",
               "serve", "publish", "compare", "datasets") + SPATIAL,
    "--classes": ("map", "publish"), "--neighbours": ("analyze",),
    "--boundaries": ("map", "analyze", "covariates", "grid"),
    "--id-column": ("map", "analyze") + SPATIAL,
    "--engine": ("covariates", "grid", "analyze", "score"),
    "--scheduler": ("covariates", "grid", "analyze", "score"),
    "--data-dir": ("serve", "compare", "datasets", "covariates", "analyze"), "--threads": ("serve",),
    "--from": ("compare",), "--to": ("compare",),
}


@pytest.mark.parametrize("option", sorted(EXPECTED))
def test_each_thing_has_one_name_everywhere(option):
    have = {name for name, p in commands().items() if option in options(p)}
    assert have == set(EXPECTED[option])


def test_same_option_same_metavar_choices_and_default():
    seen: dict[str, tuple] = {}
    for name, p in commands().items():
        for opt, a in options(p).items():
            if opt in ("--help", "--out"):  # --out's help names each command's formats
                continue
            # a grid or a layer to export has no "total" column: --indicator's default differs
            default = None if opt == "--indicator" else a.default
            sig = (a.metavar, tuple(a.choices or ()), default, a.type)
            assert seen.setdefault(opt, sig) == sig, f"{name} {opt}: {sig} vs {seen[opt]}"


def test_lang_is_zh_by_default_everywhere():
    for name, p in commands().items():
        lang = options(p)["--lang"]
        assert lang.default == "zh" and tuple(lang.choices) == ("zh", "en"), name
    assert options(commands("en")["map"])["--lang"].default == "en"  # built from --lang en


def test_old_spellings_are_hidden_aliases():
    aliases = {name: {opt: a.new for a in p._actions if isinstance(a, DeprecatedAlias)
                      for opt in a.option_strings} for name, p in commands().items()}
    assert aliases["map"] == {"--scores": "--data", "--k": "--classes"}
    assert aliases["analyze"] == {"--scores": "--data", "--geodata": "--boundaries", "--id": "--id-column",
                                  "--value": "--indicator", "--k": "--neighbours"}
    assert aliases["serve"] == {"--data": "--data-dir"}
    for name, p in commands().items():
        assert not re.search(r"--(k|scores)\b", p.format_help()), name


@pytest.mark.parametrize(
    ("argv", "dest", "value"),
    [
        (["map", "--scores", "s.csv", "--out", "m.png"], "data", "s.csv"),
        (["map", "--k", "4", "--out", "m.png"], "classes", 4),
        (["analyze", "--value", "x1", "--out", "r.json"], "indicator", "x1"),
        (["analyze", "--k", "6", "--out", "r.json"], "neighbours", 6),
        (["analyze", "--geodata", "g.geojson", "--id", "gid", "--out", "r.json"], "id_column", "gid"),
        (["serve", "--data", "/srv/d"], "data_dir", "/srv/d"),
    ],
)
def test_aliases_fill_the_new_option(argv, dest, value):
    args = build_parser("zh").parse_args(argv)
    assert getattr(args, dest) == value
    assert [new for _old, new in args.deprecated_options]


def test_help_in_both_languages():
    zh, en = commands("zh"), commands("en")
    for name in zh:
        zh_help, en_help = zh[name].format_help(), en[name].format_help()
        assert zh_help.startswith("用法：") and "示例：" in zh_help and f"cityrank {name}" in zh_help
        assert en_help.startswith("usage: ") and "examples:" in en_help
        for opt, action in options(zh[name]).items():
            other = options(en[name])[opt]
            assert CJK.search(action.help), f"{name} {opt} has no Chinese help"
            assert action.help != other.help, f"{name} {opt}: same help in both languages"


def test_the_core_has_no_cli_code():
    for package in ("scoring", "geo", "web"):
        pkg = ROOT / "cityrank" / package
        assert not list(pkg.rglob("cli.py")), package
        for py in pkg.rglob("*.py"):
            text = py.read_text(encoding="utf-8")
            assert "import argparse" not in text and "cityrank.cli" not in text, py


def test_missing_help_explains_every_policy():
    from cityrank.scoring.missing import POLICIES

    for lang in ("zh", "en"):
        for name, p in commands(lang).items():
            if "--missing" in options(p):
                text = options(p)["--missing"].help
                assert all(policy in text for policy in POLICIES), (lang, name, text)


def test_cli_strings_have_the_same_placeholders_in_both_languages():
    from cityrank.i18n import catalogue, placeholders

    cli = {k: v for k, v in catalogue().items() if k.startswith("cli.")}
    assert len(cli) > 100
    for key, pair in cli.items():
        assert placeholders(pair["zh"]) == placeholders(pair["en"]), key
