"""The production server behind ``cityrank serve``: waitress (pure Python, so it runs on the
Windows desktops many government users have), a configurable number of threads.

For Linux deployments with several worker processes, run the same app under gunicorn
(``gunicorn -w 4 'cityrank.web.app:create_app()'``): every worker serves the same datasets from
the one database (SQLite in the data directory, or ``CITYRANK_DATABASE_URL``).
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
    from cityrank.store import redact

    site = app.extensions["cityrank"]
    catalog = site.catalog
    limits = site.limits
    ids = [d.id for d in site.datasets()]
    lines = [t("cli.serve.listening", lang, url=url(*listen[0]))]
    lines += [t("cli.serve.also", lang, url=url(h, p)) for h, p in listen[1:]]
    lines += [
        t("cli.serve.datasets", lang, n=len(ids), ids=", ".join(ids), default=catalog.default_id),
        t("cli.serve.data", lang, path=catalog.path),
        t("cli.serve.store", lang, path=site.store_dir, db=redact(site.database_url)),
        t("cli.serve.uploads_ttl", lang, n=limits.per_client, hours=f"{limits.ttl / 3600:g}")
        if limits.ttl else t("cli.serve.uploads", lang, n=limits.per_client),
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
        out: Callable[[str], None] | None = None, warm_up: bool = True) -> int:
    """``cityrank serve``: build the app on the data directory ``data_dir`` (default
    ``$CITYRANK_DATA_DIR`` or the per-user one; a ``datasets.yaml`` in it replaces the bundled
    catalog), open the catalog and the store now (a bad directory or database fails here, with
    a clear CityrankError), warm it up in the background and serve it until Ctrl-C or SIGTERM
    (both remove this process's private temporary files). Returns the exit code."""
    from pathlib import Path

    from cityrank.errors import NotFoundError, ParameterError
    from cityrank.web.app import create_app

    if threads < 1:
        raise ParameterError(f"--threads must be at least 1, got {threads}")
    config = {"BIND_HOST": host}
    if data_dir:
        path = Path(data_dir)
        if not path.is_dir():
            raise NotFoundError(f"{path}: data directory not found")
        config["STORE_DIR"] = path
        if (path / "datasets.yaml").exists():
            config["DATA_DIR"] = path
    app = create_app(config)
    site = app.extensions["cityrank"].open()
    _exit_on_sigterm()
    if warm_up:
        threading.Thread(target=warm, args=(app,), daemon=True, name="cityrank-warm").start()
    say = out or (lambda text: print(text, flush=True))
    try:
        serve(app, host, port, threads,
              on_ready=lambda listen: say(describe(app, listen, threads, lang)))
    finally:
        site.close()
    return 0


def _exit_on_sigterm() -> None:
    """SIGTERM (systemd, docker stop, kill) ends the server like Ctrl-C, so ``finally`` and
    ``atexit`` run (the private temporary files go); only the main thread may set it."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
