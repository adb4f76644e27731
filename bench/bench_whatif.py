"""Time per what-if weight update in a real browser (headless Debian Chromium, localhost):
the viewer's map of 293 cities, the what-if panel open, a first-level slider moved N times
(an ``input`` event each, as a drag or an arrow key fires it). Printed per case:

* ``script``: the input event's handler from dispatch to return -- totals, ranks, classes,
  the styles of every polygon, legend, data table, caption and URL (whatif.js -> CityMap);
* ``frame``: dispatch to the end of the next rendered frame (a task queued from its
  animation-frame callback: the update's style, layout and paint included, plus the wait
  for the frame, up to one frame interval);
* ``arith``: the arithmetic alone (``reweigh``: 293 totals, ranks, order);

median and p95 over the updates, with the data table closed, open below the fold (the
sliders in view) and open in view. Target: < 50 ms. The machine's load average is printed:
on a shared machine the figures include waiting for a core.

Usage: python bench/bench_whatif.py [--updates 50] [--width 1366]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from cityrank.web.app import create_app

ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync"]
DATASET = "ndrc-2017-simulated"

MEASURE = """async ([n, id]) => {
  const m = document.querySelector('[data-cr-map]').cityMap;
  const input = document.getElementById('cr-w-' + id);
  // the next frame's callbacks run, then style, layout and paint; a task queued from the
  // callback runs after that frame is rendered
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const script = [], framed = [], arith = [];
  await frame();
  for (let i = 0; i < n; i++) {
    input.value = String(5 + ((i * 7) % 90));
    const t0 = performance.now();
    input.dispatchEvent(new Event('input', { bubbles: true }));
    script.push(performance.now() - t0);
    await frame();
    framed.push(performance.now() - t0);
    const w = m.whatif.weights();
    const t1 = performance.now();
    m.whatif.arithmetic(w);
    arith.push(performance.now() - t1);
  }
  return { script, framed, arith, n: m.payload.n, rows: document.querySelectorAll('table.cr-table tbody tr').length };
}"""


def stats(xs: list[float]) -> tuple[float, float]:
    s = sorted(xs)
    med = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
    return med, s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", type=int, default=50)
    ap.add_argument("--width", type=int, default=1366)
    a = ap.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app({"TESTING": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    print(f"what-if weight updates, {DATASET}, viewer at {a.width} px, {a.updates} updates per case "
          "(headless Chromium; ms)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'case':<22}{'cities':>7}{'script p50':>12}{'p95':>8}{'frame p50':>11}{'p95':>8}{'arith p50':>11}{'p95':>8}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=ARGS)
        try:
            cases = (("data table closed", None), ("table open, below", "top"), ("table open, in view", "table"))
            for name, table in cases:
                ctx = browser.new_context(viewport={"width": a.width, "height": 900})
                page = ctx.new_page()
                page.goto(f"{base}/?dataset={DATASET}")
                page.wait_for_selector("[data-cr-map].cr-ready")
                page.locator("details.cr-whatif summary").click()
                if table:
                    page.locator("details.cr-table-wrap summary").click()
                    page.evaluate("(where) => where === 'top' ? window.scrollTo(0, 0) : "
                                  "document.querySelector('table.cr-table').scrollIntoView()", table)
                page.evaluate(MEASURE, [5, "services"])  # warm-up (JIT)
                r = page.evaluate(MEASURE, [a.updates, "collaboration"])
                (sm, sp), (fm, fp), (am, ap_) = stats(r["script"]), stats(r["framed"]), stats(r["arith"])
                print(f"{name:<22}{r['n']:>7}{sm:>12.1f}{sp:>8.1f}{fm:>11.1f}{fp:>8.1f}{am:>11.2f}{ap_:>8.2f}")
                ctx.close()
        finally:
            browser.close()
            server.shutdown()


if __name__ == "__main__":
    main()
