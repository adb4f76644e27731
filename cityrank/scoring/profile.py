"""Strengths and weaknesses of one unit: its rank on every indicator and the gap to the best
unit of each group it belongs to (its region, its clusters).

Scoring knows nothing of geography, so groups come in as plain code lists from the caller
(``geo``/``web`` resolve regions and clusters): ``{"region:East": ["330100", ...], "cluster:yrd-2016":
[...]}``. The surfaces show :func:`city_profile` (a JSON-safe dict) or :func:`profile_table`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cityrank.errors import NotFoundError
from cityrank.jsonsafe import jsonable

from .aggregate import rank_desc

PROFILE_COLUMNS = ("indicator", "name", "name_en", "level", "detailed", "value", "max",
                   "rate", "rank", "n")


def node_columns(scores: pd.DataFrame, system) -> list[str]:
    """Indicator columns of a scores table, in the tree's reading order."""
    return [nid for nid in system.preorder() if nid in scores.columns]


def detailed_nodes(scores: pd.DataFrame, system) -> list[str]:
    """The most detailed indicators present (no child present as a column)."""
    cols = set(scores.columns)
    return [nid for nid in node_columns(scores, system)
            if not any(c in cols for c in system.nodes[nid].children)]


def indicator_ranks(scores: pd.DataFrame, system) -> pd.DataFrame:
    """Rank of every unit on every indicator column (1 = best, ties shared; a deduction
    ranks best when it deducts least), indexed by code."""
    out = {}
    for nid in node_columns(scores, system):
        v = scores[nid].to_numpy(dtype=float)
        out[nid] = rank_desc(-v if system.nodes[nid].deduction else v)
    return pd.DataFrame(out, index=scores["code"].astype(str).to_numpy())


def profile_table(scores: pd.DataFrame, system, code: str,
                  groups: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """One row per indicator: :data:`PROFILE_COLUMNS`, then for each group ``g``:
    ``best_<g>`` (code of the group's best unit), ``best_value_<g>`` and ``gap_<g>`` (how far
    this unit is behind it, in points; 0 when it is the best)."""
    sc = scores.assign(code=scores["code"].astype(str)).set_index("code")
    code = str(code)
    if code not in sc.index:
        raise NotFoundError(f"unit {code} is not in the scores table")
    ranks = indicator_ranks(scores, system)
    detailed = set(detailed_nodes(scores, system))
    rows = []
    for nid in node_columns(scores, system):
        node = system.nodes[nid]
        value = float(sc.at[code, nid])
        rate = value / node.max_points if node.max_points and not node.deduction else np.nan
        row = {"indicator": nid, "name": node.name, "name_en": node.name_en,
               "level": node.level, "detailed": nid in detailed, "value": value,
               "max": node.max_points, "rate": rate, "rank": int(ranks.at[code, nid]),
               "n": int(len(sc))}
        for g, members in (groups or {}).items():
            inside = [m for m in map(str, members) if m in sc.index]
            if not inside:
                row[f"best_{g}"], row[f"best_value_{g}"], row[f"gap_{g}"] = "", np.nan, np.nan
                continue
            vals = sc.loc[inside, nid].astype(float)
            best = vals.idxmin() if node.deduction else vals.idxmax()
            gap = (value - vals[best]) if node.deduction else (vals[best] - value)
            row[f"best_{g}"], row[f"best_value_{g}"] = best, vals[best]
            row[f"gap_{g}"] = round(float(gap), 10) + 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def city_profile(scores: pd.DataFrame, system, code: str,
                 groups: Mapping[str, Sequence[str]] | None = None, n: int = 3) -> dict:
    """A unit's page data: total, rank, every indicator (value, rate, rank, gaps to each
    group's best) and its ``n`` strengths and weaknesses among the most detailed indicators
    (best and worst ranks relative to the number of units; deductions excluded)."""
    table = profile_table(scores, system, code, groups)
    sc = scores.assign(code=scores["code"].astype(str)).set_index("code")
    code = str(code)
    pool = table[table["detailed"] & ~table["indicator"].map(
        lambda i: system.nodes[i].deduction)]
    order = pool.sort_values(["rank", "indicator"], kind="stable")
    strengths = order["indicator"].head(n).tolist()
    weaknesses = order["indicator"].iloc[::-1].head(n).tolist()
    weaknesses = [w for w in weaknesses if w not in strengths] or weaknesses
    indicators = []
    for rec in table.to_dict(orient="records"):
        gaps = {g: {"best_code": rec[f"best_{g}"], "best_value": rec[f"best_value_{g}"],
                    "gap": rec[f"gap_{g}"]} for g in (groups or {})}
        indicators.append({k: rec[k] for k in PROFILE_COLUMNS} | {"gaps": gaps})
    return jsonable({
        "code": code, "name": sc.at[code, "name"] if "name" in sc.columns else "",
        "total": sc.at[code, "total"], "rank": sc.at[code, "rank"], "n_units": len(sc),
        "groups": {g: [str(m) for m in members] for g, members in (groups or {}).items()},
        "indicators": indicators, "strengths": strengths, "weaknesses": weaknesses,
    })
