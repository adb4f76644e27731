"""``cityrank publish``: a dataset's embed as a static folder any web server can host.

Newsrooms scale to millions of readers by serving files, not an application: this writes the
same page ``/embed/<dataset>`` serves (rendered by the viewer's templates), with every URL
made relative, and the files it loads -- the map client's script and stylesheet (esbuild's
bundle with its npm dependencies), the TopoJSON, one JSON of values per indicator, the scores as CSV, a PNG for readers without
JavaScript and ``embed-host.js`` for the host page -- then prints the snippet. Nothing in the
folder needs Python or reaches another host; the indicator can't be changed there (a static
folder has one view), but the classes are the browser's as on the server.
"""

from __future__ import annotations

from pathlib import Path

from cityrank.cli import options as o
from cityrank.i18n import t

DARK = {"auto": None, "on": "1", "off": "0"}


def register(sub, lang: str):
    from cityrank.geo.classify import CLASSIFIERS

    p = o.add_command(sub, "publish", lang)
    o.dataset(p, lang)
    o.indicator(p, lang, key="map.indicator")
    p.add_argument("--classification", choices=tuple(CLASSIFIERS), default="quantiles",
                   help=o.h("publish.classification", lang))
    p.add_argument("--classes", type=int, default=5, metavar="N", help=o.h("publish.classes", lang))
    p.add_argument("--dark", choices=tuple(DARK), default="auto", help=o.h("publish.dark", lang))
    p.add_argument("--base-url", default="", metavar="URL", help=o.h("publish.base_url", lang))
    p.add_argument("--out", required=True, metavar="DIR", help=o.h("publish.out", lang))
    o.lang(p, lang)
    return p


def _write(path: Path, data: bytes | str) -> int:
    from cityrank.atomic import atomic_write

    body = data.encode("utf-8") if isinstance(data, str) else data
    atomic_write(path, lambda tmp: tmp.write_bytes(body))
    return len(body)


def publish(dataset: str | None, out: Path, *, indicator: str = "total", classification: str = "quantiles",
            k: int = 5, lang: str = "zh", dark: str = "auto", app=None) -> list[Path]:
    """Write the folder; returns the files written. Parameters are checked first (the same
    errors as the server's), so nothing is written for a bad one."""
    from flask import render_template

    from cityrank import paths
    from cityrank.service import geometry, mapclient, pages, png
    from cityrank.service.vendor import client_files, client_path
    from cityrank.web.app import create_app

    app = app or create_app()
    site = app.extensions["cityrank"]
    args = {"indicator": indicator, "classification": classification, "k": str(k), "lang": lang}
    if DARK[dark] is not None:
        args["dark"] = DARK[dark]
    p = pages.parse_params(site, args, dataset)
    ds = site.dataset(p.dataset)
    files: dict[str, bytes | str] = {}
    client = client_files(app.config.get("VENDOR_DIR"))
    for name in client.values():
        files[f"assets/{name}"] = client_path(name, app.config.get("VENDOR_DIR")).read_bytes()
    topo = f"geo/{geometry.topology_name()}"
    files[topo] = geometry.topology_bytes()
    names = geometry.names_file(p.lang)
    if names:
        files[f"geo/{names[0]}"] = names[1]
    for ind in mapclient.indicators(ds, p.lang):
        files[f"data/values-{ind['id']}.json"] = mapclient.values(site, ds.id, {"indicator": ind["id"]}).body
    files["data/scores.csv"] = site.dataset(ds.id).scores().assign(synthetic=bool(ds.synthetic)).to_csv(index=False)
    files["map.png"] = png.embed_png(site, ds.id, args).body
    files["embed-host.js"] = (paths.WEB_DIR / "static" / "embed-host.js").read_bytes()
    urls = {"values": "data/values-{indicator}.json", "topology": topo, "names": names and f"geo/{names[0]}",
            "city": None, "png": None, "pdf": None}
    ctx = pages.map_context(site, p, mode="embed", urls=urls)
    ctx["assets"] = {key: f"assets/{name}" for key, name in client.items()}
    with app.test_request_context("/"):
        files["index.html"] = render_template("embed.html", ctx=ctx, lang=p.lang, data_url="data/scores.csv",
                                              png_url="map.png")
    written = []
    for rel, body in sorted(files.items()):
        _write(out / rel, body)
        written.append(out / rel)
    return written


def snippet(base_url: str, title: str) -> str:
    from markupsafe import escape

    base = base_url if not base_url or base_url.endswith("/") else base_url + "/"
    return (f'<iframe data-cityrank src="{escape(base)}index.html" title="{escape(title)}" '
            f'style="width:100%;height:640px;border:0" loading="lazy"></iframe>\n'
            f'<script src="{escape(base)}embed-host.js" async></script>')


def run(args) -> int:
    from cityrank.service import catalog
    from cityrank.web.app import create_app

    out = Path(args.out)
    app = create_app()
    written = publish(args.dataset, out, indicator=args.indicator, classification=args.classification,
                      k=args.classes, lang=args.lang, dark=args.dark, app=app)
    ds = app.extensions["cityrank"].dataset(args.dataset)
    kb = sum(f.stat().st_size for f in written) / 1024
    print(t("cli.publish.wrote", args.lang, n=len(written), path=out, kb=f"{kb:.0f}"))
    print(snippet(args.base_url, catalog.indicator_label(ds, args.indicator, args.lang)))
    return 0


__all__ = ["publish", "snippet"]
