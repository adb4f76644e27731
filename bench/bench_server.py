"""Requests/s and latency of the viewer's busiest URLs: the previous development server against
the production server with HTTP caching, in one run, on loopback, gzip accepted.

(a) "before": the code of commit 6975349 (``git archive``, run as a subprocess with this
    environment's Python): Werkzeug's ``make_server(threaded=True)``, every response gzipped
    again per request, no ETag on these URLs;
(b) "after": this checkout's ``cityrank serve`` (waitress, ``--threads``), bodies cached with
    their gzip form and ETags.

For each server it prints the time from process start to the first 200 of ``/``, then for
``/``, the geometry API, the scores API and the embed, at concurrency 1 and 8: requests/s,
p50 and p99 latency (ms), and the after/before ratio of requests/s. A last row shows a
browser's revalidation of ``/`` (``If-None-Match`` -> 304) on the new server (waitress 3.0
closes the connection after every 304, so each revalidation pays a new TCP connection). The load
generator is plain Python (threads + ``http.client``, one keep-alive connection per thread),
in its own process; the machine's other load shows in the figures, the ratios are steadier.

Usage: python bench/bench_server.py [--seconds 3] [--threads 8] [--old-commit 6975349]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DATASET = "ndrc-2017-simulated"
PATHS = {
    "/": "/",
    "geometry": "/api/v1/geometry",
    "scores": f"/api/v1/datasets/{DATASET}/scores",
    "embed": f"/embed/{DATASET}",
}
HEADERS = {"Accept-Encoding": "gzip"}


def old_checkout(commit: str) -> Path:
    """The files of ``commit`` (``git archive``, extracted once into the temp dir, reused)."""
    where = Path(tempfile.gettempdir()) / f"cityrank-bench-{commit}"
    if not (where / "cityrank" / "web" / "cli.py").exists():
        where.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``; all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(cmd: list[str], cwd: Path, env: dict) -> tuple[subprocess.Popen, str, float, float, float]:
    """(process, base URL, seconds to the URL line, seconds and CPU seconds of the server to
    the first 200 of /). CPU seconds are steadier than wall time on a shared machine."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    found = re.search(r"(http://[0-9.:\[\]a-z]+)/", line)  # the banner in either language
    if not found:
        proc.kill()
        raise SystemExit(f"{cmd}: unexpected first line {line!r}")
    listening = time.perf_counter() - t0
    base = found.group(1)
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain the rest of the banner
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=300) as r:
                if r.status == 200:
                    r.read()
                    break
        except OSError:
            time.sleep(0.05)
    return proc, base, listening, time.perf_counter() - t0, cpu_seconds(proc.pid)


def load(base: str, path: str, concurrency: int, seconds: float, headers: dict) -> dict:
    """Requests/s and latency percentiles of GET ``path`` from ``concurrency`` threads."""
    netloc = urlsplit(base).netloc
    latencies: list[float] = []
    sizes: set[int] = set()
    statuses: set[int] = set()
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection(netloc, timeout=120)
        mine = []
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection(netloc, timeout=120)
                continue
            mine.append(time.perf_counter() - t)
            with lock:
                sizes.add(len(body))
                statuses.add(resp.status)
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(netloc, timeout=120)
        conn.close()
        with lock:
            latencies.extend(mine)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    n = len(latencies)
    return {"n": n, "rps": n / elapsed, "p50": 1000 * statistics.median(latencies),
            "p99": 1000 * latencies[min(n - 1, int(0.99 * n))], "bytes": max(sizes), "status": statuses}


def fetch(base: str, path: str):
    """(identity body, headers: case-insensitive, waitress writes ``Etag``)."""
    req = urllib.request.Request(base + path, headers=HEADERS)
    with urllib.request.urlopen(req, timeout=300) as r:
        body = r.read()
        return (gzip.decompress(body) if r.headers.get("Content-Encoding") == "gzip" else body), r.headers


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="per URL and concurrency (default 3)")
    ap.add_argument("--threads", type=int, default=8, help="waitress threads of the new server")
    ap.add_argument("--old-commit", default="6975349")
    opts = ap.parse_args()

    old_root = old_checkout(opts.old_commit)
    vendor = ROOT / "cityrank" / "web" / "static" / "vendor"  # built assets (gitignored)
    old_env = {**os.environ, "PYTHONPATH": str(old_root), "CITYRANK_VENDOR_DIR": str(vendor)}
    new_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    servers = {
        "before": ([sys.executable, "-m", "cityrank.cli", "serve", "--port", "0"], old_root, old_env,
                   f"werkzeug make_server(threaded=True), per-request gzip ({opts.old_commit})"),
        "after": ([sys.executable, "-m", "cityrank.cli", "serve", "--port", "0", "--threads", str(opts.threads)],
                  ROOT, new_env, f"waitress, {opts.threads} threads, cached gzip + ETag (this checkout)"),
    }
    results: dict[str, dict] = {}
    for name, (cmd, cwd, env, label) in servers.items():
        proc, base, listening, first, cpu = start(cmd, cwd, env)
        try:
            print(f"{name:6s}: {label}", flush=True)
            print(f"        process start -> listening {listening:5.2f} s; -> first 200 of / {first:5.2f} s "
                  f"(server CPU {cpu:.2f} s)", flush=True)
            # Let the server's own warm-up (default map, default analysis report) finish, and
            # build every measured URL once: we measure serving, not the first build.
            fetch(base, "/analysis/")
            for path in PATHS.values():
                fetch(base, path)
            results[name] = {"base": base, "first": first, "cpu": cpu}
            for key, path in PATHS.items():
                for c in (1, 8):
                    results[name][(key, c)] = load(base, path, c, opts.seconds, HEADERS)
            if name == "after":
                _, headers = fetch(base, "/")
                revalidate = {**HEADERS, "If-None-Match": headers["ETag"]}
                for c in (1, 8):
                    results[name][("/ (304)", c)] = load(base, "/", c, opts.seconds, revalidate)
            results[name]["bodies"] = {k: fetch(base, p)[0] for k, p in PATHS.items() if k != "/"}
        finally:
            proc.terminate()
            proc.wait(30)

    same = {k: results["before"]["bodies"][k].rstrip(b"\n") == results["after"]["bodies"][k]  # jsonify ended in \n
            for k in ("geometry", "scores")}
    print(f"\nidentical response bodies before/after: {same}  (pages embed a random map id)")
    print(f"\n{'URL':10s} {'c':>2s} | {'before req/s':>12s} {'p50 ms':>8s} {'p99 ms':>8s} | "
          f"{'after req/s':>11s} {'p50 ms':>8s} {'p99 ms':>8s} | {'ratio':>6s} | {'gzip bytes':>10s}")
    for key in [*PATHS, "/ (304)"]:
        for c in (1, 8):
            a = results["after"][(key, c)]
            b = results["before"].get((key, c))
            if b is None:
                before = f"{'':12s} {'':8s} {'':8s}"
                ratio = ""
            else:
                before = f"{b['rps']:12.1f} {b['p50']:8.1f} {b['p99']:8.1f}"
                ratio = f"{a['rps'] / b['rps']:5.1f}x"
            print(f"{key:10s} {c:2d} | {before} | {a['rps']:11.1f} {a['p50']:8.2f} {a['p99']:8.2f} | "
                  f"{ratio:>6s} | {a['bytes']:10d}")
    print(f"\nstart-up to the first 200 of /: before {results['before']['first']:.2f} s "
          f"(CPU {results['before']['cpu']:.2f} s), after {results['after']['first']:.2f} s "
          f"(CPU {results['after']['cpu']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
