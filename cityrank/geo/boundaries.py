"""Access to the committed boundary layers in ``shapefiles/china_admin.gpkg``.

Layers are read once per process and copied on return, so callers may modify what they get
without a second disk read (the viewer asks for the same layer on every request).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pyogrio

from cityrank.errors import NotFoundError
from cityrank.paths import ADMIN_GPKG

LAYERS = ("prefecture", "province", "boundary_line", "prefecture_web")
STORAGE_CRS = "EPSG:4490"  # CGCS2000 lon/lat, as published by 天地图


def available_layers(path: Path | str | None = None) -> list[str]:
    path = Path(path or ADMIN_GPKG)
    if not path.exists():
        raise NotFoundError(f"{path}: boundary GeoPackage not found (run shapefiles/build_boundaries.py)")
    return [str(name) for name, _ in pyogrio.list_layers(path)]


@lru_cache(maxsize=16)
def _read(path: str, name: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path, layer=name, engine="pyogrio")
    for col in ("code", "province_code"):
        if col in gdf.columns:
            gdf[col] = gdf[col].astype(str)
    return gdf


def load_layer(name: str = "prefecture", path: Path | str | None = None) -> gpd.GeoDataFrame:
    """Return a copy of one boundary layer (EPSG:4490)."""
    path = str(Path(path or ADMIN_GPKG))
    layers = available_layers(path)
    if name not in layers:
        raise NotFoundError(f"{path}: no layer {name!r}; available: {', '.join(layers)}")
    return _read(path, name).copy()
