"""Scoring partitioned on Dask, with the single-process numbers exactly.

Normalisation reads whole columns (min/max, mean/sd, the sorted values of a rank method), and
ranks compare every unit with every other; everything else is done unit by unit. So scoring
splits cleanly:

1. over all units, once: the whole-column statistics of every given indicator
   (:func:`cityrank.scoring.engine.given_stats`) and the weights (a data-driven weighting
   reads all units too);
2. per partition, on the cluster (``dask.dataframe`` ``map_partitions``): normalise with those
   statistics and aggregate up the tree (arithmetic or geometric: element-wise);
3. over all units again: ranks and percentiles of the totals
   (:func:`cityrank.scoring.engine.score` does that as it always does).

Step 2 runs the same element-wise NumPy operations on the same inputs as one process does,
so the result is equal bit for bit whatever the partitioning (a test scores 40,000 units both
ways). Copeland aggregation compares every pair of units and cannot be partitioned.

Dask is imported here only, lazily: the scoring core stays usable without it, and it imports
neither ``geo`` nor Flask. The engine is anything with a ``client`` (a
``distributed.Client``) and a ``partition_size`` -- the CLI hands in
``cityrank.geo.analysis.partitioned.DaskEngine``, the same engine ``grid`` and ``analyze`` use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cityrank.errors import ConfigError

TOTAL = "__total__"


def _score_partition(part: pd.DataFrame, system, stats: dict, method: str,
                     offset: float | None, columns: list[str] | None) -> pd.DataFrame:
    """Every node's score (of ``columns``; None: all) and the total of one partition's units."""
    from .aggregate import aggregate
    from .engine import given_points

    given = given_points(system, part, stats)
    scores, total = aggregate(system, given, method, geometric_offset=offset)
    out = {nid: np.asarray(scores[nid], dtype=float) for nid in (columns or scores)}
    out[TOTAL] = np.asarray(total, dtype=float)
    return pd.DataFrame(out, index=part.index)


def aggregate_partitioned(system, data: pd.DataFrame, stats: dict, method: str,
                          offset: float | None, engine) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(scores by node id, total) of every unit of ``data``, in its order, computed partition
    by partition on ``engine``'s Dask client with the whole-column ``stats``."""
    if method == "copeland":
        raise ConfigError("copeland aggregation compares every pair of units and cannot run "
                          "partitioned; use --engine single")
    import dask.dataframe as dd

    from .engine import given_nodes

    cols = given_nodes(system, data.columns)
    frame = data[cols].astype(float)
    frame.attrs = {}
    size = max(1, int(getattr(engine, "partition_size", 10_000)))
    # the nodes a scoring produces: those of scoring the first unit alone (same tree walk)
    first = _score_partition(frame.iloc[:1], system, stats, method, offset, None)
    columns = [c for c in system.preorder() if c in first.columns]
    meta = first.iloc[:0][[*columns, TOTAL]]
    client = getattr(engine, "client", None)
    pieces = [frame.iloc[a:a + size] for a in range(0, len(frame), size)]
    if client is not None:
        # the partitions go to the workers once, and the statistics (a rank method's sorted
        # column is as long as the data) once per worker, not inside every task
        ddf = dd.from_delayed(client.scatter(pieces), meta=frame.iloc[:0], verify_meta=False)
        system_f, stats_f = client.scatter([system, stats], broadcast=True)
        job = ddf.map_partitions(_score_partition, system_f, stats_f, method, offset, columns,
                                 meta=meta)
        result = client.compute(job).result()
    else:
        ddf = dd.from_pandas(frame, npartitions=len(pieces), sort=False)
        result = ddf.map_partitions(_score_partition, system, stats, method, offset, columns,
                                    meta=meta).compute()
    result = result.loc[frame.index]  # the partitions come back in order; be sure of it
    scores = {c: result[c].to_numpy(dtype=float) for c in columns}
    return scores, result[TOTAL].to_numpy(dtype=float)
