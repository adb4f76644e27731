"""Screenshots of the embed (390 / 600 / 1,024 px, light and dark) into docs/, and of any other
page for a look: headless Debian Chromium against the app on a local port, every other host
blocked.

Usage: python scripts/screenshots.py [--out docs] [--extra PATH@WIDTH[@dark] ...]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATASET = "ndrc-2017-simulated"
EMBED_WIDTHS = (390, 600, 1024)


def main() -> int:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from cityrank.web.app import create_app

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--extra", nargs="*", default=[], help="PATH@WIDTH[@dark] -> out/extra-<n>.png")
    opts = ap.parse_args()
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    jobs = [(f"/embed/{DATASET}", w, scheme, out / f"embed-{w}-{scheme}.png")
            for w in EMBED_WIDTHS for scheme in ("light", "dark")]
    for i, spec in enumerate(opts.extra):
        path, width, *rest = spec.split("@")
        jobs.append((path, int(width), "dark" if rest else "light", out / f"extra-{i}.png"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        for path, width, scheme, target in jobs:
            ctx = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
            page = ctx.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
            page.goto(base + path, wait_until="load")
            if page.locator("[data-cr-map]").count():
                page.wait_for_selector("[data-cr-map].cr-ready", timeout=20000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(target), full_page=True)
            print(f"screenshots: {target} ({path} at {width} px, {scheme})")
            ctx.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
