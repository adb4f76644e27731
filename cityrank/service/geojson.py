"""Compact GeoJSON / TopoJSON of the web layer, with scores joined on request.

Coordinates are rounded (3 decimals ~ 100 m: plenty for a national map, a third of the
bytes) and every string property is a plain JSON string; HTML escaping is the renderer's job
(the folium map builder escapes labels before they reach innerHTML).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

BASE_PROPS = ("code", "name", "name_en", "type", "province", "region", "status")


def _round(coords, nd: int):
    """Round positions and drop consecutive duplicates the rounding creates."""
    if isinstance(coords[0], (float, int)):
        return [round(float(coords[0]), nd), round(float(coords[1]), nd)]
    out = [_round(c, nd) for c in coords]
    if out and isinstance(out[0][0], float):  # a ring or line of positions
        dedup = [out[0]] + [p for prev, p in zip(out, out[1:], strict=False) if p != prev]
        if len(dedup) >= 4 or (len(dedup) >= 2 and dedup[0] != dedup[-1]):
            return dedup
    return out


def _geom(geom, nd: int) -> dict | None:
    if geom is None or geom.is_empty:
        return None
    m = mapping(geom)
    return {"type": m["type"], "coordinates": _round(m["coordinates"], nd)}


def _value(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if not isinstance(v, (list, dict, tuple)) and pd.isna(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def feature_collection(gdf: gpd.GeoDataFrame, columns=None, precision: int = 3, id_column: str = "code") -> dict:
    """GeoJSON FeatureCollection of ``gdf`` (EPSG:4490 ~ WGS-84 lon/lat, as RFC 7946 wants)."""
    cols = [c for c in (columns or BASE_PROPS) if c in gdf.columns and c != "geometry"]
    feats = []
    for idx in gdf.index:
        props = {c: _value(gdf.at[idx, c]) for c in cols}
        feats.append({
            "type": "Feature",
            "id": str(gdf.at[idx, id_column]) if id_column in gdf.columns else str(idx),
            "properties": props,
            "geometry": _geom(gdf.geometry.at[idx], precision),
        })
    return {"type": "FeatureCollection", "features": feats}


def topology(gdf: gpd.GeoDataFrame, columns=None, precision: int = 3) -> dict:
    """TopoJSON of the same layer (shared borders stored once; ``topojson`` package)."""
    import topojson

    cols = [c for c in (columns or BASE_PROPS) if c in gdf.columns and c != "geometry"]
    sub = gdf[cols + ["geometry"]].copy()
    for c in cols:
        if sub[c].dtype.kind == "f":
            sub[c] = sub[c].astype(object).where(sub[c].notna(), None)
    topo = topojson.Topology(sub, prequantize=10 ** (precision + 2), toposimplify=False, topology=True)
    return topo.to_dict()
