#!/usr/bin/env python
"""Scoring on Dask against one process: 40,000 / 160,000 / 640,000 units x 52 indicators
(the township-scale synthetic system and data of bench_scoring.py, all five normalisation
methods), arithmetic aggregation.

For each size: single-process seconds, Dask seconds on a LocalCluster of 2 single-threaded
workers (:class:`cityrank.geo.analysis.partitioned.DaskEngine`, the engine of
``cityrank score --engine dask``; its start-up timed once, separately), the number of
partitions, and whether the two tables are equal exactly (they must be). Prints figures;
asserts nothing. Run: ``.venv/bin/python bench/bench_score_dask.py [--sizes 40000,160000]
[--partition-size 50000]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_scoring import township_data, township_system  # noqa: E402

from cityrank.scoring.engine import score  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="40000,160000,640000")
    ap.add_argument("--partition-size", type=int, default=50_000)
    args = ap.parse_args(argv)
    from cityrank.geo.analysis.partitioned import DaskEngine

    system = township_system()
    engine = DaskEngine(n_workers=2, partition_size=args.partition_size)
    t0 = time.perf_counter()
    engine.client  # noqa: B018 -- start the cluster now, to time it apart
    print(f"LocalCluster (2 workers) start-up: {time.perf_counter() - t0:.1f} s")
    print(f"{'units':>9} {'partitions':>10} {'single s':>9} {'dask s':>8} {'equal':>6}")
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            data = township_data(system, n)
            t0 = time.perf_counter()
            one = score(system, data)
            t_one = time.perf_counter() - t0
            t0 = time.perf_counter()
            many = score(system, data, engine=engine)
            t_many = time.perf_counter() - t0
            try:
                pd.testing.assert_frame_equal(one, many, check_exact=True)
                same = "yes"
            except AssertionError:
                same = "NO"
            parts = -(-n // args.partition_size)
            print(f"{n:>9,} {parts:>10} {t_one:>9.2f} {t_many:>8.2f} {same:>6}")
    finally:
        engine.close()
    print("Statistics (min/max, mean/sd, sorted values) and weights are computed over all units "
          "in the driver; partitions are normalised and aggregated on the workers; ranks over all "
          "units. On one 2-core machine Dask adds transfer costs: its use is a cluster's memory "
          "and cores, not speed here.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
