"""Size and speed of the map client, in one run, in headless Debian Chromium on localhost:

* first-load and cached-load bytes (gzip, all responses, headers included) of the embed (Chinese,
  and English: the geometry's English names are a file of their own) and of the viewer; budgets
  100 KB and 15 KB for the embed;
* time from navigation to the shapes drawn: the embed, a bare Leaflet page drawing the same
  TopoJSON (leaflet + topojson-client, nothing else) and the ratio (budget 1.5x); and a bare
  MapLibre GL page drawing the same geometry (the alternative the client was measured against);
* recolour time in the viewer: another classification / class count (no request) and another
  indicator (one small JSON), and the bytes of the libraries each option loads.

The reference pages are served by the same server in the same run (extra routes on the app).

Usage: python bench/bench_embed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import shutil
import statistics
import tempfile
import threading
from pathlib import Path

from flask import send_from_directory
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from cityrank.service.response import IMMUTABLE_CACHE, representation
from cityrank.web.app import create_app
from cityrank.web.respond import respond

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
DATASET = "ndrc-2017-simulated"
EMBED, VIEWER = f"/embed/{DATASET}", "/"
EMBED_EN = EMBED + "?lang=en"  # adds the English names (one small immutable file)
FIRST_KB, CACHED_KB, RATIO = 100, 15, 1.5

BARE_LEAFLET = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="leaflet.css"><script src="leaflet.js"></script><script src="topojson-client.min.js"></script>
</head><body style="margin:0"><div id="m" style="width:100%;height:560px"></div><script src="bare-leaflet.js"></script></body></html>"""
BARE_LEAFLET_JS = """fetch("topo.json").then(r => r.json()).then(t => {
  const m = L.map("m", {zoomSnap: 0, attributionControl: false});
  m.fitBounds([[17.5, 73.4], [53.7, 135.2]]);
  L.geoJSON(topojson.feature(t, t.objects.units), {style: {weight: 0.6, color: "#fff", fillColor: "#41b6c4", fillOpacity: 1}}).addTo(m);
  window.__drawn = performance.now();
});"""
BARE_MAPLIBRE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="maplibre-gl.css"><script src="maplibre-gl.js"></script><script src="topojson-client.min.js"></script>
</head><body style="margin:0"><div id="m" style="width:100%;height:560px"></div><script src="bare-maplibre.js"></script></body></html>"""
BARE_MAPLIBRE_JS = """fetch("topo.json").then(r => r.json()).then(t => {
  const gj = topojson.feature(t, t.objects.units);
  const m = new maplibregl.Map({container: "m", style: {version: 8, sources: {}, layers: [
      {id: "bg", type: "background", paint: {"background-color": "#eef3f7"}}]},
    bounds: [[73.4, 17.5], [135.2, 53.7]], attributionControl: false});
  m.on("load", () => {
    m.addSource("u", {type: "geojson", data: gj});
    m.addLayer({id: "f", type: "fill", source: "u", paint: {"fill-color": "#41b6c4", "fill-outline-color": "#fff"}});
    m.once("idle", () => { window.__drawn = performance.now(); });
  });
  m.on("error", (e) => { window.__failed = String(e.error || e); });
});"""


def reference_dir() -> Path:
    """The bare pages and their files (npm copies, the same TopoJSON) in a temp folder."""
    from cityrank import paths
    from cityrank.service.geometry import topology_bytes

    d = Path(tempfile.mkdtemp(prefix="cityrank-bench-"))
    nm = ROOT / "node_modules"
    for src in ("leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css", "topojson-client/dist/topojson-client.min.js",
                "maplibre-gl/dist/maplibre-gl.js", "maplibre-gl/dist/maplibre-gl.css"):
        if (nm / src).is_file():
            shutil.copyfile(nm / src, d / Path(src).name)
    (d / "topo.json").write_bytes(topology_bytes())
    for name, text in (("bare-leaflet.html", BARE_LEAFLET), ("bare-leaflet.js", BARE_LEAFLET_JS),
                       ("bare-maplibre.html", BARE_MAPLIBRE), ("bare-maplibre.js", BARE_MAPLIBRE_JS)):
        (d / name).write_text(text, encoding="utf-8")
    assert paths.WEB_TOPOLOGY.is_file()
    return d


def gz_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), 9)) / 1024 if path.is_file() else float("nan")


class Meter:
    """Bytes received by one page (CDP: encodedDataLength, headers included)."""

    def __init__(self, ctx, page):
        self.cdp = ctx.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.bytes: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        self.cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        self.cdp.on("Network.loadingFinished", lambda e: self.bytes.__setitem__(e["requestId"], e["encodedDataLength"]))

    def take(self) -> int:
        total = sum(self.bytes.values())
        if os.environ.get("BENCH_DETAIL"):
            for rid, n in sorted(self.bytes.items(), key=lambda kv: -kv[1]):
                print(f"    {n / 1024:7.1f} KB {self.urls.get(rid, rid)[:110]}")
        self.bytes.clear()
        return total


def drawn_js(kind: str) -> str:
    if kind == "client":
        return "() => document.querySelector('[data-cr-map].cr-ready') && performance.now()"
    return "() => window.__drawn || (window.__failed && -1)"


def load(browser, url: str, kind: str, cached: bool = False):
    """(bytes first, bytes cached or None, ms to drawn) of one page in a fresh context."""
    ctx = browser.new_context(viewport={"width": 800, "height": 700})
    page = ctx.new_page()
    # no page.route here: Playwright's routing switches the HTTP cache off (the tests block
    # other hosts; these pages request none)
    meter = Meter(ctx, page)
    page.goto(url, wait_until="commit")
    try:
        ms = page.wait_for_function(drawn_js(kind), timeout=60000 if kind == "client" else 20000).json_value()
    except Exception:  # noqa: BLE001 - a reference page that never draws (MapLibre without WebGL)
        if kind == "client":
            raise
        ms = -1
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    first = meter.take()
    again = None
    if cached:
        page.goto(url, wait_until="load")
        page.wait_for_function(drawn_js(kind), timeout=60000)
        page.wait_for_timeout(200)
        again = meter.take()
    ctx.close()
    return first, again, ms


def recolour_times(browser, base: str, runs: int) -> tuple[float, float]:
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    page.goto(base + VIEWER, wait_until="load")
    page.wait_for_selector("[data-cr-map].cr-ready")
    classes, indicator = [], []
    for i in range(runs):
        method = ("natural_breaks", "equal_interval", "quantiles")[i % 3]
        classes.append(page.evaluate("""async (m) => { const c = document.querySelector('[data-cr-map]').cityMap;
            const t = performance.now(); await c.update({classification: m, k: 5 + (c.state.k % 3)});
            return performance.now() - t; }""", method))
        ind = ("perception", "management", "total")[i % 3]
        indicator.append(page.evaluate("""async (ind) => { const c = document.querySelector('[data-cr-map]').cityMap;
            const t = performance.now(); await c.update({indicator: ind}); return performance.now() - t; }""", ind))
    ctx.close()
    return statistics.median(classes), statistics.median(indicator)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    opts = ap.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app()
    ref = reference_dir()
    def reference(name: str):  # served like the client's files: gzip once, ETag, immutable
        import mimetypes

        path = ref / name
        if not path.is_file():
            return send_from_directory(ref, name)
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return respond(representation(path.read_bytes(), kind, cache_control=IMMUTABLE_CACHE))

    app.add_url_rule("/bench/<path:name>", "bench_ref", reference)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    client = app.test_client()
    for path in (EMBED, EMBED_EN, VIEWER):
        client.get(path)  # the server's caches warm: we measure the pages, not the first build

    results: dict[str, list] = {k: [] for k in ("embed", "embed_en", "viewer", "leaflet", "maplibre")}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS)
        for _ in range(opts.runs):  # interleaved, so load on the machine hits all alike
            results["embed"].append(load(browser, base + EMBED, "client", cached=True))
            results["leaflet"].append(load(browser, base + "/bench/bare-leaflet.html", "bare"))
            results["embed_en"].append(load(browser, base + EMBED_EN, "client", cached=True))
            results["viewer"].append(load(browser, base + VIEWER, "client", cached=True))
            if (ref / "maplibre-gl.js").is_file():
                results["maplibre"].append(load(browser, base + "/bench/bare-maplibre.html", "bare"))
        recolour, indicator = recolour_times(browser, base, max(opts.runs, 3))
        browser.close()
    server.shutdown()

    def med(key, i):
        vals = [r[i] for r in results[key] if r[i] is not None]
        return statistics.median(vals) if vals else float("nan")

    e_first, e_cached, e_ms = med("embed", 0) / 1024, med("embed", 1) / 1024, med("embed", 2)
    l_first, l_ms = med("leaflet", 0) / 1024, med("leaflet", 2)
    v_first, v_cached, v_ms = med("viewer", 0) / 1024, med("viewer", 1) / 1024, med("viewer", 2)
    ok = lambda good: "OK" if good else "OVER"  # noqa: E731
    print(f"medians of {opts.runs} runs, 800x700 px, gzip, all responses with headers "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(f"embed  first load {e_first:6.1f} KB (budget {FIRST_KB}) {ok(e_first <= FIRST_KB)}; "
          f"cached {e_cached:5.1f} KB (budget {CACHED_KB}) {ok(e_cached <= CACHED_KB)}")
    print(f"embed (English) first load {med('embed_en', 0) / 1024:6.1f} KB; cached {med('embed_en', 1) / 1024:5.1f} KB")
    print(f"viewer first load {v_first:6.1f} KB; cached {v_cached:5.1f} KB (the viewer adds Bootstrap CSS and its controls)")
    print(f"drawn: embed {e_ms:6.0f} ms, viewer {v_ms:6.0f} ms, bare Leaflet + same TopoJSON {l_ms:6.0f} ms "
          f"({l_first:.1f} KB); ratio embed/bare {e_ms / l_ms:.2f} (budget {RATIO}) {ok(e_ms / l_ms <= RATIO)}")
    if results["maplibre"]:
        m_ms = med("maplibre", 2)
        drawn = "not drawn (no WebGL)" if m_ms < 0 else f"drawn in {m_ms:.0f} ms"
        print(f"MapLibre GL bare page: {med('maplibre', 0) / 1024:.1f} KB first load "
              f"(maplibre-gl.js alone {gz_kb(ref / 'maplibre-gl.js'):.1f} KB gzip + css {gz_kb(ref / 'maplibre-gl.css'):.1f}), "
              f"{drawn}; Leaflet {gz_kb(ref / 'leaflet.js'):.1f} KB + css {gz_kb(ref / 'leaflet.css'):.1f} "
              f"+ topojson-client {gz_kb(ref / 'topojson-client.min.js'):.1f} KB: Leaflet chosen "
              f"(MapLibre alone is over the {FIRST_KB} KB first-load budget and needs WebGL)")
    else:
        print("MapLibre GL: node_modules/maplibre-gl missing (npm ci installs the devDependency)")
    print(f"recolour in the viewer (293 cities): classification/classes {recolour:.1f} ms (no request), "
          f"indicator {indicator:.1f} ms (one values JSON)")
    print(json.dumps({"embed_first_kb": round(e_first, 1), "embed_cached_kb": round(e_cached, 1),
                      "embed_en_first_kb": round(med("embed_en", 0) / 1024, 1),
                      "viewer_first_kb": round(v_first, 1), "viewer_cached_kb": round(v_cached, 1),
                      "embed_ms": round(e_ms), "bare_leaflet_ms": round(l_ms), "ratio": round(e_ms / l_ms, 2),
                      "recolour_ms": round(recolour, 1), "indicator_ms": round(indicator, 1)}))
    shutil.rmtree(ref, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
