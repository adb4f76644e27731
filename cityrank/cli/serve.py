"""``cityrank serve``: the map viewer, API, OGC API and embeds over HTTP."""

from __future__ import annotations

from cityrank.cli import options as o
from cityrank.i18n import t

THREADS = 8  # the production server's default (cityrank.web.server.DEFAULT_THREADS once merged)


def register(sub, lang: str):
    p = o.add_command(sub, "serve", lang)
    p.add_argument("--host", default="127.0.0.1", help=o.h("serve.host", lang))
    p.add_argument("--port", type=int, default=5000, help=o.h("serve.port", lang))
    o.alias(p, "--data", p.add_argument("--data-dir", metavar="DIR", default=None,
                                        help=o.h("serve.data_dir", lang)))
    p.add_argument("--threads", type=o.positive_int, default=THREADS, metavar="N",
                   help=o.h("serve.threads", lang, default=THREADS))
    o.lang(p, lang)
    return p


def run(args) -> int:
    from cityrank.web.app import create_app

    app = create_app({"DATA_DIR": args.data_dir} if args.data_dir else None)
    app.extensions["cityrank"].catalog.ids()  # fail now (exit 2, clear message) on a bad --data-dir
    return _serve(app, host=args.host, port=args.port, threads=args.threads, lang=args.lang)


def _serve(app, *, host: str, port: int, threads: int, lang: str) -> int:
    """Run ``app`` until Ctrl-C. Werkzeug's threaded server (one thread per request; ``threads``
    is for the production server, cityrank.web.server, which takes over this function)."""
    import threading

    from werkzeug.serving import make_server

    # Build the default map, then the default analysis report, in the background so the first
    # visitor waits for neither (the report alone is seconds: PySAL imports, weights, SKATER).
    threading.Thread(target=_warm, args=(app,), daemon=True).start()
    server = make_server(host, port, app, threaded=True)
    shown = host if ":" not in host else f"[{host}]"
    print(t("cli.serve.listening", lang, url=f"http://{shown}:{server.server_port}/"), flush=True)
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
