"""Subcommands contributed by ``scoring``."""


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
