"""The production server behind ``cityrank serve``: waitress (pure Python, so it runs on the
Windows desktops many government users have), a configurable number of threads.

For Linux deployments with several worker processes, run the same app under gunicorn
(``gunicorn -w 4 'cityrank.web.app:create_app()'``; see ``cityrank/web/README.md`` for what
that means for uploads, which live in one process's memory).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

DEFAULT_THREADS = 8
Listen = list[tuple[str, int]]


def serve(app, host: str = "127.0.0.1", port: int = 5000, threads: int = DEFAULT_THREADS, *,
          on_ready: Callable[[Listen], None] | None = None) -> None:
    """Serve ``app`` with waitress until interrupted (Ctrl-C).

    ``on_ready(listen)`` is called once the sockets are bound, with the real ``(host, port)``
    pairs (``port=0`` picks a free port).
    """
    from waitress.server import create_server

    server = create_server(app, host=host, port=port, threads=threads)
    listen = list(getattr(server, "effective_listen", None) or
                  [(server.effective_host, server.effective_port)])
    if on_ready is not None:
        on_ready(listen)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def describe(app, listen: Listen, threads: int, lang: str = "zh") -> str:
    """What ``cityrank serve`` prints, in the command's language: the address first, then what
    is served, where the data and uploads are kept, and by which server."""
    from cityrank.i18n import t

    site = app.extensions["cityrank"]
    catalog = site.catalog
    store = site.uploads
    ids = catalog.ids()
    lines = [t("cli.serve.listening", lang, url=url(*listen[0]))]
    lines += [t("cli.serve.also", lang, url=url(h, p)) for h, p in listen[1:]]
    lines += [
        t("cli.serve.datasets", lang, n=len(ids), ids=", ".join(ids), default=catalog.default_id),
        t("cli.serve.data", lang, path=catalog.path),
        t("cli.serve.uploads", lang, n=store.max_items, hours=f"{store.ttl / 3600:g}"),
        t("cli.serve.cache", lang, mb=f"{site.cache.max_bytes / 2**20:g}"),
        t("cli.serve.server", lang, threads=threads),
        t("cli.serve.trusted", lang, hosts=", ".join(app.config.get("TRUSTED_HOST_NAMES", ())),
          setting="CITYRANK_TRUSTED_HOSTS"),
    ]
    return "\n".join(lines)


def warm(app) -> None:
    """Build the default map, then the default analysis report, so the first visitor waits
    for neither (the report alone is seconds: PySAL imports, weights, SKATER)."""
    client = app.test_client()
    client.get("/")
    client.get("/analysis/")


def run(data_dir: str | None = None, host: str = "127.0.0.1", port: int = 5000,
        threads: int = DEFAULT_THREADS, *, lang: str = "zh",
        out: Callable[[str], None] | None = None) -> int:
    """``cityrank serve``: build the app on ``data_dir`` (default: the bundled data), check the
    catalog (a bad directory fails now, with a clear CityrankError), warm it up in the
    background and serve it. Returns the exit code."""
    from cityrank.web.app import create_app

    if threads < 1:
        from cityrank.errors import ParameterError

        raise ParameterError(f"--threads must be at least 1, got {threads}")
    app = create_app({"DATA_DIR": data_dir, "BIND_HOST": host} if data_dir else {"BIND_HOST": host})
    app.extensions["cityrank"].catalog.ids()
    threading.Thread(target=warm, args=(app,), daemon=True, name="cityrank-warm").start()
    say = out or (lambda text: print(text, flush=True))
    serve(app, host, port, threads, on_ready=lambda listen: say(describe(app, listen, threads, lang)))
    return 0
