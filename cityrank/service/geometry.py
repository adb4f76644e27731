"""Boundary layers, the layers joined with a dataset's scores, and the map client's geometry.

``joined`` adds ``display`` (the status, or ``hmt`` for Hong Kong, Macao and Taiwan without
scores) and carries ``synthetic`` and the join's warnings in ``attrs``; ``map_layer`` is the
same further coverage-simplified (analysis and tests).

The browser's geometry is ONE file: the package's quantised TopoJSON
(``cityrank/shapefiles/prefecture.topo.json``, :mod:`cityrank.geo.topology`), served at a
content-hashed URL (:func:`topology_name`) with ``Cache-Control: immutable``, so every page,
embed and published export shares one cached copy; it carries the Chinese names, and English
pages fetch the English ones besides (:func:`names_file`). The client draws the South China
Sea inset from the same file (``static/map/inset.js``).
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from cityrank import paths
from cityrank.errors import CityrankError, NotFoundError
from cityrank.scoring.units import HMT_TYPES
from cityrank.service.response import IMMUTABLE_CACHE, Result, etag_of, representation

WEB_LAYER = "prefecture_web"
MAP_SIMPLIFY = 0.04  # degrees; ~4 km, below a pixel at the map's national zooms


def layer(site, name: str = WEB_LAYER) -> gpd.GeoDataFrame:
    """A boundary layer of the bundled GeoPackage (shared by every dataset)."""
    from cityrank.geo.boundaries import load_layer

    return site.cache.get_or_build(None, "layer", name, lambda: load_layer(name))


def joined(site, dataset_id: str | None = None, layer: str = WEB_LAYER) -> gpd.GeoDataFrame:
    """The layer with the dataset's scores; adds ``display`` = status, or 'hmt' for HK/Macao/Taiwan."""
    ds = site.dataset(dataset_id)

    def make():
        result = site.join(ds.scores(), layer=layer)
        gdf = result.gdf.copy()
        if "rank" in gdf.columns:
            gdf["rank"] = gdf["rank"].astype("Int64")  # integer ranks in GeoJSON/OGC
        gdf["display"] = display_status(gdf)
        gdf.attrs["synthetic"] = bool(ds.synthetic)
        gdf.attrs["warnings"] = list(result.warnings)
        return gdf

    return site.cache.get_or_build(ds.id, "joined", layer, make)


def display_status(gdf: gpd.GeoDataFrame):
    """Each unit's status on a map: ``status``, or ``hmt`` for Hong Kong, Macao and Taiwan
    without scores (a Series)."""
    out = gdf["status"].copy()
    out[gdf["type"].isin(HMT_TYPES) & (gdf["status"] != "scored")] = "hmt"
    return out


def map_layer(site, dataset_id: str | None = None, tolerance: float = MAP_SIMPLIFY) -> gpd.GeoDataFrame:
    """The joined web layer simplified further for the interactive national map.

    Coverage simplification keeps shared borders shared (no slivers) while cutting the
    embed's GeoJSON to about a third; fine at the national zooms the map allows.
    """
    ds = site.dataset(dataset_id)

    def make():
        base = joined(site, ds.id)
        gdf = base.copy()
        gdf["geometry"] = shapely.coverage_simplify(gdf.geometry.values, tolerance)
        gdf.attrs = dict(base.attrs)
        return gdf

    return site.cache.get_or_build(ds.id, "map_layer", tolerance, make)


def _unit_names(site, key: str) -> dict[str, str]:
    def make():
        import json

        units = json.loads(paths.WEB_TOPOLOGY.read_bytes())["objects"]["units"]["geometries"]
        return {g["id"]: g["properties"][key] for g in units if g.get("properties", {}).get(key)}

    return site.cache.get_or_build(None, "unit_names", key, make)


def names_en(site) -> dict[str, str]:
    """Code -> pinyin name (``name_en`` of the admin layer, as the web geometry carries it) for
    English pages; scores files carry only the Chinese name."""
    return _unit_names(site, "e")


def names_zh(site) -> dict[str, str]:
    """Code -> official Chinese name of every unit of the web geometry."""
    return _unit_names(site, "n")


def main_bounds() -> list[list[float]]:
    """The map's first view (Leaflet order): :data:`geo.extent.MAIN_MAP`."""
    from cityrank.geo.extent import MAIN_MAP, leaflet_bounds

    return leaflet_bounds(MAIN_MAP)


def inset_anchor() -> list[list[float]]:
    """The box the client keeps the South China Sea inset in (:data:`geo.extent.WEB_INSET`)."""
    from cityrank.geo.extent import WEB_INSET, leaflet_bounds

    return leaflet_bounds(WEB_INSET)


def province_names_en(site) -> dict[str, str]:
    """Province name (and code) -> English name (``name_en`` of the province layer:
    Shaanxi, Inner Mongolia); scores files carry only the Chinese province name."""

    def make():
        prov = layer(site, "province")
        out: dict[str, str] = {}
        for c, n, en in zip(prov["code"], prov["name"], prov["name_en"], strict=True):
            if en == en and en:
                out[str(n)] = out[str(c)] = str(en)
        return out

    return site.cache.get_or_build(None, "province_names_en", (), make)


def province_name(site, name, lang: str) -> str:
    """A province for the page language; unknown or empty names pass through unchanged."""
    if name is None or name != name:
        return ""
    return province_names_en(site).get(str(name), str(name)) if lang == "en" else str(name)


def scs_lines(site) -> gpd.GeoDataFrame:
    """Boundary lines (incl. the South China Sea dashed line) for the map hint."""
    try:
        return layer(site, "boundary_line")
    except CityrankError:
        return gpd.GeoDataFrame(geometry=[], crs=4490)


def _hashed(stem: str, body: bytes, ext: str) -> str:
    return f"{stem}.{etag_of(body)[:16]}.{ext}"


def topology_bytes() -> bytes:
    """The geometry every map draws: the package's TopoJSON of the prefecture layer with the
    Chinese names only (:func:`cityrank.geo.topology.web_documents`; built once per process)."""
    return _topology()["geometry"][0]


def _topology(cache={}):  # noqa: B006 - a per-process memo of immutable files
    if "v" not in cache:
        import json

        from cityrank.geo.topology import web_documents

        docs = web_documents(json.loads(paths.WEB_TOPOLOGY.read_bytes()))
        bodies = [json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode() for d in docs]
        cache["v"] = {"geometry": (bodies[0], _hashed("prefecture", bodies[0], "topo.json")),
                      "en": (bodies[1], _hashed("prefecture-names-en", bodies[1], "json"))}
    return cache["v"]


def topology_name() -> str:
    """``prefecture.<hash>.topo.json``: the file's name under ``/geo/`` (changes with its bytes)."""
    return _topology()["geometry"][1]


def names_file(lang: str) -> tuple[str, bytes] | None:
    """``(name, bytes)`` of the units' and provinces' names in ``lang`` besides the geometry's
    Chinese ones (``prefecture-names-en.<hash>.json``: English pages fetch it, and pages that
    search by pinyin), None for zh."""
    return _topology()["en"][::-1] if lang == "en" else None


def geo_file(site, name: str) -> Result:
    """``/geo/<name>``: the topology or the English names by their hashed names, immutable; 404
    otherwise."""
    files = {topology_name(): topology_bytes(), names_file("en")[0]: names_file("en")[1]}
    if name in files:
        return site.cache.get_or_build(None, "geo", name, lambda: representation(
            files[name], "application/json", cache_control=IMMUTABLE_CACHE))
    raise NotFoundError(f"no geometry file {name!r} (names carry the content hash; see the page's config)")
