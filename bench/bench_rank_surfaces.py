#!/usr/bin/env python
"""What rank intervals cost the web surfaces (issue 9), in one run.

1. The one cached analysis (``cityrank.service.uncertainty.result``: Monte Carlo over the
   declared choices + the Sobol design, from the stored table) built cold, per dataset, for
   the web's settings (runs 1,000, Sobol base 256) and for neighbouring settings, so the
   default can be judged against page latency;
2. every surface's request on a fresh app: the first one for a dataset (which builds the
   analysis once) and the same URLs again (the analysis cached): ``/ranking``, the city page,
   the map values, the scores and uncertainty APIs, the Excel export; median of ``--repeat``
   warm requests (in-process test client: no network, no gzip).

Prints figures, asserts nothing. The machine's other load shows in them.
Usage: python bench/bench_rank_surfaces.py [--repeat 5] [--settings]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DATASETS = ("ndrc-2017-top10", "ndrc-2017-simulated")
SETTINGS = ((500, 0), (1000, 0), (1000, 256), (2000, 256), (1000, 512))


def surfaces(did: str) -> dict[str, str]:
    return {"ranking page": f"/ranking?dataset={did}", "city page": f"/city/330200?dataset={did}",
            "map values (total)": f"/api/v1/datasets/{did}/map?indicator=total",
            "scores API": f"/api/v1/datasets/{did}/scores",
            "uncertainty API": f"/api/v1/datasets/{did}/uncertainty",
            "ranking.xlsx": f"/ranking.xlsx?dataset={did}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--settings", action="store_true", help="also time other runs/Sobol settings")
    args = ap.parse_args()

    from cityrank.scoring.uncertainty import UncertaintyConfig, analyse
    from cityrank.service import uncertainty
    from cityrank.service.cities import resolver
    from cityrank.service.site import Site
    from cityrank.web.app import create_app

    site = Site(store_dir=tempfile.mkdtemp(prefix="cityrank-bench-"))
    print(f"web settings: runs {uncertainty.RUNS}, Sobol base {uncertainty.SOBOL_BASE}, seed 1")
    print("\n1. the cached analysis, built cold (s)")
    for did in DATASETS:
        ds = site.dataset(did)
        t0 = time.perf_counter()
        res = uncertainty.result(site, ds)
        total = time.perf_counter() - t0
        print(f"  {did:22s} {len(res.ranks):3d} units: {total:5.2f} s  (Monte Carlo "
              f"{res.timing['monte_carlo_s']:.2f} s, Sobol {res.timing['sobol_s']:.2f} s / "
              f"{res.timing['sobol_rows']} evaluations)")
        if args.settings:
            raw, extra, _ = ds.raw()
            for runs, base in SETTINGS:
                cfg = UncertaintyConfig(runs=runs, sobol_base=base)
                t0 = time.perf_counter()
                analyse(ds.system, raw, config=cfg, units=resolver(site).units, extra=extra)
                print(f"    runs {runs:5d}, Sobol base {base:3d}: {time.perf_counter() - t0:5.2f} s")

    print(f"\n2. requests on a fresh app (ms): first (builds the analysis once) / warm median of {args.repeat}")
    client = create_app({"TESTING": True, "SITE": Site(store_dir=tempfile.mkdtemp(prefix="cityrank-bench-"))}
                        ).test_client()
    client.get("/api/v1/geometry")  # the app's own start-up (layers) is not what is measured
    client.get("/api/v1/datasets")
    for did in DATASETS:
        print(f"  {did}")
        for label, url in surfaces(did).items():
            t0 = time.perf_counter()
            status = client.get(url).status_code
            first = (time.perf_counter() - t0) * 1000
            warm = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                client.get(url)
                warm.append((time.perf_counter() - t0) * 1000)
            print(f"    {label:20s} {status}  first {first:8.1f}   warm {statistics.median(warm):7.1f}")


if __name__ == "__main__":
    main()
