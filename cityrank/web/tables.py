"""Tabular views: ranking table and its CSV/XLSX export, city, region and cluster pages.

Exports of simulated data say so inside the file (a ``synthetic`` column and, in XLSX, a
note sheet), not only in the file name, because files travel without their web page.
"""

from __future__ import annotations

import io

import pandas as pd
from flask import Response

from cityrank.web import i18n
from cityrank.web.services import ParameterError, Services

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def ranking_frame(svc: Services, dataset_id: str | None) -> tuple[object, pd.DataFrame]:
    ds = svc.dataset(dataset_id)
    s = ds.scores().sort_values(["rank", "code"])
    cols = ["rank", "code", "name", "province", "region", "total"] + list(ds.system.first_level)
    out = s[[c for c in cols if c in s.columns]].copy()
    out["synthetic"] = bool(ds.synthetic)
    return ds, out


def ranking_context(svc: Services, args) -> dict:
    lang = i18n.norm_lang(args.get("lang"))
    ds, df = ranking_frame(svc, args.get("dataset"))
    levels = [(nid, i18n.label(ds.system.nodes[nid], lang)) for nid in ds.system.first_level if nid in df.columns]
    return {"ds": ds, "rows": df.to_dict("records"), "levels": levels, "datasets": svc.datasets()}


def export(svc: Services, dataset_id: str | None, fmt: str) -> Response:
    if fmt not in EXPORT_TYPES:
        raise ParameterError(f"unknown export format {fmt!r}; choose csv or xlsx")
    ds, df = ranking_frame(svc, dataset_id)
    name = f"cityrank-{ds.id}{'-SIMULATED' if ds.synthetic else ''}.{fmt}"
    if fmt == "csv":
        body = df.to_csv(index=False).encode("utf-8-sig")  # BOM: Excel opens Chinese correctly
    else:
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as xw:
            df.to_excel(xw, sheet_name="ranking", index=False)
            note = [("dataset", ds.id), ("title", ds.title), ("source", ds.source),
                    ("synthetic", "TRUE: simulated data / 模拟数据" if ds.synthetic else "FALSE")]
            pd.DataFrame(note, columns=["key", "value"]).to_excel(xw, sheet_name="about", index=False)
        body = buf.getvalue()
    resp = Response(body, mimetype=EXPORT_TYPES[fmt].split(";")[0])
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def city_context(svc: Services, dataset_id: str | None, code: str, lang: str) -> dict:
    ds = svc.dataset(dataset_id)
    detail = svc.city(ds.id, code)
    labels = {"total": i18n.t("total", lang)}
    labels.update({nid: i18n.label(n, lang) for nid, n in ds.system.nodes.items()})
    levels = {"total": 0} | {nid: n.level for nid, n in ds.system.nodes.items()}
    maxima = {"total": float(ds.system.total_max)}
    maxima.update({nid: n.max_points for nid, n in ds.system.nodes.items()})
    clusters = svc.clusters()
    cluster_names = {cid: i18n.label(clusters[cid], lang) if cid in clusters else cid for cid in detail["clusters"]}
    unchecked = {cid for cid in detail["clusters"] if cid in clusters and not clusters[cid].checked}
    return {"ds": ds, "city": detail, "labels": labels, "levels": levels, "maxima": maxima,
            "cluster_names": cluster_names, "unchecked_clusters": unchecked}


def groups_context(svc: Services, lang: str) -> dict:
    clusters = svc.clusters()
    return {"regions": svc.regions(),
            "clusters": [(cid, i18n.label(c, lang)) for cid, c in clusters.items()],
            "unchecked_clusters": {cid for cid, c in clusters.items() if not c.checked}}


def _group(svc: Services, dataset_id, lang, title, **sel) -> dict:
    ds = svc.dataset(dataset_id)
    summary = svc.group_summary(ds.id, **sel)
    labels = {"total": i18n.t("total", lang)} | {nid: i18n.label(ds.system.nodes[nid], lang)
                                                  for nid in ds.system.first_level}
    return {"ds": ds, "title": title, "summary": summary, "labels": labels}


def region_context(svc: Services, dataset_id, name: str, lang: str) -> dict:
    if name not in svc.regions():
        from cityrank.errors import NotFoundError

        raise NotFoundError(f"unknown region {name!r}; known: {', '.join(svc.regions())}")
    return _group(svc, dataset_id, lang, i18n.t(name, lang), region=name) | {"cluster": None}


def cluster_context(svc: Services, dataset_id, cluster_id: str, lang: str) -> dict:
    cl = svc.cluster(cluster_id)
    ctx = _group(svc, dataset_id, lang, i18n.label(cl, lang), codes=[m.code if hasattr(m, "code") else m[0] for m in cl.members])
    ctx["cluster"] = cl
    return ctx
