"""The ranking table and its CSV/XLSX export.

Exports of simulated data say so inside the file (a ``synthetic`` column and, in XLSX, a
note sheet), not only in the file name, because files travel without their web page.
"""

from __future__ import annotations

import io

import pandas as pd

from cityrank.errors import ParameterError
from cityrank.scoring.export import to_csv_text, write_workbook
from cityrank.service.response import Result
from cityrank.web import i18n

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def ranking_frame(site, dataset_id: str | None) -> tuple[object, pd.DataFrame]:
    ds = site.dataset(dataset_id)
    s = ds.scores().sort_values(["rank", "code"])
    cols = ["rank", "code", "name", "province", "region", "total"] + list(ds.system.first_level)
    out = s[[c for c in cols if c in s.columns]].copy()
    out["synthetic"] = bool(ds.synthetic)
    return ds, out


def ranking_context(site, args: dict) -> dict:
    lang = i18n.norm_lang(args.get("lang"))
    ds, df = ranking_frame(site, args.get("dataset"))
    levels = [(nid, i18n.label(ds.system.nodes[nid], lang)) for nid in ds.system.first_level if nid in df.columns]
    return {"ds": ds, "rows": df.to_dict("records"), "levels": levels, "datasets": site.datasets()}


def export(site, dataset_id: str | None, fmt: str) -> Result:
    if fmt not in EXPORT_TYPES:
        raise ParameterError(f"unknown export format {fmt!r}; choose csv or xlsx")
    ds, df = ranking_frame(site, dataset_id)
    name = f"cityrank-{ds.id}{'-SIMULATED' if ds.synthetic else ''}.{fmt}"
    if fmt == "csv":
        body = to_csv_text(df).encode("utf-8-sig")  # BOM: Excel opens Chinese correctly
    else:
        buf = io.BytesIO()
        note = [("dataset", ds.id), ("title", ds.title), ("source", ds.source),
                ("synthetic", "TRUE: simulated data / 模拟数据" if ds.synthetic else "FALSE")]
        write_workbook(buf, {"ranking": df, "about": pd.DataFrame(note, columns=["key", "value"])})
        body = buf.getvalue()
    return Result(body, EXPORT_TYPES[fmt].split(";")[0],
                  headers=(("Content-Disposition", f'attachment; filename="{name}"'),))
