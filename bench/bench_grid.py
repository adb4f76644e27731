"""Grid analysis at scale: time and peak memory with and without Dask, against bare esda LISA.

Run: ``.venv/bin/python bench/bench_grid.py [--sizes 40000,160000,640000] [--permutations 999]``
(quick: ``--sizes 10000,40000 --permutations 99``).

For each grid size (a square lattice of 1 km cells built by :func:`cityrank.geo.grid.build_grid`
in the equal-area CRS, SYNTHETIC seeded values) it runs, each in a fresh process so that peak
memory is that run's alone (resident memory of the process and all its children, sampled
every 0.1 s -- the Dask workers included):

* ``esda``   -- bare ``esda.Moran_Local`` (the permutations, given the weights);
* ``single`` -- the analysis core of cityrank single-process: queen weights (with the island
  check), LISA and Gi* with permutation inference (``autocorrelation.local_moran`` /
  ``local_g_star``, which call esda);
* ``dask``   -- the same on a LocalCluster of 2 single-threaded workers
  (:class:`cityrank.geo.analysis.partitioned.DaskEngine`); the cluster's start-up is timed
  separately. Its results are the single-process results exactly (tests/geo/analysis).
* ``full``   -- with ``--full``: the whole report (``build_report``, zones off) single-process.

A run whose time, extrapolated from the smaller sizes with the fitted growth exponent,
exceeds ``--budget`` seconds is skipped and the estimate printed instead (marked ``~``).
Then: the growth exponent b of time ~ n^b per mode, and what a 1 km grid of China
(about 9.6 million cells) would need, extrapolated from the largest measured size.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time

CHINA_1KM = 9_600_000


def _lattice(n: int):
    import geopandas as gpd
    import numpy as np
    import shapely

    from cityrank.geo.grid import build_grid
    from cityrank.geo.projection import ANALYSIS_CRS

    side = int(round(math.sqrt(n)))
    x0, y0 = 600_000.0, 2_600_000.0
    b = gpd.GeoDataFrame({"code": ["b"]}, geometry=[shapely.box(x0, y0, x0 + side * 1000, y0 + side * 1000)],
                         crs=ANALYSIS_CRS)
    g = build_grid(b, 1000)
    rng = np.random.default_rng(42)
    ix = g["ix"].to_numpy() - g["ix"].min()
    iy = g["iy"].to_numpy() - g["iy"].min()
    g["value"] = rng.gamma(2.0, size=len(g)) + 0.002 * ix + ((ix // 40 + iy // 40) % 3 == 0) * 2.0
    g["x1"] = rng.normal(size=len(g))
    return g


class _Peak:
    """Peak resident memory (bytes) of this process and all its descendants."""

    def __init__(self):
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        while not self._stop.is_set():
            total = 0
            for p in [self.proc, *self.proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def _run_one(mode: str, n: int, permutations: int) -> dict:
    """One measurement (in this process): returns seconds, peak bytes, notes."""
    import numpy as np

    g = _lattice(n)
    ids = g["code"].tolist()
    y = g["value"].to_numpy()
    out = {"mode": mode, "n": len(g)}
    if mode == "esda":
        import esda

        from cityrank.geo.analysis.weights import build_weights

        sw = build_weights(g, "queen", ids=ids)
        with _Peak() as pk:
            t0 = time.perf_counter()
            esda.Moran_Local(y, sw.w, transformation="r", permutations=permutations, seed=12345, n_jobs=1,
                             keep_simulations=False)
            out["seconds"] = time.perf_counter() - t0
        out["peak_bytes"] = pk.peak
    elif mode == "single":
        from cityrank.geo.analysis import autocorrelation as ac
        from cityrank.geo.analysis.weights import build_weights

        with _Peak() as pk:
            t0 = time.perf_counter()
            sw = build_weights(g, "queen", ids=ids)
            t1 = time.perf_counter()
            lisa = ac.local_moran(y, sw, permutations=permutations, seed=12345)
            ac.local_g_star(y, sw, permutations=permutations, seed=12345)
            out["seconds"] = time.perf_counter() - t0
        out["weights_seconds"] = t1 - t0
        out["peak_bytes"] = pk.peak
        out["significant"] = int(lisa["significant"].sum())
    elif mode == "dask":
        from cityrank.geo.analysis.partitioned import DaskEngine

        with _Peak() as pk:
            eng = DaskEngine(n_workers=2)
            t0 = time.perf_counter()
            eng.client  # noqa: B018 -- start the LocalCluster
            out["startup_seconds"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            sw = eng.build_weights(g, "queen", ids=ids)
            t1 = time.perf_counter()
            lisa = eng.local_moran(y, sw, permutations=permutations, seed=12345)
            eng.local_g_star(y, sw, permutations=permutations, seed=12345)
            out["seconds"] = time.perf_counter() - t0
            eng.close()
        out["weights_seconds"] = t1 - t0
        out["peak_bytes"] = pk.peak
        out["significant"] = int(lisa["significant"].sum())
    elif mode == "full":
        from cityrank.geo.analysis.report import build_report

        with _Peak() as pk:
            t0 = time.perf_counter()
            build_report(g, "value", x_columns=("x1",), permutations=permutations, id_column="code",
                         zones=False, synthetic=True, draws=200)
            out["seconds"] = time.perf_counter() - t0
        out["peak_bytes"] = pk.peak
    else:
        raise SystemExit(f"unknown mode {mode}")
    del np
    return out


def _spawn(mode: str, n: int, permutations: int) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, str(n), str(permutations)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if res.returncode != 0:
        raise RuntimeError(f"{mode} n={n} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _exponent(points: list[tuple[int, float]]) -> float | None:
    import numpy as np

    if len(points) < 2:
        return None
    n = np.log([p[0] for p in points])
    t = np.log([p[1] for p in points])
    return float(np.polyfit(n, t, 1)[0])


def _fmt_mem(b: float) -> str:
    return f"{b / 2**30:6.2f} GB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="40000,160000,640000", help="comma-separated cell counts")
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--modes", default="esda,single,dask", help="modes to run (esda,single,dask,full)")
    ap.add_argument("--full", action="store_true", help="also time the whole report single-process")
    ap.add_argument("--budget", type=float, default=900.0, help="skip runs estimated above this many seconds")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        mode, n, perms = args.child
        print(json.dumps(_run_one(mode, int(n), int(perms))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",") + (["full"] if args.full else [])
    print(f"grid bench: {os.cpu_count()} cores, {args.permutations} permutations, queen weights, "
          "SYNTHETIC seeded values on square 1 km lattices")
    results: dict[str, list[dict]] = {m: [] for m in modes}
    for n in sizes:
        print(f"\n{n:,} cells")
        for mode in modes:
            done = [(r["n"], r["seconds"]) for r in results[mode] if not r.get("estimated")]
            b = _exponent(done) or 1.0
            if done:
                est = done[-1][1] * (n / done[-1][0]) ** b
                if est > args.budget:
                    results[mode].append({"n": n, "seconds": est, "estimated": True})
                    print(f"  {mode:<7s} ~{est:9.1f} s   (not run: estimate above --budget {args.budget:g} s)")
                    continue
            r = _spawn(mode, n, args.permutations)
            results[mode].append(r)
            extra = ""
            if "weights_seconds" in r:
                extra += f"  weights {r['weights_seconds']:.1f} s"
            if "startup_seconds" in r:
                extra += f"  (+ cluster start {r['startup_seconds']:.1f} s)"
            if "significant" in r:
                extra += f"  LISA significant {r['significant']:,}"
            print(f"  {mode:<7s} {r['seconds']:10.1f} s  peak {_fmt_mem(r['peak_bytes'])}{extra}")
    print("\ngrowth exponent b of time ~ n^b (fit over the measured sizes; and between the two largest),"
          f" and a 1 km grid of China ({CHINA_1KM:,} cells) extrapolated from the largest measured size with"
          " the larger of the two exponents, at least 1 (the conservative one):")
    for mode in modes:
        meas = [r for r in results[mode] if not r.get("estimated")]
        if not meas:
            continue
        b_fit = _exponent([(r["n"], r["seconds"]) for r in meas])
        b_last = _exponent([(r["n"], r["seconds"]) for r in meas[-2:]])
        b = max(x for x in (b_fit, b_last, 1.0) if x is not None) if b_fit is not None else 1.0
        m_fit = _exponent([(r["n"], r["peak_bytes"]) for r in meas[-2:]]) or 1.0
        last = meas[-1]
        t = last["seconds"] * (CHINA_1KM / last["n"]) ** b
        mem = last["peak_bytes"] * (CHINA_1KM / last["n"]) ** m_fit
        bs = f"{b_fit:.2f} / {b_last:.2f}" if b_fit is not None else "n/a"
        print(f"  {mode:<7s} b = {bs:>11s}   China 1 km: ~{t / 3600:7.1f} h, ~{mem / 2**30:6.1f} GB peak "
              f"(memory exponent {m_fit:.2f}, largest two sizes)")
    if results.get("esda") and results.get("dask"):
        pairs = [(a, d) for a in results["esda"] for d in results["dask"]
                 if a["n"] == d["n"] and not a.get("estimated") and not d.get("estimated")]
        for a, d in pairs:
            print(f"  at {a['n']:,} cells: dask (weights + LISA + Gi*) / bare esda LISA = {d['seconds'] / a['seconds']:.2f}x time")


if __name__ == "__main__":
    main()
