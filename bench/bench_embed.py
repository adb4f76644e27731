"""Budget check for the national embed: total transfer (gzipped, all responses) and time to
draw the map in headless Debian Chromium on localhost. Prints both; budget 300 KB and 1 s.

Usage: python bench/bench_embed.py [--runs 5] [--path /embed/ndrc-2017-simulated]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from cityrank.web.app import create_app

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
BUDGET_KB, BUDGET_S = 300, 1.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--path", default="/embed/ndrc-2017-simulated")
    opts = ap.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request drowns the figures
    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}{opts.path}"
    app.test_client().get(opts.path)  # warm the server-side caches: we measure the page, not the first build

    sizes, times, ttfb = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS)
        for _ in range(opts.runs):
            ctx = browser.new_context(viewport={"width": 800, "height": 600})  # cold cache each run
            page = ctx.new_page()
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            received: dict[str, int] = {}
            cdp.on("Network.loadingFinished", lambda e, r=received: r.__setitem__(e["requestId"], e["encodedDataLength"]))
            page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
            page.goto(url, wait_until="commit")
            # ms from navigation start until the city shapes are in the DOM (measured in-page)
            drawn = page.wait_for_function(
                "() => document.querySelectorAll('path.cr-scored').length > 0 && performance.now()")
            times.append(drawn.json_value() / 1000)
            ttfb.append(page.evaluate("performance.getEntriesByType('navigation')[0].responseStart") / 1000)
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)  # late image requests (Leaflet's default marker icon)
            sizes.append(sum(received.values()))
            ctx.close()
        browser.close()
    server.shutdown()
    kb = statistics.median(sizes) / 1024
    s = statistics.median(times)
    print(f"embed {opts.path}: transfer {kb:.1f} KB gzipped (all responses, budget {BUDGET_KB} KB)"
          f" {'OK' if kb <= BUDGET_KB else 'OVER'}")
    print(f"embed {opts.path}: map drawn in {s:.3f} s (median of {opts.runs}, budget {BUDGET_S} s)"
          f" {'OK' if s <= BUDGET_S else 'OVER'}")
    t = statistics.median(ttfb)
    print(f"embed {opts.path}: of which server response {t:.3f} s, drawing in the browser {s - t:.3f} s"
          f" (load average {os.getloadavg()[0]:.1f}: other processes slow both)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
