"""Subcommands contributed by ``web``."""


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
