"""Missing-value policies, chosen by name. None is applied silently: each filled cell is
counted and reported, and ``refuse`` (the default) turns every gap into a problem."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def _refuse(data: pd.DataFrame, provinces: pd.Series) -> pd.DataFrame:
    return data


def _mean(data: pd.DataFrame, provinces: pd.Series) -> pd.DataFrame:
    return data.fillna(data.mean(numeric_only=True))


def _province_mean(data: pd.DataFrame, provinces: pd.Series) -> pd.DataFrame:
    """Mean of the same province; a province with no data at all falls back to the national
    mean (neighbours are more alike than the nation, but one value is better than none)."""
    prov = provinces.reindex(data.index).fillna("")
    filled = data.groupby(prov.to_numpy()).transform("mean")
    filled.index = data.index
    return data.fillna(filled).fillna(data.mean(numeric_only=True))


def _zero(data: pd.DataFrame, provinces: pd.Series) -> pd.DataFrame:
    """No report means no achievement: how published assessments treat absent material."""
    return data.fillna(0.0)


POLICIES: dict[str, Callable[[pd.DataFrame, pd.Series], pd.DataFrame]] = {
    "refuse": _refuse,
    "mean": _mean,
    "province_mean": _province_mean,
    "zero": _zero,
}


def apply_policy(name: str, data: pd.DataFrame, provinces: pd.Series) -> tuple[pd.DataFrame, int]:
    """Fill gaps by the named policy; returns (data, number of cells filled)."""
    before = int(np.isnan(data.to_numpy(dtype=float)).sum()) if data.size else 0
    out = POLICIES[name](data, provinces)
    after = int(np.isnan(out.to_numpy(dtype=float)).sum()) if out.size else 0
    return out, before - after


IMPUTED_COLUMNS = ("code", "indicator", "method", "value")


def imputed_cells(raw: pd.DataFrame, filled: pd.DataFrame, method: str) -> list[dict]:
    """Every cell a policy filled: ``[{"code", "indicator", "method", "value"}]``, row by row
    in the data's order (JSON-safe; the scores table carries it as ``attrs["imputed"]``)."""
    if raw is None or raw.empty:
        return []
    gaps = raw.isna().to_numpy() & filled.reindex(index=raw.index,
                                                  columns=raw.columns).notna().to_numpy()
    out = []
    for i, j in zip(*np.nonzero(gaps), strict=True):
        out.append({"code": str(raw.index[i]), "indicator": str(raw.columns[j]),
                    "method": method, "value": float(filled.iat[i, filled.columns.get_loc(
                        raw.columns[j])])})
    return out


def imputed_by_code(scores: pd.DataFrame) -> dict[str, list[dict]]:
    """``code -> [{"indicator", "method", "value"}]`` of the cells a policy filled (empty when
    none): the one reading of ``attrs["imputed"]`` for every surface that flags them."""
    out: dict[str, list[dict]] = {}
    for cell in scores.attrs.get("imputed", []) or []:
        out.setdefault(str(cell["code"]), []).append(
            {"indicator": cell["indicator"], "method": cell["method"], "value": cell["value"]})
    return out


def imputed_column(scores: pd.DataFrame, codes) -> list[str] | None:
    """The ``imputed`` column of a table of ``codes``: the filled indicators' ids joined with
    commas ("" for a unit with none); None when the dataset has no filled cell at all."""
    cells = imputed_by_code(scores)
    if not cells:
        return None
    return [",".join(c["indicator"] for c in cells.get(str(code), [])) for code in codes]


def imputed_table(scores: pd.DataFrame) -> pd.DataFrame:
    """The imputed cells of a scores table as a DataFrame (columns :data:`IMPUTED_COLUMNS`)."""
    return pd.DataFrame(list(scores.attrs.get("imputed", [])), columns=list(IMPUTED_COLUMNS))
