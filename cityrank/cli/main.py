"""The ``cityrank`` command: parse the arguments, run one subcommand, turn typed errors of the
core (:class:`cityrank.errors.CityrankError`) into a message on stderr and exit code 2.

``main(argv)`` returns the exit code instead of exiting, so tests call it in process.
"""

from __future__ import annotations

import importlib
import sys

from cityrank import __version__
from cityrank.cli import options
from cityrank.cli.options import Parser, argv_lang, default_lang, h
from cityrank.cli.output import error_text
from cityrank.errors import CityrankError
from cityrank.i18n import t

# One module per subcommand, cityrank/cli/<name>.py with register(subparsers, lang) and
# run(args); the order is the order in --help.
COMMANDS = ("validate", "score", "template", "uncertainty", "coherence", "map", "analyze",
            "covariates", "grid", "export", "publish", "compare", "datasets", "serve")


def build_parser(lang: str | None = None) -> Parser:
    """The whole parser, its help in ``lang`` (default: ``CITYRANK_LANG``, else Chinese)."""
    lang = lang or default_lang()
    parser = Parser(prog="cityrank", lang=lang, description=t("cli.description", lang))
    parser.add_argument("--version", action="version", version=f"cityrank {__version__}",
                        help=h("help.version", lang))
    options.lang(parser, lang)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                title=t("cli.help.commands", lang))
    for name in COMMANDS:
        module = importlib.import_module(f"cityrank.cli.{name}")
        module.register(sub, lang).set_defaults(func=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``cityrank`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv_lang(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors (already printed)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    lang = args.lang
    for old, new in getattr(args, "deprecated_options", ()):
        print(t("cli.deprecated", lang, old=old, new=new), file=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except CityrankError as exc:
        print(t("cli.error", lang, command=args.command, message=error_text(exc, lang)),
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
