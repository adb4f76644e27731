#!/usr/bin/env python
"""Time the scoring core: 293 cities x 21 indicators (the 2017 demo, from file and in memory)
and 40,000 units x 52 indicators (township scale, synthetic in-memory system and data).

Prints figures; asserts nothing. Run: python bench/bench_scoring.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cityrank import paths  # noqa: E402
from cityrank.scoring.engine import score  # noqa: E402
from cityrank.scoring.ingest import ingest  # noqa: E402
from cityrank.scoring.pipeline import score_file  # noqa: E402
from cityrank.scoring.summary import summarise  # noqa: E402
from cityrank.scoring.system import load_system, parse_system  # noqa: E402
from cityrank.scoring.units import UnitResolver  # noqa: E402

METHODS = ["points", "minmax", "zscore", "rank", "goalposts"]


def township_system(n_first=8, n_second=24, n_leaves=52):
    """8 / 24 / 52 like the 2018 national system, all five normalisation methods."""
    rng = np.random.default_rng(0)
    inds = []
    for i in range(n_first):
        inds.append({"id": f"f{i}", "name": f"一级{i}", "weight": float(rng.integers(1, 10))})
    for j in range(n_second):
        inds.append({"id": f"s{j}", "name": f"二级{j}", "parent": f"f{j % n_first}",
                     "weight": 1.0})
    for k in range(n_leaves):
        m = METHODS[k % len(METHODS)]
        node = {"id": f"x{k}", "name": f"指标{k}", "parent": f"s{k % n_second}", "weight": 1.0,
                "method": m, "direction": "lower" if k % 7 == 0 else "higher"}
        if m == "goalposts":
            node["goalposts"] = [0, 100]
        inds.append(node)
    return parse_system({"id": "township", "name": "乡镇", "scoring": {"method": "minmax"},
                         "indicators": inds})


def township_data(system, n=40_000, seed=0):
    rng = np.random.default_rng(seed)
    cols = {}
    for leaf in system.leaves:
        node = system.nodes[leaf]
        if node.method == "points":
            cols[leaf] = rng.uniform(0, node.max_points, n)
        else:
            cols[leaf] = rng.normal(50, 15, n)
    idx = pd.Index([f"{i:09d}" for i in range(n)], name="code")
    return pd.DataFrame(cols, index=idx)


def timeit(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    system = load_system("ndrc-2017")
    resolver = UnitResolver()
    demo = paths.DEMO_DIR / "ndrc-2017-simulated.csv"
    data = ingest(demo, system, resolver=resolver).data
    units = resolver.units

    med, best = timeit(lambda: score(system, data, units=units), args.repeat)
    print(f"293 cities x 21 indicators, score() in memory: median {med * 1e3:.1f} ms "
          f"(best {best * 1e3:.1f} ms)")
    med, best = timeit(lambda: score_file(system, demo, resolver=resolver), args.repeat)
    print(f"293 cities x 21 indicators, file -> validated -> scored: median {med * 1e3:.1f} ms "
          f"(best {best * 1e3:.1f} ms)")

    big_sys = township_system()
    big = township_data(big_sys)
    med, best = timeit(lambda: score(big_sys, big), args.repeat)
    print(f"40,000 units x 52 indicators (8/24/52 tree, 5 methods), score() in memory: "
          f"median {med * 1e3:.1f} ms (best {best * 1e3:.1f} ms)")
    scores = score(big_sys, big)
    med, best = timeit(lambda: summarise(scores, big_sys), args.repeat)
    print(f"40,000 units x 52 indicators, summarise(): median {med * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
