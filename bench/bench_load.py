"""Load and soak of the production server (``cityrank serve``: waitress, the store, the derived
cache) on loopback, with a bounded number of requests.

1. Per endpoint, at 1, 8 and 64 connections (keep-alive, ``Accept-Encoding: gzip``): requests/s,
   p50 and p99 latency (ms), errors (non-2xx/304 answers and broken connections), and for the
   cached endpoints at 8 connections the factor over issue 13's figures (11-41 requests/s for
   the same URLs before the cache and waitress; the factor is taken over the best, 41).
2. Soak: the server's memory (RSS) before and after ``--soak`` requests (default 100,000) spread
   over the cached endpoints at 8 connections.
3. Mixed: reads at 8 connections while uploads (``--uploaders`` clients posting the 293-city
   demo file) and analyses of the new uploads run in parallel: read latency with and without
   them, what the uploads were answered (201 / 429 / 503), how long analyses took.

The load generator is separate processes of raw keep-alive sockets (lighter than http.client,
so the server, not the client, is measured); the machine's other load shows in the figures.
Every request is counted: nothing runs unbounded. The server gets a fresh data directory.

Usage: python bench/bench_load.py [--requests 3000] [--soak 100000] [--threads 8]
                                  [--uploaders 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASET = "ndrc-2017-simulated"
CACHED = {  # the URLs issue 13 measured at 11-41 requests/s (c=8, gzip)
    "/": "/",
    "geometry": "/api/v1/geometry",
    "scores": f"/api/v1/datasets/{DATASET}/scores",
    "embed": f"/embed/{DATASET}",
    "embed.png": f"/embed/{DATASET}.png",
}
OTHER = {  # answered from cached parts, but built per request
    "datasets": "/api/v1/datasets",
    "city": f"/api/v1/datasets/{DATASET}/cities/330100",
    "ogc items": f"/ogc/collections/{DATASET}/items?limit=10",
    "compare": "/api/v1/compare?from=ndrc-2017-simulated&to=ndrc-2019-simulated",
    "change page": "/change",
}
OLD_BEST = 41.0  # requests/s: the best of issue 13's figures for the cached URLs


# -- a lean HTTP/1.1 client ------------------------------------------------------------------
class Conn:
    def __init__(self, host: str, port: int):
        self.addr = (host, port)
        self.sock = None
        self.buf = b""

    def _connect(self):
        self.sock = socket.create_connection(self.addr, timeout=300)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def get(self, path: str) -> int:
        """Status of GET ``path`` (body read and dropped); reconnects when the server closed."""
        if self.sock is None:
            self._connect()
        req = (f"GET {path} HTTP/1.1\r\nHost: {self.addr[0]}:{self.addr[1]}\r\n"
               "Accept-Encoding: gzip\r\n\r\n").encode()
        self.sock.sendall(req)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
        if headers.get("transfer-encoding") == "chunked":
            self._chunked()
        else:
            need = int(headers.get("content-length", "0"))
            while len(self.buf) < need:
                chunk = self.sock.recv(max(65536, need - len(self.buf)))
                if not chunk:
                    raise ConnectionError("closed")
                self.buf += chunk
            self.buf = self.buf[need:]
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status

    def _chunked(self):
        while True:
            while b"\r\n" not in self.buf:
                self.buf += self.sock.recv(65536)
            size_line, self.buf = self.buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self.buf) < size + 2:
                self.buf += self.sock.recv(65536)
            self.buf = self.buf[size + 2:]
            if size == 0:
                return

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def _worker(args) -> tuple[list[float], int]:
    host, port, paths, n, threads = args
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]

    def run(count, offset):
        c = Conn(host, port)
        mine = []
        for i in range(count):
            path = paths[(offset + i) % len(paths)]
            t = time.perf_counter()
            try:
                status = c.get(path)
            except OSError:
                c.close()
                with lock:
                    errors[0] += 1
                continue
            mine.append(time.perf_counter() - t)
            if status >= 400:
                with lock:
                    errors[0] += 1
        c.close()
        with lock:
            lat.extend(mine)

    ts = [threading.Thread(target=run, args=(k, i)) for i, k in enumerate(per) if k]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return lat, errors[0]


def load(base: tuple[str, int], paths: list[str], concurrency: int, requests: int) -> dict:
    """``requests`` GETs over ``paths`` from ``concurrency`` connections (client processes of
    up to 16 threads each)."""
    procs = max(1, min(4, (concurrency + 15) // 16))
    threads = [concurrency // procs + (1 if i < concurrency % procs else 0) for i in range(procs)]
    counts = [requests * th // concurrency for th in threads]
    counts[0] += requests - sum(counts)
    jobs = [(base[0], base[1], paths, counts[i], threads[i]) for i in range(procs)]
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(procs) as pool:
        parts = pool.map(_worker, jobs)
    elapsed = time.perf_counter() - t0
    lat = sorted(x for p in parts for x in p[0])
    n = len(lat)
    return {"n": n, "rps": n / elapsed, "p50": 1000 * statistics.median(lat) if n else float("nan"),
            "p99": 1000 * lat[min(n - 1, int(0.99 * n))] if n else float("nan"),
            "errors": sum(p[1] for p in parts)}


# -- the server ------------------------------------------------------------------------------
def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(data_dir: str, threads: int, env_extra: dict) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CITYRANK_DATA_DIR": data_dir, **env_extra}
    env.pop("CITYRANK_DATABASE_URL", None) if "CITYRANK_DATABASE_URL" not in env_extra else None
    proc = subprocess.Popen([sys.executable, "-m", "cityrank.cli", "serve", "--port", "0",
                             "--threads", str(threads), "--data-dir", data_dir, "--lang", "en"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"unexpected first line {line!r}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, f"http://127.0.0.1:{m.group(1)}"


def fetch(url: str, data: bytes | None = None, headers=None, method=None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def post_file(base: str, data: bytes, name: str) -> tuple[int, dict, float]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"system\"\r\n\r\nndrc-2017\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    t = time.perf_counter()
    status, raw = fetch(base + "/api/v1/datasets", body,
                        {"Content-Type": f"multipart/form-data; boundary={boundary}"}, "POST")
    return status, json.loads(raw or b"{}"), time.perf_counter() - t


# -- the runs --------------------------------------------------------------------------------
def table(title: str, rows: list[tuple]) -> None:
    print(f"\n{title}")
    print(f"{'URL':12s} {'c':>3s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>6s}  {'vs 41 req/s':>11s}")
    for name, c, r, factor in rows:
        f = f"{factor:10.0f}x" if factor else ""
        print(f"{name:12s} {c:3d} {r['rps']:9.1f} {r['p50']:8.2f} {r['p99']:8.2f} {r['errors']:6d}  {f:>11s}",
              flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=3000, help="per URL and concurrency")
    ap.add_argument("--soak", type=int, default=100_000, help="requests of the memory soak")
    ap.add_argument("--threads", type=int, default=8, help="waitress threads")
    ap.add_argument("--uploaders", type=int, default=2, help="clients uploading in the mixed run")
    ap.add_argument("--quick", action="store_true", help="300 requests, a 5,000-request soak")
    opts = ap.parse_args()
    if opts.quick:
        opts.requests, opts.soak = 300, 5000

    data_dir = tempfile.mkdtemp(prefix="cityrank-load-")
    unlimited = {"CITYRANK_UPLOAD_QUOTA": "none", "CITYRANK_UPLOAD_QUOTA_TOTAL": "none",
                 "CITYRANK_UPLOAD_PER_MINUTE": "none"}
    t0 = time.perf_counter()
    proc, base = start_server(data_dir, opts.threads, unlimited)
    host, port = "127.0.0.1", int(base.rsplit(":", 1)[1])
    try:
        fetch(base + "/analysis/")  # the server's own warm-up (map, analysis report) is done
        for path in [*CACHED.values(), *OTHER.values()]:
            status, _ = fetch(base + path, headers={"Accept-Encoding": "gzip"})
            assert status == 200, (path, status)
        print(f"server: waitress, {opts.threads} threads, store {data_dir}/cityrank.sqlite3; "
              f"ready in {time.perf_counter() - t0:.1f} s; RSS {rss_mb(proc.pid):.0f} MB", flush=True)

        rows = []
        for name, path in CACHED.items():
            for c in (1, 8, 64):
                r = load((host, port), [path], c, opts.requests)
                rows.append((name, c, r, r["rps"] / OLD_BEST if c == 8 else None))
        table("1. cached endpoints (gzip, keep-alive)", rows)
        rows = []
        for name, path in OTHER.items():
            for c in (1, 8, 64):
                n = opts.requests if name not in ("compare", "change page") else opts.requests // 5
                rows.append((name, c, load((host, port), [path], c, n), None))
        table("   endpoints built per request from cached parts", rows)

        before = rss_mb(proc.pid)
        t = time.perf_counter()
        soak = load((host, port), list(CACHED.values()), 8, opts.soak)
        print(f"\n2. soak: {soak['n']:,} requests over the cached endpoints at c=8 in "
              f"{time.perf_counter() - t:.0f} s ({soak['rps']:.0f} req/s, p99 {soak['p99']:.1f} ms, "
              f"{soak['errors']} errors); server RSS {before:.0f} MB -> {rss_mb(proc.pid):.0f} MB",
              flush=True)

        mixed(base, (host, port), opts)
    finally:
        proc.terminate()
        proc.wait(60)
    return 0


def mixed(base: str, addr: tuple[str, int], opts) -> None:
    demo = (ROOT / "cityrank" / "data" / "demo" / "ndrc-2017-simulated.csv").read_bytes()
    reads = ["/", f"/api/v1/datasets/{DATASET}/scores", "/api/v1/geometry"]
    n = max(opts.requests, 2000)
    quiet = load(addr, reads, 8, n)
    stop = threading.Event()
    answers: dict[int, int] = {}
    upload_s: list[float] = []
    analysis_s: list[float] = []
    new_ids: list[str] = []
    lock = threading.Lock()

    def uploader(i):
        k = 0
        while not stop.is_set():
            status, body, dt = post_file(base, demo, f"load-{i}-{k}.csv")
            k += 1
            with lock:
                answers[status] = answers.get(status, 0) + 1
                if status == 201:
                    upload_s.append(dt)
                    new_ids.append(body["id"])
            if status in (429, 503):
                time.sleep(1)

    def analyst():
        done = set()
        while not stop.is_set():
            with lock:
                todo = [i for i in new_ids if i not in done]
            if not todo:
                time.sleep(0.2)
                continue
            t = time.perf_counter()
            status, _ = fetch(f"{base}/api/v1/datasets/{todo[0]}/analysis")
            with lock:
                analysis_s.append(time.perf_counter() - t)
                answers[f"analysis {status}"] = answers.get(f"analysis {status}", 0) + 1
            done.add(todo[0])

    workers = [threading.Thread(target=uploader, args=(i,)) for i in range(opts.uploaders)]
    workers.append(threading.Thread(target=analyst))
    for w in workers:
        w.start()
    time.sleep(1.0)
    busy = load(addr, reads, 8, n)
    stop.set()
    for w in workers:
        w.join(600)
    print(f"\n3. mixed: reads of {', '.join(reads)} at c=8, {n} requests")
    print(f"   alone:                     {quiet['rps']:7.1f} req/s  p50 {quiet['p50']:6.2f} ms  "
          f"p99 {quiet['p99']:7.2f} ms  errors {quiet['errors']}")
    print(f"   with {opts.uploaders} uploaders + analyses: {busy['rps']:7.1f} req/s  p50 {busy['p50']:6.2f} ms  "
          f"p99 {busy['p99']:7.2f} ms  errors {busy['errors']}")
    med = statistics.median(upload_s) if upload_s else float("nan")
    amed = statistics.median(analysis_s) if analysis_s else float("nan")
    print(f"   uploads answered: {dict(sorted(answers.items(), key=str))}; median upload "
          f"{med:.2f} s; {len(analysis_s)} analyses of new uploads, median {amed:.1f} s", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
