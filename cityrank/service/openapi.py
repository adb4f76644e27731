"""The OpenAPI 3.0 document of ``/api/v1`` (kept beside the routes it describes)."""

from __future__ import annotations

from cityrank.scoring.missing import POLICIES
from cityrank.scoring.numbers import DECIMAL_MARKS
from cityrank.service.api import FORMATS, GEOMETRY_FORMATS
from cityrank.service.uploads import ENCODINGS

_DS = {"name": "dataset", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "dataset id, e.g. ndrc-2017-simulated (see /datasets)"}
_ERR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _n(typ: str, desc: str | None = None) -> dict:
    out = {"type": typ, "nullable": True}
    if desc:
        out["description"] = desc
    return out


def _obj(props: dict, required=(), **extra) -> dict:
    out = {"type": "object", "properties": props, **extra}
    if required:
        out["required"] = list(required)
    return out


_STR_LIST = {"type": "array", "items": {"type": "string"}}
_PROBLEM = _obj({
    "file": {"type": "string"}, "row": _n("integer", "spreadsheet row (header = 1)"),
    "column": _n("string"), "kind": {"type": "string", "description": "category, e.g. non_numeric"},
    "message": {"type": "string", "description": "English, without the location"},
    "message_zh": {"type": "string", "description": "the same message in simplified Chinese"},
    "severity": {"type": "string", "enum": ["error", "warning"]},
    "params": {"type": "object", "description": "the values filled into the message"},
    "msg": _n("string", "catalogue key of the wording when a kind has several")},
    required=("file", "row", "column", "kind", "message", "message_zh"))
_WARNING_DETAIL = _obj({
    "kind": {"type": "string"}, "params": {"type": "object"}, "file": _n("string"),
    "row": _n("integer"), "column": _n("string"), "message": {"type": "string"},
    "message_zh": {"type": "string"}}, required=("kind", "message", "message_zh"))
_LINKS = {"type": "object", "additionalProperties": {"type": "string"}}
_DATASET_INFO = {
    "id": {"type": "string"}, "title": {"type": "string"}, "title_en": _n("string"),
    "synthetic": {"type": "boolean", "description": "true for simulated data"},
    "source": {"type": "string", "description": "source note in English"},
    "source_zh": {"type": "string", "description": "source note in Chinese (English when none is given)"},
    "default": {"type": "boolean"}, "system": {"type": "string", "description": "indicator system id"},
    "year": _n("integer", "the year the data describe (comparable years: /compare)"),
    "vintage": _n("string", "the city list the dataset is scored on"),
    "kind": {"type": "string", "enum": ["bundled", "added", "upload"],
             "description": "bundled (the catalog), added (cityrank datasets add) or upload"},
    "revision": {"type": "integer", "description": "raised whenever the stored scores change"},
    "links": _LINKS}
_DATASET_ITEM = _obj(_DATASET_INFO, required=("id", "title", "synthetic", "source", "source_zh", "system"))
_INDICATOR = _obj({"id": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"},
                   "level": {"type": "integer"}, "max": {"type": "number"}, "parent": _n("string")},
                  required=("id", "name", "level", "max"))
_DATASET = _obj(_DATASET_INFO | {
    "indicators": {"type": "array", "items": _INDICATOR},
    "warnings": {**_STR_LIST, "description": "system warnings in English"},
    "warnings_zh": {**_STR_LIST, "description": "the same warnings in simplified Chinese"},
    "n_scored": {"type": "integer"}},
    required=("id", "synthetic", "source", "source_zh", "indicators", "warnings", "warnings_zh"))
_DATASETS = _obj({"default": {"type": "string"}, "datasets": {"type": "array", "items": _DATASET_ITEM},
                  "synthetic": {"type": "boolean"}}, required=("default", "datasets", "synthetic"))
_CLUSTER_REF = _obj({
    "id": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"},
    "checked": {"type": "boolean", "description": "false: membership compiled from summaries of the "
                                                  "plan, not yet checked against the plan text"}},
    required=("id", "checked"))
_CODES = {"type": "array", "items": {"type": "string"}, "description": "6-digit codes"}
_RANK_FIELDS = {
    "tied": {"type": "boolean", "description": "same total as another unit: they share the rank"},
    "tie_group": _n("integer", "the shared rank when tied"),
    "tied_with": {**_CODES, "description": "codes of the units with the same total"},
    "rank_median": {"type": "number", "description": "median rank over the Monte Carlo runs"},
    "rank_p05": {"type": "integer", "description": "90% rank interval: 5th percentile (best)"},
    "rank_p95": {"type": "integer", "description": "90% rank interval: 95th percentile (worst)"},
    "p_top10": {"type": "number", "description": "share of runs in the top N (see intervals.top)"},
    "p_above_median": {"type": "number", "description": "share of runs with a total above that "
                                                        "run's median"},
    "overlaps": {"type": "boolean", "description": "the interval meets that of a unit ranked "
                                                   "next to it: their order is not settled"},
    "overlap_with": {**_CODES, "description": "codes of those neighbours"}}
_ABOUT = {"runs": {"type": "integer"}, "seed": {"type": "integer"},
          "level": {"type": "number", "description": "0.9: the 5th-95th percentile interval"},
          "top": {"type": "integer", "description": "N of p_top10 (10 unless the system says)"},
          "factors": {**_STR_LIST, "description": "the uncertain choices varied at once"},
          "sobol_base": _n("integer", "base sample of the Sobol design")}
_INTERVALS = _obj(_ABOUT | {"uncertainty": {"type": "string", "description": "link to the "
                                                                            "whole analysis"}},
                  required=("runs", "seed", "level", "top", "factors"), nullable=True,
                  description="how the rank intervals were computed; null when they cannot be "
                              "computed for this dataset")
_SOBOL_MAP = {"type": "object", "additionalProperties": _n("number")}
_CITY_UNCERTAINTY = _obj(_RANK_FIELDS | {
    "most_influential": {"type": "string", "description": "the choice with the largest total "
                                                          "Sobol index on this rank"},
    "sobol": {"type": "array", "nullable": True, "items": _obj(
        {"factor": {"type": "string"}, "S1": _n("number", "first-order Sobol index"),
         "ST": _n("number", "total Sobol index")}, required=("factor",)),
        "description": "largest total index first"},
    "about": _obj(_ABOUT, required=("runs", "seed", "level", "top", "factors"))},
    required=("rank_median", "rank_p05", "rank_p95", "tied", "overlaps", "about"), nullable=True,
    description="how firm the rank is (null when intervals cannot be computed)")
_GAP = _obj({"best_code": {"type": "string"}, "best_value": _n("number"), "gap": _n("number",
            "the group's best score minus this city's, in points (0: it is the best)")})
_PROFILE = _obj({
    "strengths": {**_STR_LIST, "description": "indicator ids: its best national ranks"},
    "weaknesses": {**_STR_LIST, "description": "indicator ids: its worst national ranks"},
    "groups": {**_STR_LIST, "description": "region:<id> and cluster:<id> the gaps refer to"},
    "indicators": {"type": "array", "items": _obj({
        "indicator": {"type": "string"}, "name": {"type": "string"}, "name_en": _n("string"),
        "level": {"type": "integer"}, "detailed": {"type": "boolean"}, "value": _n("number"),
        "max": _n("number"), "rate": _n("number", "value / max"),
        "rank": {"type": "integer", "description": "national rank on this indicator"},
        "n": {"type": "integer"},
        "gaps": {"type": "object", "additionalProperties": _GAP}},
        required=("indicator", "rank", "n", "gaps"))}},
    required=("strengths", "weaknesses", "groups", "indicators"))
_UNIT = _obj({
    "code": {"type": "string"}, "name": _n("string"), "province": _n("string"),
    "region": _n("string"), "total": _n("number"), "rank": {"type": "integer"},
    **_RANK_FIELDS, "rank_mean": {"type": "number"}, "interval_width": {"type": "integer"},
    "overlaps_prev": {"type": "boolean"}, "overlaps_next": {"type": "boolean"},
    "most_influential": {"type": "string"},
    "sobol": {"type": "object", "nullable": True,
              "properties": {"S1": _SOBOL_MAP, "ST": _SOBOL_MAP}}},
    required=("code", "rank", "rank_median", "rank_p05", "rank_p95", "tied", "overlaps"),
    additionalProperties={"type": "number", "description": "p_top<N> when the system's top is "
                                                          "not 10"})
_UNCERTAINTY = _obj({
    "dataset": {"type": "string"}, "synthetic": {"type": "boolean"}, "level": {"type": "number"},
    "available": {"type": "boolean"}, "reason": {"type": "string"},
    "system": {"type": "string"}, "n": {"type": "integer"}, "runs": {"type": "integer"},
    "seed": {"type": "integer"}, "top": {"type": "integer"},
    "config": {"type": "object", "description": "the settings (system's uncertainty: section)"},
    "choices": {"type": "object", "description": "the levels of every uncertain choice"},
    "factors": _STR_LIST, "compensability": {"type": "object"}, "columns": _STR_LIST,
    "units": {"type": "array", "items": _UNIT, "description": "one per unit, in nominal order"},
    "average_shift": {"type": "object", "nullable": True,
                      "description": "Sobol indices of the average rank shift"},
    "effective_weights": {"type": "array", "nullable": True, "items": {"type": "object"}},
    "timing": {"type": "object"}},
    required=("dataset", "synthetic", "available"))
_IMPUTED_CELL = _obj({"indicator": {"type": "string"}, "method": {"type": "string"},
                      "value": {"type": "number", "description": "the value filled in"}},
                     required=("indicator", "method", "value"))
_SCORE_ROW = _obj({
    "code": {"type": "string"}, "name": _n("string"), "province": _n("string"),
    "region": _n("string"), "total": _n("number"), "rank": {"type": "integer"}, **_RANK_FIELDS,
    "imputed": {**_STR_LIST, "description": "ids of the indicators whose missing values a "
                                            "missing-value policy filled for this unit"}},
    required=("code", "rank"),
    additionalProperties={"description": "indicator scores by node id, rates, published figures"})
_SCORES = _obj({"dataset": {"type": "string"}, "synthetic": {"type": "boolean"},
                "count": {"type": "integer"}, "intervals": _INTERVALS,
                "imputation": _obj({"method": _n("string", "the missing-value policy"),
                                    "cells": {"type": "integer", "description": "cells it filled"}}),
                "scores": {"type": "array", "items": _SCORE_ROW}},
               required=("dataset", "synthetic", "count", "intervals", "scores"))
_CITY = _obj({
    "dataset": {"type": "string"}, "synthetic": {"type": "boolean"},
    "code": {"type": "string", "description": "6-digit administrative code"},
    "name": {"type": "string"}, "province": _n("string"),
    "province_en": _n("string", "province name in English"), "region": _n("string"),
    "rank": {"type": "integer"}, "total": _n("number"), "n_ranked": {"type": "integer"},
    "scores": {"type": "object", "additionalProperties": _n("number"),
               "description": "indicator id -> score"},
    "comparisons": {"type": "array", "items": _obj(
        {"id": {"type": "string"}, "value": _n("number"), "national_mean": _n("number"),
         "regional_mean": _n("number")},
        additionalProperties=_n("number"),
        description="plus cluster_mean:<cluster id> for each cluster the city belongs to")},
    "clusters": {**_STR_LIST, "description": "ids of the city clusters the city belongs to"},
    "cluster_info": {"type": "array", "items": _CLUSTER_REF},
    "neighbours": {"type": "array", "items": _obj(
        {"code": {"type": "string"}, "name": {"type": "string"}, "total": _n("number"),
         "rank": _n("integer")})},
    "resolved_from": _n("string", "the key asked for when it was not the code (name, old code)"),
    "warning": _n("string", "e.g. a former unit mapped to today's"),
    "uncertainty": _CITY_UNCERTAINTY, "profile": _PROFILE,
    "imputed": {"type": "array", "items": _IMPUTED_CELL,
                "description": "the city's values a missing-value policy filled, with the method"},
    "covariates": {"type": "array", "description": "the city's covariates kept with the dataset",
                   "items": _obj({"name": {"type": "string"}, "value": _n("number"),
                                  "text": {"type": "string", "description": "the value as pages show it"},
                                  "unit": {"type": "string"}, "kind": {"type": "string"},
                                  "source": {"type": "string"}, "statistic": {"type": "string"},
                                  "date": {"type": "string"}})}},
    required=("dataset", "synthetic", "code", "name", "province_en", "rank", "scores", "clusters"))
_COVARIATE = _obj({
    "name": {"type": "string"},
    "kind": {"type": "string", "enum": ["raster", "table"]},
    "source": {"type": "string", "description": "the raster or table file it was computed from"},
    "statistic": {"type": "string", "description": "zonal statistic (raster) or column (table)"},
    "unit": {"type": "string", "description": "unit of measurement as given (人, 元/km², …)"},
    "crs": {"type": "string", "description": "the raster's CRS (raster covariates)"},
    "nodata": {"type": "string", "description": "the raster's nodata value, masked"},
    "band": {"type": "integer"}, "date": {"type": "string", "description": "date or year"},
    "note": {"type": "string"},
    "revision": {"type": "integer", "description": "the dataset revision it was stored at"},
    "n_units": {"type": "integer", "description": "units with a value"},
    "created_at": _n("string", "ISO 8601, UTC"),
    "summary": _obj({"n": {"type": "integer"}, "min": _n("number"), "mean": _n("number"),
                     "max": _n("number")})},
    required=("name", "kind", "source", "unit", "date", "revision"))
_COVARIATES = _obj({
    "dataset": {"type": "string"}, "synthetic": {"type": "boolean"},
    "revision": {"type": "integer", "description": "the dataset's revision (raised by storing covariates)"},
    "count": {"type": "integer"}, "covariates": {"type": "array", "items": _COVARIATE},
    "units": {"type": "array", "items": _obj({"code": {"type": "string"}, "name": _n("string")},
                                              additionalProperties=_n("number"),
                                              description="plus one value per covariate name")}},
    required=("dataset", "synthetic", "revision", "count", "covariates", "units"))
_ERROR_BODY = _obj({"status": {"type": "integer"}, "message": {"type": "string"},
                    "message_zh": {"type": "string", "description": "upload errors: the message in Chinese"}},
                   required=("status", "message"))
_ERROR = _obj({"error": _ERROR_BODY, "problems": {"type": "array", "items": _PROBLEM}},
              required=("error",))
_UPLOAD_COMMON = {
    "ok": {"type": "boolean"}, "file": {"type": "string"}, "system": {"type": "string"},
    "year": _n("integer", "the year the upload names"),
    "problems": {"type": "array", "items": _PROBLEM},
    "warnings": {**_STR_LIST, "description": "English"},
    "warnings_zh": {**_STR_LIST, "description": "the same warnings in simplified Chinese"},
    "warning_details": {"type": "array", "items": _WARNING_DETAIL},
    "coverage": {"type": "object"}}
_UPLOAD_CREATED = _obj(_UPLOAD_COMMON | {
    "id": {"type": "string"}, "dataset": {"type": "string"}, "title": {"type": "string"},
    "synthetic": {"type": "boolean"}, "source": {"type": "string"}, "n_units": {"type": "integer"},
    "revision": {"type": "integer"},
    "created_at": _n("string", "ISO 8601, UTC"),
    "expires_at": _n("string", "ISO 8601, UTC; null: kept until deleted"),
    "delete_token": {"type": "string", "description": "given once: DELETE /datasets/{dataset} "
                                                      "with Authorization: Bearer <token>"},
    "links": _LINKS, "summary": {"type": "object"}},
    required=("ok", "id", "synthetic", "warnings", "warnings_zh", "warning_details",
              "delete_token"))
# One 400 shape for both causes: a file with problems has every field; a bad parameter
# (unknown encoding, system, policy) has only ``error``.
_UPLOAD_PROBLEMS = _obj(_UPLOAD_COMMON | {"error": _ERROR_BODY}, required=("error",))
SCHEMAS = {"Error": _ERROR, "Problem": _PROBLEM, "WarningDetail": _WARNING_DETAIL,
           "Datasets": _DATASETS, "Dataset": _DATASET, "City": _CITY, "ClusterRef": _CLUSTER_REF,
           "UploadCreated": _UPLOAD_CREATED, "UploadProblems": _UPLOAD_PROBLEMS,
           "Scores": _SCORES, "Uncertainty": _UNCERTAINTY, "Covariates": _COVARIATES}
_LIMIT = {"description": "over budget, nothing stored: 429 too many uploads from this client "
                         "(rate, or its quota of stored datasets), 503 the server is busy, 507 "
                         "the storage is full; Retry-After (seconds) when waiting helps; "
                         "message in English and Chinese",
          "headers": {"Retry-After": {"schema": {"type": "integer"}}},
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_UPLOAD = {
    "summary": "Upload a CSV/XLSX (UTF-8 or GBK; cities by code or name), score it and store it "
               "as a private dataset (kept in the database until deleted; served by every "
               "worker; same-origin or non-browser clients only). The Excel template of a "
               "system is at /api/v1/systems/{system}/template.xlsx.",
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": ".csv or .xlsx, at most 2 MB"},
            "system": {"type": "string", "description": "bundled indicator system id (default: the "
                                                        "default dataset's system)"},
            "encoding": {"type": "string", "enum": list(ENCODINGS), "default": "auto"},
            "missing": {"type": "string", "enum": list(POLICIES), "default": "refuse"},
            "sheet": {"type": "string", "description": "XLSX sheet name (first by default)"},
            "decimal": {"type": "string", "enum": list(DECIMAL_MARKS), "default": ".",
                        "description": "the file's decimal mark (a number written with the other mark is a problem)"},
            "vintage": {"type": "string", "description": "the city list to score on: a date YYYY-MM-DD or "
                                                         "'current' (default: the end of the year before `year`)"},
            "year": {"type": "integer", "minimum": 1990, "maximum": 2100,
                     "description": "the year the data describe"},
            "title": {"type": "string", "maxLength": 120},
            "note": {"type": "string", "maxLength": 2000, "description": "the owner's note"}}}}}},
    "responses": {
        "201": {"description": "created: id, summary, warnings (English, Chinese, details), coverage, links",
                "content": {"application/json": {"schema": _UPLOAD_CREATED}}},
        "400": {"description": "the file has problems (nothing scored), or a bad parameter "
                               "(then only error and an empty problems list)",
                "content": {"application/json": {"schema": _UPLOAD_PROBLEMS}}},
        "403": _ERR, "413": _ERR, "429": _LIMIT, "503": _LIMIT, "507": _LIMIT},
}
_DELETE = {
    "summary": "Delete an uploaded dataset (and everything derived from it, in every worker)",
    "parameters": [_DS, {"name": "Authorization", "in": "header", "required": True,
                         "schema": {"type": "string"},
                         "description": "Bearer <delete_token of the upload's 201 response>"}],
    "responses": {"200": {"description": "deleted", "content": {"application/json": {
        "schema": _obj({"deleted": {"type": "string"}}, required=("deleted",))}}},
        "403": _ERR, "404": _ERR}}


_BINARY = {"type": "string", "format": "binary"}
_TEXT = {"type": "string"}


def _op(summary: str, params=(), ok="application/json", errors=(404,), extra: dict | None = None,
        schema: dict | None = None, also: dict | None = None) -> dict:
    """A GET operation; ``also`` adds other content types of the 200 response
    ({media type: schema}), e.g. the CSV form of the scores."""
    schema = schema or (_BINARY if "spreadsheet" in ok or ok.startswith("image/") else {"type": "object"})
    content = {ok: {"schema": schema}} | {t: {"schema": sc} for t, sc in (also or {}).items()}
    op = {"summary": summary, "parameters": list(params),
          "responses": {"200": {"description": "OK", "content": content}}}
    for code in errors:
        op["responses"][str(code)] = _ERR
    if extra:
        op.update(extra)
    return {"get": op}


def _q(name: str, desc: str, enum=None, typ="string", **schema) -> dict:
    """A query parameter; ``schema`` adds its range (minimum, maximum), default or pattern."""
    out = {"type": typ, **schema}
    if enum:
        out["enum"] = list(enum)
    return {"name": name, "in": "query", "required": False, "schema": out, "description": desc}


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "cityrank API", "version": "1.0.0",
                 "description": "Scores, ranks and geometry of Chinese prefecture-level cities. "
                                "Responses derived from simulated data carry \"synthetic\": true."},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/datasets": {**_op("List datasets", errors=(), schema=_DATASETS), "post": _UPLOAD},
            "/datasets/{dataset}": {**_op("One dataset with its indicators and system warnings "
                                          "(en, zh)", [_DS], schema=_DATASET),
                                    "delete": _DELETE},
            "/datasets/{dataset}/workbook.xlsx": _op(
                "The scored dataset as an Excel workbook in the template's layout: the data, "
                "scores, ranks, rank intervals, problems and notes, in the language asked for",
                [_DS, _q("lang", "zh (default) or en", ["zh", "en"]),
                 _q("intervals", "1 (default) adds Monte Carlo rank intervals; 0 leaves them out",
                    ["0", "1"])],
                ok="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                errors=(400, 404)),
            "/compare": _op(
                "Two years of one indicator system compared: change per city, rank mobility "
                "(Kendall's tau, spatial tau, spatial Markov), sigma/beta-convergence, regional "
                "gap; findings in English and Chinese",
                [_q("from", "the earlier dataset id (default: the oldest comparable year)"),
                 _q("to", "the later dataset id (default: the newest comparable year)")],
                errors=(400, 404)),
            "/datasets/{dataset}/system": _op("The dataset's indicator system", [_DS]),
            "/datasets/{dataset}/scores": _op(
                "Scores and ranks (JSON or CSV), each rank with its ties and its 90% rank "
                "interval (median, 5th-95th percentile, P(top 10), overlap with neighbours)",
                [_DS, _q("format", "json (default) or csv", FORMATS, default="json"),
                 _q("indicator", "only this indicator (node id or total)")], errors=(400, 404),
                schema={"$ref": "#/components/schemas/Scores"}, also={"text/csv": _TEXT}),
            "/datasets/{dataset}/uncertainty": _op(
                "Rank intervals and sensitivity (OECD-JRC Handbook, step 7): Monte Carlo over "
                "the uncertain choices (weights perturbed, normalisation, aggregation, "
                "imputation, one indicator left out), seeded; per unit the nominal rank (ties "
                "shared), median rank, 90% interval, P(top 10), P(above the median), overlap "
                "with neighbours and Sobol indices of each choice; the average rank shift's "
                "Sobol indices; the effective weights. Computed once per dataset.",
                [_DS], schema={"$ref": "#/components/schemas/Uncertainty"}),
            "/datasets/{dataset}/covariates": _op(
                "Covariates kept with the dataset (cityrank covariates --dataset): per covariate "
                "its unit of measurement, source (raster zonal statistic or table column), CRS, "
                "nodata, date, the revision it was stored at and a summary; per unit the values",
                [_DS], schema={"$ref": "#/components/schemas/Covariates"}),
            "/datasets/{dataset}/summary": _op(
                "Summary figures: mean, std, bins, coefficient of variation, score rates",
                [_DS, _q("bins", "comma-separated class boundaries, e.g. 30,40,50,60",
                         pattern=r"^\s*-?[0-9.]+(\s*,\s*-?[0-9.]+)*\s*$")], errors=(400, 404)),
            "/datasets/{dataset}/analysis": _op(
                "Spatial analysis report (Moran's I, LISA, Gi*, inequality, gradients, zones, "
                "spillover) in both languages",
                [_DS, _q("value", "total (default) or an indicator id", default="total"),
                 _q("hub", "hub city for spillover: a 6-digit code (default 330100)",
                    pattern=r"^[0-9]{6}$"),
                 {"name": "x", "in": "query", "required": False, "style": "form", "explode": True,
                  "schema": {"type": "array", "items": {"type": "string"}},
                  "description": "regressor indicator id (repeatable)"}], errors=(400, 404, 422)),
            "/datasets/{dataset}/cities/{code}": _op(
                "A city's scores against national, regional and cluster means; neighbours",
                [_DS, {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                       "description": "6-digit administrative code, or a name (杭州, 杭州市, 156330100, "
                                      "historical codes such as 371200 莱芜 resolve to today's unit)"}],
                schema=_CITY),
            "/systems/{system}/template.xlsx": _op(
                "Excel template of a bundled indicator system (one column per leaf indicator)",
                [{"name": "system", "in": "path", "required": True, "schema": {"type": "string"},
                  "description": "indicator system id, e.g. ndrc-2017"}],
                ok="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", errors=(400,)),
            "/geometry": _op(
                "Web layer geometry (EPSG:4490 lon/lat), optionally joined with a dataset's scores",
                [_q("format", "geojson (default) or topojson (application/json)", GEOMETRY_FORMATS,
                    default="geojson"),
                 _q("dataset", "join this dataset's scores"),
                 _q("precision", "decimal places of coordinates (1-6, default 3)", typ="integer",
                    minimum=1, maximum=6, default=3)],
                ok="application/geo+json", errors=(400, 404), also={"application/json": {"type": "object"}}),
            "/openapi.json": _op("This document", errors=(), ok="application/vnd.oai.openapi+json"),
        },
        "components": {"schemas": SCHEMAS},
    }
