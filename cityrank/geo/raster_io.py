"""Scored layers out to GIS: a GeoTIFF (rasterised at a chosen resolution) and a GeoPackage.

GIS users want the scores as a raster to overlay with land use or population, and as
vectors in a format QGIS and ArcGIS open without conversion.

* :func:`export_geotiff` burns one band per column into a float32 GeoTIFF in CGCS2000
  lon/lat (``crs="cgcs2000"``, EPSG:4490, resolution in degrees) or in the project's
  equal-area Albers (``crs="equal-area"``, :data:`cityrank.geo.projection.ANALYSIS_CRS`,
  resolution in metres). A pixel takes the value of the unit that contains its centre
  (GDAL's rasterisation rule; ``all_touched=True`` burns every touched pixel instead, later
  units winning); pixels outside every unit, and units without a value, are nodata (NaN).
  Band descriptions name the columns; tags record the source, the CRS choice and whether
  the data are synthetic (``SYNTHETIC=true`` and a description saying so), as every export of
  simulated data must.
* :func:`export_geopackage` writes the layer in EPSG:4490 with the same synthetic flag as a
  column, so the mark travels with the features.

Both validate first and write atomically (:mod:`cityrank.atomic`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from cityrank.errors import ConfigError, DataError

RASTER_CRS = ("cgcs2000", "equal-area")
MAX_PIXELS = 400_000_000
"""Refuse rasters larger than this (about 1.6 GB per float32 band): a wrong resolution
unit (metres given for a lon/lat raster) would otherwise fill the disk."""
_SNAP = 1e-6


def target_crs(name: str):
    """``cgcs2000`` -> EPSG:4490 (degrees); ``equal-area`` -> the project's Albers (metres)."""
    from cityrank.geo.projection import ANALYSIS_CRS, STORAGE_CRS

    key = str(name).lower().replace("_", "-")
    if key in ("cgcs2000", "epsg:4490", "4490"):
        return STORAGE_CRS
    if key in ("equal-area", "albers", "analysis"):
        return ANALYSIS_CRS
    raise ConfigError(f"unknown raster CRS {name!r}; choose one of {', '.join(RASTER_CRS)}")


def _values(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> dict[str, np.ndarray]:
    out = {}
    for c in columns:
        if c not in gdf.columns:
            raise DataError(f"raster export: no column {c!r}; columns: {[k for k in gdf.columns if k != gdf.geometry.name]}")
        v = pd.to_numeric(gdf[c], errors="coerce")
        bad = gdf[c].notna() & v.isna()
        if bad.any():
            raise DataError(f"raster export: column {c!r} is not numeric (row {int(np.flatnonzero(bad)[0]) + 1})")
        out[c] = v.to_numpy(dtype=float)
    return out


def export_geotiff(
    gdf: gpd.GeoDataFrame,
    columns: Sequence[str],
    path: str | Path,
    *,
    resolution: float,
    crs: str = "equal-area",
    all_touched: bool = False,
    synthetic: bool | None = None,
    source: str = "",
) -> Path:
    """Rasterise ``columns`` of ``gdf`` into a float32 GeoTIFF (one band per column).

    ``resolution`` is the pixel size in the target CRS's units: metres for ``equal-area``,
    degrees for ``cgcs2000``. The grid is aligned to multiples of the resolution, so two
    exports at the same resolution overlay pixel for pixel.
    """
    import rasterio
    from rasterio import features
    from rasterio.transform import from_origin

    from cityrank.atomic import atomic_write

    columns = list(columns)
    if not columns:
        raise DataError("raster export: name at least one column")
    if gdf.crs is None:
        raise DataError("raster export: the layer has no CRS")
    if not (resolution and resolution > 0 and math.isfinite(resolution)):
        raise DataError(f"raster export: resolution must be a positive number, got {resolution!r}")
    values = _values(gdf, columns)
    dst_crs = target_crs(crs)
    layer = gdf.to_crs(dst_crs)
    keep = ~(layer.geometry.isna() | layer.geometry.is_empty).to_numpy()
    minx, miny, maxx, maxy = layer.geometry[keep].total_bounds
    # Aligned to multiples of the resolution; bounds within 1e-6 pixel of a multiple (a
    # reprojection round trip) snap to it instead of adding a row of empty pixels.
    x0 = math.floor(minx / resolution + _SNAP) * resolution
    y1 = math.ceil(maxy / resolution - _SNAP) * resolution
    width = max(1, int(math.ceil((maxx - x0) / resolution - _SNAP)))
    height = max(1, int(math.ceil((y1 - miny) / resolution - _SNAP)))
    if width * height * len(columns) > MAX_PIXELS:
        unit = "degrees" if dst_crs.is_geographic else "metres"
        raise DataError(f"raster export: {width} x {height} pixels at resolution {resolution:g} {unit} "
                        f"is too large (limit {MAX_PIXELS:,} values); choose a coarser resolution")
    transform = from_origin(x0, y1, resolution, resolution)
    if synthetic is None:
        synthetic = bool(gdf.attrs.get("synthetic", False))
    bands = []
    geoms = layer.geometry.to_numpy()
    for c in columns:
        v = values[c]
        ok = keep & np.isfinite(v)
        shapes = list(zip(geoms[ok], v[ok], strict=True))
        band = np.full((height, width), np.nan, dtype="float32")
        if shapes:
            features.rasterize(shapes, out=band, transform=transform, all_touched=all_touched,
                               dtype="float32")
        bands.append(band)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": len(columns),
               "dtype": "float32", "crs": dst_crs.to_wkt(), "transform": transform, "nodata": float("nan"),
               "compress": "deflate", "tiled": width >= 256 and height >= 256}
    note = "SYNTHETIC (simulated) data, not real measurements" if synthetic else ""

    def writer(tmp: Path) -> None:
        with rasterio.open(tmp, "w", **profile) as ds:
            for i, (c, band) in enumerate(zip(columns, bands, strict=True), start=1):
                ds.write(band, i)
                ds.set_band_description(i, c)
            ds.update_tags(SOFTWARE="cityrank", SOURCE=source, CRS_CHOICE=str(crs),
                           SYNTHETIC="true" if synthetic else "false",
                           RASTERISATION="all touched" if all_touched else "pixel centre in unit",
                           TIFFTAG_IMAGEDESCRIPTION=note or ", ".join(columns))

    return atomic_write(path, writer)


def export_geopackage(gdf: gpd.GeoDataFrame, path: str | Path, *, layer: str = "scores",
                      synthetic: bool | None = None) -> Path:
    """Write ``gdf`` as a GeoPackage layer in CGCS2000 lon/lat (EPSG:4490), atomically.

    A ``synthetic`` column (true/false) is added when the layer does not have one, and set
    to true everywhere when ``synthetic`` is true.
    """
    import pyogrio

    from cityrank.atomic import atomic_write
    from cityrank.geo.projection import to_storage

    if Path(path).suffix.lower() != ".gpkg":
        raise DataError(f"{path}: a GeoPackage file name ends in .gpkg")
    out = to_storage(gdf)
    if synthetic is None:
        synthetic = bool(gdf.attrs.get("synthetic", False))
    if synthetic or "synthetic" not in out.columns:  # simulated input marks every feature
        out["synthetic"] = bool(synthetic)
    for c in out.columns:  # GeoPackage has no column type for Python objects (lists, dicts)
        if c != out.geometry.name and out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str | int | float | bool) else str(v))

    def writer(tmp: Path) -> None:
        tmp.unlink(missing_ok=True)
        pyogrio.write_dataframe(out, tmp, layer=layer, driver="GPKG")

    return atomic_write(path, writer)
