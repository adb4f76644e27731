"""The API's payloads, built from ``web.services``; views only wrap them in responses.

Every payload derived from a simulated dataset carries ``"synthetic": true`` (CSV: a
``synthetic`` column) so the flag survives copy-paste.
"""

from __future__ import annotations

import json
import math

from flask import Response, jsonify

from cityrank.scoring.messages import render_warning
from cityrank.web import i18n
from cityrank.web.geojson import feature_collection, topology
from cityrank.web.services import ParameterError, Services

FORMATS = ("json", "csv")
GEOMETRY_FORMATS = ("geojson", "topojson")


def _ds_info(ds, default_id: str) -> dict:
    return {"id": ds.id, "title": ds.title, "title_en": ds.title_en, "synthetic": bool(ds.synthetic),
            "source": ds.source, "source_zh": i18n.source_text(ds, "zh"),
            "default": ds.id == default_id, "system": ds.system.id,
            "links": {"self": f"/api/v1/datasets/{ds.id}", "scores": f"/api/v1/datasets/{ds.id}/scores",
                      "summary": f"/api/v1/datasets/{ds.id}/summary",
                      "system": f"/api/v1/datasets/{ds.id}/system",
                      "geometry": f"/api/v1/geometry?dataset={ds.id}"}}


def index() -> dict:
    return {"name": "cityrank API", "version": "v1", "openapi": "/api/v1/openapi.json",
            "datasets": "/api/v1/datasets", "geometry": "/api/v1/geometry", "ogc": "/ogc"}


def datasets(svc: Services) -> dict:
    default = svc.catalog.default_id
    items = [_ds_info(ds, default) for ds in svc.datasets()]
    return {"default": default, "datasets": items, "synthetic": any(d["synthetic"] for d in items)}


def dataset(svc: Services, dataset_id: str) -> dict:
    ds = svc.dataset(dataset_id)
    out = _ds_info(ds, svc.catalog.default_id)
    out["indicators"] = svc.indicators(ds)
    out["warnings"] = [str(w) for w in ds.warnings]
    out["warnings_zh"] = [render_warning(w, "zh") for w in ds.warnings]
    out["n_scored"] = int(len(ds.scores()))
    return out


def system(svc: Services, dataset_id: str) -> dict:
    ds = svc.dataset(dataset_id)
    return {"dataset": ds.id, "synthetic": bool(ds.synthetic), "system": _clean(ds.system.to_dict())}


def _clean(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item"):
        return _clean(obj.item())
    return obj


def scores(svc: Services, dataset_id: str, args) -> Response:
    ds = svc.dataset(dataset_id)
    fmt = args.get("format", "json")
    if fmt not in FORMATS:
        raise ParameterError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    df = ds.scores().sort_values(["rank", "code"])
    if "indicator" in args:
        ind = svc.check_indicator(ds, args["indicator"])
        keep = ["code", "name", "province", "region", ind, "rank"] if ind != "total" else ["code", "name", "province", "region", "total", "rank"]
        df = df[[c for c in dict.fromkeys(keep) if c in df.columns]]
    if fmt == "csv":
        out = df.assign(synthetic=bool(ds.synthetic))
        resp = Response(out.to_csv(index=False), mimetype="text/csv")
        resp.headers["Content-Disposition"] = f'inline; filename="{ds.id}-scores.csv"'
        return resp
    records = json.loads(df.to_json(orient="records", force_ascii=False))
    return jsonify({"dataset": ds.id, "synthetic": bool(ds.synthetic), "count": len(records), "scores": records})


def summary(svc: Services, dataset_id: str, args) -> dict:
    ds = svc.dataset(dataset_id)
    bins = None
    if "bins" in args:
        try:
            bins = [float(b) for b in args["bins"].split(",") if b.strip()]
        except ValueError as exc:
            raise ParameterError(f"bins must be comma-separated numbers, got {args['bins']!r}") from exc
    data = ds.summary(bins=bins) if bins else ds.summary()
    return {"dataset": ds.id, "synthetic": bool(ds.synthetic), "summary": _clean(data)}


def geometry(svc: Services, args) -> Response:
    fmt = args.get("format", "geojson")
    if fmt not in GEOMETRY_FORMATS:
        raise ParameterError(f"unknown format {fmt!r}; choose one of {', '.join(GEOMETRY_FORMATS)}")
    try:
        precision = int(args.get("precision", 3))
    except ValueError as exc:
        raise ParameterError(f"precision must be an integer, got {args.get('precision')!r}") from exc
    if not 1 <= precision <= 6:
        raise ParameterError(f"precision must be between 1 and 6, got {precision}")
    dataset_id = args.get("dataset")
    if dataset_id:
        ds = svc.dataset(dataset_id)
        gdf = svc.joined(ds.id)
        cols = ["code", "name", "name_en", "type", "province", "region", "status", "total", "rank"]
        cols += [c for c in ds.system.first_level if c in gdf.columns]
        synthetic = bool(ds.synthetic)
    else:
        gdf = svc.layer("prefecture_web")
        cols, synthetic = None, False
    def make() -> str:
        body = (feature_collection if fmt == "geojson" else topology)(gdf, cols, precision=precision)
        body["synthetic"] = synthetic
        if dataset_id:
            body["dataset"] = dataset_id
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    text = svc.cached(("geometry", dataset_id, fmt, precision), make)
    return Response(text, mimetype="application/geo+json" if fmt == "geojson" else "application/json")


