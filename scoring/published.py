"""Published-table mode: compare our totals and ranks with the ones a report printed.

Reports round; 2017's Qingdao has first-level scores summing to 68.3 but a printed total of
68.4. We never overwrite the printed figure: both are kept and the difference is flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def compare_published(scores: pd.DataFrame, tolerance: float = 1e-6) -> list[str]:
    """Add ``total_discrepancy`` (published - computed) and ``published_mismatch`` columns
    in place; return one warning per disagreement (totals beyond ``tolerance``, ranks)."""
    warnings: list[str] = []
    if "published_total" in scores.columns:
        pub = scores["published_total"].to_numpy(dtype=float)
        diff = np.round(pub - scores["total"].to_numpy(dtype=float), 6) + 0.0
        scores["total_discrepancy"] = diff
        flag = ~np.isnan(diff) & (np.abs(np.nan_to_num(diff)) > tolerance)
        scores["published_mismatch"] = flag
        for i in np.flatnonzero(flag):
            r = scores.iloc[i]
            warnings.append(f"{r['name'] or r['code']} ({r['code']}): published total "
                            f"{pub[i]:g} but the first-level scores sum to {r['total']:.6g} "
                            f"(difference {diff[i]:+.6g})")
    if "published_rank" in scores.columns:
        pr = scores["published_rank"].to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isnan(pr) & (pr != scores["rank"].to_numpy(dtype=float))):
            r = scores.iloc[i]
            tied = scores.loc[np.isclose(scores["total"], r["total"]), "name"].tolist()
            why = f"; tied on {r['total']:.6g} with {', '.join(t for t in tied if t != r['name'])}" \
                if len(tied) > 1 else ""
            warnings.append(f"{r['name'] or r['code']} ({r['code']}): published rank "
                            f"{int(pr[i])}, computed rank {int(r['rank'])}{why}")
    return warnings
