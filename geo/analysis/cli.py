"""Subcommands contributed by ``geo.analysis``."""


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
