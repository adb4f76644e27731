"""Covariates kept with a dataset (``cityrank covariates --dataset``): the API document
``/api/v1/datasets/<id>/covariates``, the list of ``cityrank datasets covariates`` and one
city's values for its page and its API payload.

A covariate is not a score: each carries its unit of measurement, its source (a raster and
the zonal statistic taken from it, or a table file), CRS, nodata, date and the dataset
revision it was stored at (:meth:`cityrank.store.Store.put_covariates`).
"""

from __future__ import annotations

from cityrank.jsonsafe import jsonable, num
from cityrank.service.api import cache_control, dumps
from cityrank.service.response import representation


def stored(ds) -> tuple:
    """(values by code, provenance list) of a dataset; empty for one without covariates (or
    a catalog dataset that is not in a store)."""
    import pandas as pd

    if not hasattr(ds, "covariates"):
        return pd.DataFrame(), []
    return ds.covariates()


def _summary(col) -> dict:
    vals = col.dropna()
    if vals.empty:
        return {"n": 0, "min": None, "mean": None, "max": None}
    return {"n": int(len(vals)), "min": num(vals.min(), 6), "mean": num(vals.mean(), 6),
            "max": num(vals.max(), 6)}


def payload(site, dataset_id: str) -> dict:
    """Every covariate of the dataset: provenance, a summary and the value of each unit."""
    ds = site.dataset(dataset_id)
    values, meta = stored(ds)
    scores = ds.scores()
    names = dict(zip(scores["code"].astype(str), scores["name"], strict=True))
    columns = [jsonable(m | {"summary": _summary(values[m["name"]])}) for m in meta]
    units = [{"code": code, "name": names.get(code)} | {c: num(v) for c, v in row.items()}
             for code, row in zip(values.index, values.to_dict("records"), strict=True)]
    return {"dataset": ds.id, "synthetic": bool(ds.synthetic),
            "revision": int(getattr(ds, "revision", 0)), "count": len(columns),
            "covariates": columns, "units": units}


def document(site, dataset_id: str):
    """:func:`payload` as a cached JSON ``Result`` (ETag, gzip once; dropped with the
    dataset's revision, which storing covariates raises)."""
    ds = site.dataset(dataset_id)
    return site.cache.get_or_build(ds.id, "covariates_json", (), lambda: representation(
        dumps(payload(site, ds.id)), "application/json", cache_control=cache_control(ds.id)))


def of_city(ds, code: str) -> list[dict]:
    """The covariates of one unit: name, value, unit, source, statistic, date (empty list
    when the dataset has none)."""
    values, meta = stored(ds)
    if not meta or code not in values.index:
        return []
    row = values.loc[code]
    return [{"name": m["name"], "value": num(row[m["name"]], 6), "text": text(row[m["name"]]),
             "unit": m["unit"], "kind": m["kind"], "source": m["source"],
             "statistic": m["statistic"], "date": m["date"]} for m in meta]


def text(value) -> str:
    """A covariate value for a page: thousands separated from 1,000 up, four significant
    digits below, ``–`` when missing."""
    v = num(value)
    if v is None:
        return "–"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
