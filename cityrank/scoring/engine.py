"""From ingested data to the scores table: normalise leaves, aggregate, rank.

The scores table is the contract with ``geo`` and ``web``: one row per scored unit with
``code, name, province, region``, one column per node id (every level), ``total``, ``rank``
(ties shared), ``percentile`` and ``rate_<first-level id>``; ``df.attrs["synthetic"]``.
``df.attrs`` also records the choices made: ``aggregation``, ``weighting``, ``weights``
(``[{"indicator", "weight"}]``, flat weights of the given indicators) and, from
:func:`cityrank.scoring.pipeline.score_file`, ``imputed`` (``[{"code", "indicator",
"method", "value"}]``, every cell a missing-value policy filled).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cityrank.errors import DataError

from .aggregate import GeometricZeroError, aggregate, percentile, rank_desc, zero_cells
from .normalise import apply, column_stats

META_COLUMNS = ("code", "name", "province", "region")


def given_nodes(system, columns) -> list[str]:
    """The nodes whose scores come from data: the highest nodes present as columns."""
    cols = set(columns)
    out: list[str] = []

    def walk(nid):
        if nid in cols:
            out.append(nid)
            return
        for c in system.nodes[nid].children:
            walk(c)

    for f in system.first_level:
        walk(f)
    return out


def given_stats(system, data: pd.DataFrame) -> dict[str, dict]:
    """The whole-column statistics of every normalised given node (min/max, mean/sd, the
    sorted values: :func:`cityrank.scoring.normalise.column_stats`), checking that no cell is
    missing. Scoring any subset of the units with them gives the numbers of scoring all."""
    stats = {}
    for nid in given_nodes(system, data.columns):
        node = system.nodes[nid]
        x = data[nid].to_numpy(dtype=float)
        if np.isnan(x).any():
            bad = data.index[np.isnan(x)][0]
            raise DataError(f"indicator {nid!r} ({node.name}) is missing for unit {bad}; apply "
                            "a missing-value policy first")
        if node.is_leaf and not node.deduction:
            stats[nid] = column_stats(x, node)
    return stats


def given_points(system, data: pd.DataFrame, stats: dict[str, dict]) -> dict[str, np.ndarray]:
    """Points of the given nodes of ``data`` (all units or one partition), normalised with
    the whole column's ``stats`` (:func:`given_stats`)."""
    given = {}
    for nid in given_nodes(system, data.columns):
        node = system.nodes[nid]
        x = data[nid].to_numpy(dtype=float)
        given[nid] = apply(x, node, stats[nid]) * node.max_points if nid in stats else x
    return given



def score(system, data: pd.DataFrame, *, units: pd.DataFrame | None = None,
          synthetic: bool = False, aggregation: str | None = None,
          extra: pd.DataFrame | None = None, weighting: str | None = None,
          weights: dict | None = None, geometric_offset: float | None = None,
          seed: int = 0, engine=None, min_units: int = 0) -> pd.DataFrame:
    """Score units. ``data`` is indexed by 6-digit code with one column per given node
    (leaves normally; inner nodes hold points as published). ``extra`` columns (same index)
    are carried into the output, e.g. ``published_total``.

    ``weighting`` (default the system's, ``published``) names a method of
    :data:`cityrank.scoring.weighting.WEIGHTINGS` (``weights`` for ``user``; ``seed`` for
    ``pca``); ``geometric_offset`` (default the system's) is the rate shift that lets the
    geometric mean take zeros (see :mod:`cityrank.scoring.aggregate`).

    ``engine`` (anything with a Dask ``client`` and a ``partition_size``, e.g.
    ``cityrank.geo.analysis.partitioned.DaskEngine``) scores partitions of the units on Dask
    when there are at least ``min_units``: the whole-column statistics and the weights are
    computed once over all units, every partition is normalised and aggregated with them,
    and ranks are taken over all units, so the table equals the single-process one exactly
    (:mod:`cityrank.scoring.partitioned`)."""
    if data.index.has_duplicates:
        dup = data.index[data.index.duplicated()][0]
        raise DataError(f"unit {dup} appears more than once in the data")
    if data.empty:
        raise DataError("no units to score")
    stats = given_stats(system, data)
    method = weighting or system.weighting
    from .weighting import compute_weights, flat_weights, reweight

    if method == "published":
        flat = flat_weights(system, [g for g in given_nodes(system, data.columns)
                                     if not system.nodes[g].deduction])
    else:
        from .normalise import given_rates

        flat = compute_weights(system, given_rates(system, data), method, weights, seed)
        system, data = reweight(system, data, flat.to_dict())
        stats = given_stats(system, data)
    agg_method = aggregation or system.aggregation
    offset = system.geometric_offset if geometric_offset is None else geometric_offset
    partitioned = engine is not None and len(data) >= min_units
    given = None if partitioned else given_points(system, data, stats)
    if agg_method == "geometric" and not offset:
        cells = zero_cells(system, given if given is not None else given_points(system, data, stats),
                           data.index)
        if cells:
            raise GeometricZeroError(cells)
    if partitioned:
        from .partitioned import aggregate_partitioned

        scores, total = aggregate_partitioned(system, data, stats, agg_method, offset, engine)
    else:
        scores, total = aggregate(system, given, agg_method, geometric_offset=offset)

    out = pd.DataFrame({"code": data.index.astype(str)})
    if units is not None:
        meta = units.set_index("code")
        for col in ("name", "province", "region"):
            if col in meta.columns:
                out[col] = out["code"].map(meta[col]).fillna("")
            else:
                out[col] = ""
    else:
        for col in ("name", "province", "region"):
            out[col] = ""
    order = [nid for nid in system.preorder() if nid in scores]
    # Rounded to 10 decimals: float noise (60.400000000000006) must not leak into files.
    block = pd.DataFrame({nid: np.round(scores[nid], 10) for nid in order})
    total = np.round(total, 10)
    out = pd.concat([out, block], axis=1)
    out["total"] = total
    out["rank"] = rank_desc(total)
    out["percentile"] = percentile(total)
    for f in system.first_level:
        node = system.nodes[f]
        if f in scores and not node.deduction:
            out[f"rate_{f}"] = scores[f] / node.max_points
    if extra is not None and len(extra.columns):
        ex = extra.reindex(data.index)
        for col in ex.columns:
            out[col] = ex[col].to_numpy()
    out = out.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)
    out.attrs["synthetic"] = bool(synthetic)
    out.attrs["system"] = system.id
    out.attrs["aggregation"] = agg_method
    out.attrs["weighting"] = method
    out.attrs["weights"] = [{"indicator": k, "weight": float(v)} for k, v in dict(flat).items()]
    return out

