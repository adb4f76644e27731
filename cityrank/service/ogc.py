"""OGC API - Features (Part 1: Core, GeoJSON) over the joined city layer, one collection per
dataset, so QGIS and GDAL (``ogrinfo OAPIF:http://host/ogc``) read cities with scores.

Plain functions returning dicts; ``base`` is the absolute URL of ``/ogc`` for links.
"""

from __future__ import annotations

import math

from shapely.geometry import box

from cityrank.errors import NotFoundError, ParameterError
from cityrank.service.api import cache_control, dumps
from cityrank.service.geojson import feature_collection
from cityrank.service.geometry import joined
from cityrank.service.response import Result, representation

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
GEOJSON = "application/geo+json"
JSON = "application/json"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def landing(base: str) -> dict:
    return {
        "title": "cityrank OGC API - Features",
        "description": "Chinese prefecture-level cities with scores; one collection per dataset.",
        "links": [
            {"href": f"{base}?f=json", "rel": "self", "type": JSON, "title": "this document"},
            {"href": f"{base}/conformance?f=json", "rel": "conformance", "type": JSON, "title": "conformance"},
            {"href": f"{base}/collections?f=json", "rel": "data", "type": JSON, "title": "collections"},
            {"href": f"{base.rsplit('/ogc', 1)[0]}/api/v1/openapi.json", "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "cityrank API (OpenAPI)"},
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def _fields(site, ds) -> list[str]:
    gdf = joined(site, ds.id)
    cols = ["code", "name", "name_en", "type", "province", "region", "status", "total", "rank"]
    cols += [c for c in ds.system.nodes if c in gdf.columns and c not in cols]
    return [c for c in cols if c in gdf.columns]


def collection(site, dataset_id: str, base: str) -> dict:
    ds = site.dataset(dataset_id)
    gdf = joined(site, ds.id)
    minx, miny, maxx, maxy = (round(float(v), 4) for v in gdf.total_bounds)
    href = f"{base}/collections/{ds.id}"
    return {
        "id": ds.id,
        "title": ds.title + (" [simulated data / 模拟数据]" if ds.synthetic and "模拟" not in ds.title else ""),
        "description": f"{ds.title_en or ds.title}. Source: {ds.source}"
        + (" SIMULATED DATA, not real evaluation results." if ds.synthetic else ""),
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [[minx, miny, maxx, maxy]], "crs": CRS84}},
        "synthetic": bool(ds.synthetic),
        "links": [
            {"href": f"{href}?f=json", "rel": "self", "type": JSON, "title": ds.id},
            {"href": f"{href}/items?f=json", "rel": "items", "type": GEOJSON, "title": "cities"},
        ],
    }


def collections(site, base: str) -> dict:
    return {
        "collections": [collection(site, i, base) for i in site.catalog.ids()],
        "links": [{"href": f"{base}/collections?f=json", "rel": "self", "type": JSON}],
    }


def _int(args, name: str, default: int, lo: int, hi: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ParameterError(f"{name} must be an integer, got {raw!r}") from exc
    if not lo <= value <= hi:
        raise ParameterError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _bbox(raw: str | None):
    if not raw:
        return None
    try:
        parts = [float(v) for v in raw.split(",")]
    except ValueError as exc:
        raise ParameterError(f"bbox must be 4 comma-separated numbers, got {raw!r}") from exc
    if len(parts) == 6:
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts) or parts[0] > parts[2] or parts[1] > parts[3]:
        raise ParameterError(f"bbox must be minx,miny,maxx,maxy, got {raw!r}")
    return box(*parts)


def items(site, dataset_id: str, args, base: str) -> Result:
    """A page of features (``limit`` 1..MAX_LIMIT, default DEFAULT_LIMIT; ``offset``; ``bbox``)
    with next/prev links, built once per (page, bbox, base URL) and served from ``site.cache``
    as a representation (gzip once, ETag, 304), like the other cached endpoints."""
    ds = site.dataset(dataset_id)
    limit = _int(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(args, "offset", 0, 0, 10**9)
    area = _bbox(args.get("bbox"))
    bbox = ",".join(f"{v:g}" for v in area.bounds) if area is not None else None
    key = (limit, offset, bbox, base)
    return site.cache.get_or_build(ds.id, "ogc_items", key, lambda: representation(
        dumps(_items_page(site, ds, limit, offset, area, bbox, base)), GEOJSON,
        cache_control=cache_control(ds.id)))


def _items_page(site, ds, limit: int, offset: int, area, bbox: str | None, base: str) -> dict:
    gdf = joined(site, ds.id).sort_values("code")
    if area is not None:
        gdf = gdf[gdf.geometry.intersects(area)]
    page = gdf.iloc[offset: offset + limit]
    fc = feature_collection(page, _fields(site, ds), precision=4)
    for f in fc["features"]:
        f["properties"]["synthetic"] = bool(ds.synthetic)
    href = f"{base}/collections/{ds.id}/items"
    extra = f"&bbox={bbox}" if bbox else ""
    links = [{"href": f"{href}?f=json&limit={limit}&offset={offset}{extra}", "rel": "self", "type": GEOJSON},
             {"href": f"{base}/collections/{ds.id}?f=json", "rel": "collection", "type": JSON}]
    if offset + limit < len(gdf):
        links.append({"href": f"{href}?f=json&limit={limit}&offset={offset + limit}{extra}", "rel": "next", "type": GEOJSON})
    if offset > 0:
        links.append({"href": f"{href}?f=json&limit={limit}&offset={max(0, offset - limit)}{extra}", "rel": "prev", "type": GEOJSON})
    fc.update({"numberMatched": int(len(gdf)), "numberReturned": len(fc["features"]), "links": links,
               "synthetic": bool(ds.synthetic)})
    return fc


def item(site, dataset_id: str, fid: str, base: str) -> dict:
    ds = site.dataset(dataset_id)
    gdf = joined(site, ds.id)
    row = gdf[gdf["code"] == fid]
    if row.empty:
        raise NotFoundError(f"no feature {fid!r} in collection {ds.id!r} (ids are 6-digit codes)",
                            msg="errors.feature_unknown", params={"feature": fid, "dataset": ds.id})
    f = feature_collection(row, _fields(site, ds), precision=4)["features"][0]
    f["properties"]["synthetic"] = bool(ds.synthetic)
    f["links"] = [{"href": f"{base}/collections/{ds.id}/items/{fid}?f=json", "rel": "self", "type": GEOJSON},
                  {"href": f"{base}/collections/{ds.id}?f=json", "rel": "collection", "type": JSON}]
    return f
