#!/usr/bin/env python
"""Time the uncertainty analysis on the 2017 demo (293 cities x 21 indicators).

Prints, for several declared choice sets: the time per 1,000 Monte Carlo runs (replicates
scored as matrix operations, rank statistics included) and the time of the Sobol design
(SALib's sampler, every row scored, SALib's estimators on every city and on the average rank
shift). Asserts nothing. Run: python bench/bench_uncertainty.py [--repeat 3] [--sobol 256]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cityrank import paths  # noqa: E402
from cityrank.scoring.ingest import ingest  # noqa: E402
from cityrank.scoring.replicates import Model, ranks_of  # noqa: E402
from cityrank.scoring.sensitivity import sobol  # noqa: E402
from cityrank.scoring.system import load_system  # noqa: E402
from cityrank.scoring.uncertainty import UncertaintyConfig, analyse  # noqa: E402

CASES = {
    "arithmetic only, weights +-25%, drop one": dict(
        weightings=("published",), normalisations=("nominal",), aggregations=("arithmetic",)),
    "default (4 normalisations x arithmetic/geometric/copeland, weights, drop)": dict(),
    "default + 5 weighting methods": dict(
        weightings=("published", "equal", "entropy", "critic", "pca")),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sobol", type=int, default=256, help="Sobol base sample (power of two)")
    args = ap.parse_args()
    system = load_system("ndrc-2017")
    data = ingest(paths.DEMO_DIR / "ndrc-2017-simulated.csv", system).data
    print(f"{len(data)} cities x {len(data.columns)} indicators; best of {args.repeat}")
    for label, kw in CASES.items():
        cfg = UncertaintyConfig(runs=1000, seed=1, **kw)
        mc = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = analyse(system, data, config=cfg)
            mc.append(res.timing["monte_carlo_s"])
            total = time.perf_counter() - t0
        print(f"\n{label}")
        print(f"  factors: {', '.join(res.factors)}")
        print(f"  Monte Carlo, 1,000 runs: {min(mc) * 1000:.0f} ms "
              f"(median {statistics.median(mc) * 1000:.0f} ms); whole analyse() incl. "
              f"nominal scores and compile: {total * 1000:.0f} ms")
        model = Model(system, data, weightings=list(dict.fromkeys(["published",
                                                                   *cfg.weightings])),
                      normalisations=list(cfg.normalisations),
                      aggregations=list(cfg.aggregations), imputations=[], drop=True,
                      perturbation=cfg.weight_perturbation, geometric_offset=0.01)
        nominal = ranks_of(model.totals(model.nominal()))[0]
        times, rows = [], 0
        for _ in range(args.repeat):
            r = sobol(model, nominal, base=args.sobol, seed=1)
            times.append(r.seconds)
            rows = r.rows
        print(f"  Sobol design, base {args.sobol}: {rows} evaluations in "
              f"{min(times) * 1000:.0f} ms ({min(times) / rows * 1e6:.0f} us per evaluation), "
              f"indices for {len(nominal)} cities + the average shift")
    x = np.random.default_rng(0).random((10000, model.dim))
    t0 = time.perf_counter()
    model.totals(model.decode(x))
    print(f"\n10,000 replicates of the last case: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
