"""The ``/api/v1`` payloads: plain dicts, or cacheable :class:`~cityrank.service.response.Result`
for the large, often repeated ones (scores, geometry), compressed once and served with ETags.

Every payload derived from a simulated dataset carries ``"synthetic": true`` (CSV: a
``synthetic`` column) so the flag survives copy-paste.
"""

from __future__ import annotations

import json

from cityrank.errors import ParameterError
from cityrank.jsonsafe import jsonable
from cityrank.scoring.export import to_csv_text
from cityrank.scoring.messages import render_warning
from cityrank.scoring.missing import imputed_by_code, imputed_column
from cityrank.service import catalog
from cityrank.service.geojson import feature_collection, topology
from cityrank.service.geometry import WEB_LAYER, joined, layer
from cityrank.service.response import DATA_CACHE, PRIVATE_CACHE, Result, representation
from cityrank.service.uploads import is_upload_id
from cityrank.web import i18n

FORMATS = ("json", "csv")
GEOMETRY_FORMATS = ("geojson", "topojson")


def dumps(obj) -> str:
    """Compact UTF-8 JSON, the one serialisation of every cached JSON body."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def cache_control(dataset_id: str | None, public: str = DATA_CACHE) -> str:
    """``public`` for bundled data, private for anything derived from a user's upload."""
    return PRIVATE_CACHE if is_upload_id(dataset_id) else public


def _ds_info(ds, default_id: str) -> dict:
    return {"id": ds.id, "title": ds.title, "title_en": ds.title_en, "synthetic": bool(ds.synthetic),
            "source": ds.source, "source_zh": i18n.source_text(ds, "zh"),
            "default": ds.id == default_id, "system": ds.system.id, "year": ds.year,
            "vintage": ds.vintage, "kind": getattr(ds, "kind", "bundled"),
            "revision": int(getattr(ds, "revision", 0)),
            "links": {"self": f"/api/v1/datasets/{ds.id}", "scores": f"/api/v1/datasets/{ds.id}/scores",
                      "summary": f"/api/v1/datasets/{ds.id}/summary",
                      "uncertainty": f"/api/v1/datasets/{ds.id}/uncertainty",
                      "covariates": f"/api/v1/datasets/{ds.id}/covariates",
                      "system": f"/api/v1/datasets/{ds.id}/system",
                      "workbook": f"/api/v1/datasets/{ds.id}/workbook.xlsx",
                      "geometry": f"/api/v1/geometry?dataset={ds.id}"}}


def index() -> dict:
    return {"name": "cityrank API", "version": "v1", "openapi": "/api/v1/openapi.json",
            "datasets": "/api/v1/datasets", "geometry": "/api/v1/geometry", "ogc": "/ogc"}


def datasets(site) -> dict:
    default = site.default_id
    items = [_ds_info(ds, default) for ds in site.datasets()]
    return {"default": default, "datasets": items, "synthetic": any(d["synthetic"] for d in items)}


def dataset(site, dataset_id: str) -> dict:
    ds = site.dataset(dataset_id)
    out = _ds_info(ds, site.default_id)
    out["indicators"] = catalog.indicators(ds)
    out["warnings"] = [str(w) for w in ds.warnings]
    out["warnings_zh"] = [render_warning(w, "zh") for w in ds.warnings]
    out["n_scored"] = int(len(ds.scores()))
    return out


def system(site, dataset_id: str) -> dict:
    ds = site.dataset(dataset_id)
    return {"dataset": ds.id, "synthetic": bool(ds.synthetic), "system": jsonable(ds.system.to_dict())}


def scores(site, dataset_id: str, args: dict) -> Result:
    """The scores table as JSON or CSV (``format``), optionally one ``indicator``; cached."""
    ds = site.dataset(dataset_id)
    fmt = args.get("format", "json")
    if fmt not in FORMATS:
        raise ParameterError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    ind = catalog.check_indicator(ds, args["indicator"]) if "indicator" in args else None

    def make() -> Result:
        from cityrank.service import uncertainty

        full = ds.scores()  # one read: the table and its filled cells (attrs["imputed"])
        filled = imputed_by_code(full)
        df = full.sort_values(["rank", "code"])
        if ind is not None:
            keep = ["code", "name", "province", "region", ind, "rank"]
            df = df[[c for c in dict.fromkeys(keep) if c in df.columns]]
        units = uncertainty.by_code(site, ds) or {}
        res = uncertainty.result(site, ds)
        codes = df["code"].astype(str).tolist()
        if fmt == "csv":
            out = df.assign(**uncertainty.table_columns(units, codes) if units else {})
            if filled:
                out = out.assign(imputed=imputed_column(full, codes))
            out = out.assign(synthetic=bool(ds.synthetic))
            return representation(to_csv_text(out), "text/csv; charset=utf-8",
                                  cache_control=cache_control(ds.id),
                                  headers=(("Content-Disposition", f'inline; filename="{ds.id}-scores.csv"'),))
        records = json.loads(df.to_json(orient="records", force_ascii=False))
        for rec, code in zip(records, codes, strict=True):
            if code in units:
                rec.update({k: units[code][k] for k in uncertainty.TABLE_FIELDS})
            rec["imputed"] = [c["indicator"] for c in filled.get(code, [])]
        body = {"dataset": ds.id, "synthetic": bool(ds.synthetic), "count": len(records),
                "imputation": {"method": ds.missing, "cells": sum(len(v) for v in filled.values())},
                "intervals": uncertainty.about(res) | {"uncertainty": f"/api/v1/datasets/{ds.id}/uncertainty"}
                if res else None,
                "scores": records}
        return representation(dumps(body), "application/json", cache_control=cache_control(ds.id))

    return site.cache.get_or_build(ds.id, "scores", (fmt, ind), make)


def summary(site, dataset_id: str, args: dict) -> dict:
    ds = site.dataset(dataset_id)
    bins = None
    if "bins" in args:
        try:
            bins = [float(b) for b in args["bins"].split(",") if b.strip()]
        except ValueError as exc:
            raise ParameterError(f"bins must be comma-separated numbers, got {args['bins']!r}") from exc
    data = ds.summary(bins=bins) if bins else ds.summary()
    return {"dataset": ds.id, "synthetic": bool(ds.synthetic), "summary": jsonable(data)}


def geometry(site, args: dict) -> Result:
    """The web layer as GeoJSON or TopoJSON, with a dataset's scores when ``dataset`` is given;
    compressed once and cached per (dataset, format, precision)."""
    fmt = args.get("format", "geojson")
    if fmt not in GEOMETRY_FORMATS:
        raise ParameterError(f"unknown format {fmt!r}; choose one of {', '.join(GEOMETRY_FORMATS)}")
    try:
        precision = int(args.get("precision", 3))
    except ValueError as exc:
        raise ParameterError(f"precision must be an integer, got {args.get('precision')!r}") from exc
    if not 1 <= precision <= 6:
        raise ParameterError(f"precision must be between 1 and 6, got {precision}")
    ds = site.dataset(args["dataset"]) if args.get("dataset") else None

    def make() -> Result:
        if ds is not None:
            gdf = joined(site, ds.id)
            cols = ["code", "name", "name_en", "type", "province", "region", "status", "total", "rank"]
            cols += [c for c in ds.system.first_level if c in gdf.columns]
        else:
            gdf, cols = layer(site, WEB_LAYER), None
        body = (feature_collection if fmt == "geojson" else topology)(gdf, cols, precision=precision)
        body["synthetic"] = bool(ds is not None and ds.synthetic)
        if ds is not None:
            body["dataset"] = ds.id
        mime = "application/geo+json" if fmt == "geojson" else "application/json"
        return representation(dumps(body), mime, cache_control=cache_control(ds and ds.id))

    return site.cache.get_or_build(ds.id if ds else None, "geometry", (fmt, precision), make)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(site, dataset_id: str, args: dict) -> Result:
    """``/api/v1/datasets/<id>/workbook.xlsx``: the scored dataset in the template's layout
    (:func:`cityrank.scoring.workbook.write_workbook`) in ``lang``; cached per revision."""
    from cityrank.scoring.workbook import write_workbook

    ds = site.dataset(dataset_id)
    lang = i18n.norm_lang(args.get("lang"))
    want = args.get("intervals", "1")
    if want not in ("0", "1"):
        raise ParameterError(f"intervals must be 0 or 1, got {want!r}")

    def make() -> Result:
        from cityrank.service import uncertainty

        res = uncertainty.result(site, ds) if want == "1" else None
        raw, _, _ = ds.raw()
        rec = ds.record
        attrs = ds.scores().attrs
        meta = {"title": i18n.plain_title(ds, lang), "dataset": ds.id, "year": ds.year,
                "source": i18n.source_text(ds, lang), "synthetic": bool(ds.synthetic),
                "missing": ds.missing, "vintage": ds.vintage, "filename": ds.filename,
                "coverage": ds.coverage, "aggregation": attrs.get("aggregation", ""),
                "weighting": attrs.get("weighting", ""),
                "created": rec.to_dict()["created_at"] if rec is not None else None,
                "intervals_note": i18n.t("workbook.intervals", lang, runs=res.config.runs,
                                         seed=res.config.seed) if res else None}
        with site.tmp.directory() as d:
            path = write_workbook(d / "workbook.xlsx", system=ds.system, scores=ds.scores(),
                                  raw=raw, meta=meta, warnings=ds.warnings,
                                  intervals=res.ranks if res else None, lang=lang)
            body = path.read_bytes()
        name = f"{ds.id}-{lang}.xlsx"
        return representation(body, XLSX, cache_control=cache_control(ds.id, "no-cache"),
                              headers=(("Content-Disposition", f'attachment; filename="{name}"'),))

    return site.cache.get_or_build(ds.id, "workbook", (lang, want), make)
