"""The OpenAPI 3.0 document of ``/api/v1`` (kept beside the routes it describes)."""

from __future__ import annotations

_DS = {"name": "dataset", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "dataset id, e.g. ndrc-2017-simulated (see /datasets)"}
_ERR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


_PROBLEM = {"type": "object", "properties": {
    "file": {"type": "string"}, "row": {"type": "integer", "nullable": True,
                                        "description": "spreadsheet row (header = 1)"},
    "column": {"type": "string", "nullable": True}, "kind": {"type": "string"},
    "message": {"type": "string"}, "severity": {"type": "string"}}}
_UPLOAD = {
    "summary": "Upload a CSV/XLSX (UTF-8 or GBK; cities by code or name) and score it into a new "
               "in-memory dataset (kept a few hours; same-origin or non-browser clients only). "
               "The Excel template of a system is at /api/v1/systems/{system}/template.xlsx.",
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": ".csv or .xlsx, at most 2 MB"},
            "system": {"type": "string", "description": "bundled indicator system id (default: the "
                                                        "default dataset's system)"},
            "encoding": {"type": "string", "enum": ["auto", "utf-8", "gbk"]},
            "missing": {"type": "string", "enum": ["refuse", "mean", "province_mean", "zero"]},
            "sheet": {"type": "string", "description": "XLSX sheet name (first by default)"}}}}}},
    "responses": {
        "201": {"description": "created: id, summary, warnings, coverage, links",
                "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": {"description": "the file has problems (nothing scored)",
                "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "problems": {"type": "array", "items": _PROBLEM},
                    "warnings": {"type": "array", "items": {"type": "string"}}}}}}},
        "403": _ERR, "413": _ERR},
}


def _op(summary: str, params=(), ok="application/json", errors=(404,), extra: dict | None = None) -> dict:
    op = {"summary": summary, "parameters": list(params),
          "responses": {"200": {"description": "OK", "content": {ok: {"schema": {"type": "object"}}}}}}
    for code in errors:
        op["responses"][str(code)] = _ERR
    if extra:
        op.update(extra)
    return {"get": op}


def _q(name: str, desc: str, enum=None, typ="string") -> dict:
    schema = {"type": typ}
    if enum:
        schema["enum"] = list(enum)
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "cityrank API", "version": "1.0.0",
                 "description": "Scores, ranks and geometry of Chinese prefecture-level cities. "
                                "Responses derived from simulated data carry \"synthetic\": true."},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/datasets": {**_op("List datasets", errors=()), "post": _UPLOAD},
            "/datasets/{dataset}": _op("One dataset with its indicators", [_DS]),
            "/datasets/{dataset}/system": _op("The dataset's indicator system", [_DS]),
            "/datasets/{dataset}/scores": _op(
                "Scores and ranks (JSON or CSV)",
                [_DS, _q("format", "json (default) or csv", ["json", "csv"]),
                 _q("indicator", "only this indicator (node id or total)")], errors=(400, 404)),
            "/datasets/{dataset}/summary": _op(
                "Summary figures: mean, std, bins, coefficient of variation, score rates",
                [_DS, _q("bins", "comma-separated class boundaries, e.g. 30,40,50,60")], errors=(400, 404)),
            "/datasets/{dataset}/cities/{code}": _op(
                "A city's scores against national, regional and cluster means; neighbours",
                [_DS, {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                       "description": "6-digit administrative code, or a name (杭州, 杭州市, 156330100, "
                                      "historical codes such as 371200 莱芜 resolve to today's unit)"}]),
            "/geometry": _op(
                "Web layer geometry (EPSG:4490 lon/lat), optionally joined with a dataset's scores",
                [_q("format", "geojson (default) or topojson", ["geojson", "topojson"]),
                 _q("dataset", "join this dataset's scores"),
                 _q("precision", "decimal places of coordinates (1-6, default 3)", typ="integer")],
                ok="application/geo+json", errors=(400, 404)),
        },
        "components": {"schemas": {"Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "properties": {
                "status": {"type": "integer"}, "message": {"type": "string"}}}}}}},
    }
