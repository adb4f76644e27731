"""Published-table mode: compare our totals and ranks with the ones a report printed.

Reports round; 2017's Qingdao has first-level scores summing to 68.3 but a printed total of
68.4. We never overwrite the printed figure: both are kept and the difference is flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cityrank.i18n import t

from .messages import Notice


def compare_published(scores: pd.DataFrame, tolerance: float = 1e-6) -> list[Notice]:
    """Add ``total_discrepancy`` (published - computed) and ``published_mismatch`` columns
    in place; return one warning per disagreement (totals beyond ``tolerance``, ranks)."""
    warnings: list[Notice] = []
    if "published_total" in scores.columns:
        pub = scores["published_total"].to_numpy(dtype=float)
        diff = np.round(pub - scores["total"].to_numpy(dtype=float), 6) + 0.0
        scores["total_discrepancy"] = diff
        flag = ~np.isnan(diff) & (np.abs(np.nan_to_num(diff)) > tolerance)
        scores["published_mismatch"] = flag
        for i in np.flatnonzero(flag):
            r = scores.iloc[i]
            warnings.append(Notice.make("published_total_mismatch", {
                "published": float(pub[i]), "computed": float(r["total"]),
                "diff": float(diff[i])}, file=_unit(r)))
    if "published_rank" in scores.columns:
        pr = scores["published_rank"].to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isnan(pr) & (pr != scores["rank"].to_numpy(dtype=float))):
            r = scores.iloc[i]
            tied = scores.loc[np.isclose(scores["total"], r["total"]), "name"].tolist()
            others = ", ".join(n for n in tied if n != r["name"])
            params = {"published": int(pr[i]), "computed": int(r["rank"]),
                      **{f"tied_{lang}": t("scoring.tied", lang, total=r["total"], others=others)
                         if len(tied) > 1 else "" for lang in ("en", "zh")}}
            warnings.append(Notice.make("published_rank_mismatch", params, file=_unit(r)))
    return warnings


def _unit(r) -> str:
    """The subject of a published-table warning: ``青岛市 (370200)``."""
    return f"{r['name'] or r['code']} ({r['code']})"
