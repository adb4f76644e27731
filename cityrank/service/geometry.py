"""Boundary layers and the layers joined with a dataset's scores, cached in ``site.cache``.

``joined`` adds ``display`` (the status, or ``hmt`` for Hong Kong, Macao and Taiwan without
scores) and carries ``synthetic`` and the join's warnings in ``attrs``; ``map_layer`` is the
same further coverage-simplified for the interactive national map.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from cityrank.errors import CityrankError

HMT_TYPES = ("特别行政区", "台湾省")
TAIWAN = "710000"
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
        gdf["display"] = gdf["status"]
        hmt = gdf["type"].isin(HMT_TYPES) & (gdf["status"] != "scored")
        gdf.loc[hmt, "display"] = "hmt"
        gdf.attrs["synthetic"] = bool(ds.synthetic)
        gdf.attrs["warnings"] = list(result.warnings)
        return gdf

    return site.cache.get_or_build(ds.id, "joined", layer, make)


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


def names_en(site) -> dict[str, str]:
    """Code -> pinyin name (``name_en`` of the admin layer) for English pages; scores files
    carry only the Chinese name."""

    def make():
        units = layer(site, WEB_LAYER)
        return {str(c): str(n) for c, n in zip(units["code"], units["name_en"], strict=True) if n == n and n}

    return site.cache.get_or_build(None, "names_en", (), make)


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
