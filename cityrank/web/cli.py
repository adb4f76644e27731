"""Subcommands contributed by ``web``: ``cityrank serve`` (the server: ``web/server.py``)."""

from __future__ import annotations

from cityrank.web.server import DEFAULT_THREADS


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
    p = subparsers.add_parser("serve", help="run the map viewer, API, OGC API and embeds",
                              description="Serve the cityrank viewer on the bundled data (or --data DIR) "
                                          "with the waitress WSGI server.")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000; 0 picks a free one)")
    p.add_argument("--data", metavar="DIR", default=None, help="data directory with datasets.yaml (default: bundled data/)")
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                   help=f"worker threads of the server (default {DEFAULT_THREADS})")
    p.set_defaults(func=serve)


def serve(args) -> int:
    from cityrank.web.server import run

    return run(args.data, args.host, args.port, args.threads)
