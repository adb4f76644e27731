"""Keep the docs honest: every CLI subcommand and option is in docs/cli.md, README commands exist."""

import argparse
import re
from pathlib import Path

from cityrank.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _subparsers():
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    raise AssertionError("no subcommands")


def test_every_cli_option_is_documented():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = []
    for name, sub in _subparsers().items():
        if f"## `cityrank {name}`" not in doc:
            missing.append(name)
        for action in sub._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt not in doc:
                    missing.append(f"{name} {opt}")
    assert not missing, f"run scripts/gen_cli_docs.py; undocumented: {missing}"


def test_readme_commands_are_real_subcommands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", readme, flags=re.S))
    used = set(re.findall(r"^cityrank (\w+)", blocks, flags=re.M))
    used |= set(re.findall(r"\.venv/bin/cityrank (\w+)", blocks))
    assert used, "README shows no cityrank command"
    assert used <= set(_subparsers()), used - set(_subparsers())


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "scripts/setup.sh --test && .venv/bin/python -m pytest"
    assert command in readme and command in ci
