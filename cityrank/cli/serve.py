"""``cityrank serve``: the map viewer, API, OGC API and embeds over HTTP."""

from __future__ import annotations

from cityrank.cli import options as o
from cityrank.web.server import DEFAULT_THREADS as THREADS


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
    from cityrank.web.server import run as run_server

    return run_server(args.data_dir, args.host, args.port, args.threads, lang=args.lang)
