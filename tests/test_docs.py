"""Keep the docs honest: docs/cli.md is what scripts/gen_cli_docs.py writes from the parser
(every subcommand and option, help in both languages, examples that parse), README commands
exist, CI runs the README's test command."""

import argparse
import importlib.util
import re
import shlex
from pathlib import Path

import pytest

from cityrank.cli import build_parser
from cityrank.cli.options import DeprecatedAlias

ROOT = Path(__file__).resolve().parent.parent


def _gen():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _subparsers(lang="en"):
    for action in build_parser(lang)._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    raise AssertionError("no subcommands")


def test_cli_reference_is_current():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert doc == _gen().render(), "docs/cli.md is stale: run python scripts/gen_cli_docs.py"


def test_every_cli_option_is_documented():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = []
    for name, sub in _subparsers().items():
        if f"## `cityrank {name}`" not in doc:
            missing.append(name)
        for action in sub._actions:
            for opt in action.option_strings:
                if not opt.startswith("--"):
                    continue
                if isinstance(action, DeprecatedAlias):
                    if f"| `{name}` | `{opt}` | `{action.new}` |" not in doc:
                        missing.append(f"{name} {opt} (renamed)")
                elif opt not in doc:
                    missing.append(f"{name} {opt}")
    assert not missing, f"run scripts/gen_cli_docs.py; undocumented: {missing}"


def _examples(doc: str) -> dict[str, list[str]]:
    out = {}
    for section in re.split(r"\n## `cityrank ", doc)[1:]:
        name = section.split("`", 1)[0]
        out[name] = re.findall(r"### (?:示例|Examples)\n\n```bash\n(.*?)```", section, flags=re.S)
    return out


def test_examples_in_both_languages_parse():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    examples = _examples(doc)
    assert set(examples) == set(_subparsers())
    for name, blocks in examples.items():
        assert len(blocks) == 2, f"{name}: examples in 示例 and Examples"
        zh, en = blocks
        assert re.search(r"#.*[\u4e00-\u9fff]", zh) and re.search(r"# [a-z]", en)
        for block in blocks:
            commands = [line for line in block.splitlines() if line.startswith("cityrank ")]
            assert commands, name
            for line in commands:
                argv = shlex.split(line)[1:]
                try:
                    args = build_parser("zh").parse_args(argv)
                except SystemExit:
                    pytest.fail(f"example does not parse: {line}")
                assert args.command == name
                assert not getattr(args, "deprecated_options", None), f"example uses an old name: {line}"


def test_readme_commands_are_real_subcommands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", readme, flags=re.S))
    used = set(re.findall(r"^cityrank (\w+)", blocks, flags=re.M))
    used |= set(re.findall(r"\.venv/bin/cityrank (\w+)", blocks))
    assert used, "README shows no cityrank command"
    assert used <= set(_subparsers()), used - set(_subparsers())
    for line in re.findall(r"^cityrank .*$", blocks, flags=re.M):
        argv = shlex.split(line.replace("[", " ").replace("]", " "))[1:]
        args = build_parser("en").parse_known_args(argv)[0]
        assert not getattr(args, "deprecated_options", None), f"README uses an old option name: {line}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "scripts/setup.sh --test && .venv/bin/python -m pytest"
    assert command in readme and command in ci
