"""Subcommands contributed by ``web``: ``cityrank serve``."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
    p = subparsers.add_parser("serve", help="run the map viewer, API, OGC API and embeds",
                              description="Serve the cityrank viewer on the bundled data (or --data DIR).")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000; 0 picks a free one)")
    p.add_argument("--data", metavar="DIR", default=None, help="data directory with datasets.yaml (default: bundled data/)")
    p.set_defaults(func=serve)


def serve(args) -> int:
    import threading

    from werkzeug.serving import make_server

    from cityrank.web.app import create_app

    app = create_app({"DATA_DIR": args.data} if args.data else None)
    app.extensions["cityrank"].catalog.ids()  # fail now (exit 2, clear message) on a bad --data dir
    # Build the default map, then the default analysis report, in the background so the first
    # visitor waits for neither (the report alone is seconds: PySAL imports, weights, SKATER).
    threading.Thread(target=_warm, args=(app,), daemon=True).start()
    server = make_server(args.host, args.port, app, threaded=True)
    host = args.host if ":" not in args.host else f"[{args.host}]"
    print(f"cityrank viewer: http://{host}:{server.server_port}/  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _warm(app) -> None:
    client = app.test_client()
    client.get("/")
    if "analysis" in app.blueprints:
        client.get("/analysis/")
