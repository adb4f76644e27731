"""The ``cityrank`` command. Each package contributes its subcommands through ``register``.

The CLI calls the same core functions the web layer calls; it only parses arguments, prints,
and turns :class:`cityrank.errors.CityrankError` into a message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from cityrank import __version__
from cityrank.errors import CityrankError

# Modules that each define ``register(subparsers)``; the order is the order in --help.
COMMAND_MODULES = ("cityrank.scoring.cli", "cityrank.geo.cli", "cityrank.geo.analysis.cli", "cityrank.geo.grid_cli",
                   "cityrank.web.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cityrank",
        description="Score, map and analyse Chinese prefecture-level cities.",
    )
    parser.add_argument("--version", action="version", version=f"cityrank {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CityrankError as exc:
        print(f"cityrank {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
