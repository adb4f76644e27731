"""Subcommands contributed by ``geo``."""


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
