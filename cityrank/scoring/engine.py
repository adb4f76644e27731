"""From ingested data to the scores table: normalise leaves, aggregate, rank.

The scores table is the contract with ``geo`` and ``web``: one row per scored unit with
``code, name, province, region``, one column per node id (every level), ``total``, ``rank``
(ties shared), ``percentile`` and ``rate_<first-level id>``; ``df.attrs["synthetic"]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cityrank.errors import DataError

from .aggregate import aggregate, percentile, rank_desc
from .normalise import normalise

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


def score(system, data: pd.DataFrame, *, units: pd.DataFrame | None = None,
          synthetic: bool = False, aggregation: str | None = None,
          extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score units. ``data`` is indexed by 6-digit code with one column per given node
    (leaves normally; inner nodes hold points as published). ``extra`` columns (same index)
    are carried into the output, e.g. ``published_total``."""
    if data.index.has_duplicates:
        dup = data.index[data.index.duplicated()][0]
        raise DataError(f"unit {dup} appears more than once in the data")
    if data.empty:
        raise DataError("no units to score")
    given = {}
    for nid in given_nodes(system, data.columns):
        node = system.nodes[nid]
        x = data[nid].to_numpy(dtype=float)
        if np.isnan(x).any():
            bad = data.index[np.isnan(x)][0]
            raise DataError(f"indicator {nid!r} ({node.name}) is missing for unit {bad}; apply "
                            "a missing-value policy first")
        if node.is_leaf and not node.deduction:
            given[nid] = normalise(x, node) * node.max_points
        else:
            given[nid] = x
    scores, total = aggregate(system, given, aggregation)

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
    return out

