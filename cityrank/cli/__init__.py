"""The ``cityrank`` command line: a thin adapter from the shell to the core.

``main.py`` builds the parser and runs one subcommand; each subcommand is one module
(``validate``, ``score``, ``template``, ``map``, ``analyze``, ``serve``); ``options.py`` holds
the option builders every subcommand shares, so one thing has one name everywhere. Messages
come from the catalogue (``cityrank/i18n/cli.yaml``) in the command's ``--lang``.
"""

from cityrank.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
