"""Zonal statistics of any GeoTIFF over polygons, with exact partial-pixel coverage.

Why exactextract (and not rasterstats): rasterstats counts a pixel as in or out of a polygon
(by its centre, or every touched pixel with ``all_touched``), so a prefecture boundary that
cuts a 1 km pixel gets all or nothing of it; exactextract computes the fraction of each pixel
that the polygon covers and weights every statistic by it, which is the only defensible way
to sum a population raster over polygons that do not follow the pixel grid.

Rules, in the order they apply:

* the **polygons are reprojected to the raster's CRS**, never the raster to the polygons'
  (resampling a raster changes its values; moving vertices does not). A raster without a CRS
  is refused. Vertices are transformed as they are (our boundary layers are dense);
* the raster's **nodata** value (and NaN in float rasters) is masked: such pixels count for
  nothing, not as zeros;
* statistics are **coverage-weighted** (c = covered fraction of a pixel, x its value):
  ``sum`` = Σ c·x, ``count`` = Σ c (pixels, fractional), ``mean`` = Σ c·x / Σ c,
  ``stdev`` and ``median`` are the c-weighted standard deviation and median; ``min`` and
  ``max`` are over pixels with c > 0 (c >= :data:`MIN_COVERAGE`). A polygon covering no valid pixel gets NaN (count 0).

Pixel areas are not used as weights: in a lon/lat raster, ``mean`` is the mean per covered
pixel fraction, as exactextract defines it; use an equal-area raster when that matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from cityrank.errors import DataError, NotFoundError
from cityrank.geo.covariates.table import CovariateColumn, Covariates

STATISTICS: dict[str, str] = {
    "mean": "mean",
    "sum": "sum",
    "min": "min",
    "max": "max",
    "count": "count",
    "median": "median",
    "stdev": "stdev",
}
"""Statistic name (CLI ``--stat``) -> exactextract operation (all coverage-weighted)."""

MIN_COVERAGE = 1e-6
"""Pixels covered by less than this fraction are left out of every statistic: slivers of
floating-point noise where a reprojected edge runs along a pixel edge (they would otherwise
make the pixel beyond it the polygon's minimum or maximum)."""


def raster_info(path: str | Path, band: int = 1) -> dict:
    """CRS (WKT and a short name), nodata, size, resolution and bounds of one band of a raster."""
    import rasterio
    from rasterio.errors import RasterioIOError

    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"{path}: raster file not found")
    try:
        with rasterio.open(path) as ds:
            if ds.crs is None:
                raise DataError(f"{path}: the raster has no CRS; assign one (e.g. gdal_edit.py -a_srs) first")
            if not 1 <= band <= ds.count:
                raise DataError(f"{path}: band {band} does not exist (the raster has {ds.count})")
            epsg = ds.crs.to_epsg()
            return {"path": str(path), "crs_wkt": ds.crs.to_wkt(), "crs": f"EPSG:{epsg}" if epsg else ds.crs.to_string(),
                    "nodata": ds.nodatavals[band - 1], "width": ds.width, "height": ds.height,
                    "res": tuple(float(r) for r in ds.res), "bounds": tuple(float(b) for b in ds.bounds),
                    "dtype": ds.dtypes[band - 1], "count": ds.count,
                    "date": (ds.tags().get("TIFFTAG_DATETIME") or "")}
    except RasterioIOError as exc:
        raise DataError(f"{path}: cannot read the raster: {exc}") from exc


def _check_stats(stats: Sequence[str]) -> list[str]:
    stats = list(dict.fromkeys(stats))
    unknown = [s for s in stats if s not in STATISTICS]
    if unknown or not stats:
        raise DataError(f"unknown statistic(s) {unknown}; choose from {', '.join(STATISTICS)}")
    return stats


def zonal_values(raster: str | Path, polygons: gpd.GeoSeries, stats: Sequence[str], *, band: int = 1) -> pd.DataFrame:
    """The statistics of ``raster`` over each polygon, in the polygons' order (one row each).

    ``polygons`` must already be in the raster's CRS (:func:`zonal_statistics` does that).
    This is the unit of work the partitioned engine runs per partition.
    """
    import rasterio
    from exactextract import exact_extract
    from exactextract.raster import RasterioRasterSource

    stats = _check_stats(stats)
    frame = gpd.GeoDataFrame({"_row": np.arange(len(polygons))}, geometry=list(polygons), crs=polygons.crs)
    if len(frame) == 0:
        return pd.DataFrame({s: np.array([], dtype=float) for s in stats})
    ops = [f"{s}={STATISTICS[s]}(min_coverage_frac={MIN_COVERAGE})" for s in dict.fromkeys([*stats, "count"])]
    with rasterio.open(raster) as ds:
        src = RasterioRasterSource(ds, band_idx=band)
        out = exact_extract(src, frame, ops, include_cols=["_row"], output="pandas")
    out = out.set_index("_row").reindex(np.arange(len(frame)))
    covered = np.nan_to_num(out["count"].to_numpy(dtype=float)) > 0
    res = pd.DataFrame({s: out[s].to_numpy(dtype=float) for s in stats})
    if "count" in res:
        res["count"] = res["count"].fillna(0.0)
    # A polygon with no valid pixel: exactextract's sum is 0 there, which would read as
    # "zero people"; every statistic but the count is missing instead.
    for s in stats:
        if s != "count":
            res.loc[~covered, s] = np.nan
    return res


def column_names(name: str, stats: Sequence[str]) -> dict[str, str]:
    """Statistic -> covariate column name: ``name`` alone for one statistic, ``name_stat`` else."""
    stats = list(stats)
    return {s: name if len(stats) == 1 else f"{name}_{s}" for s in stats}


def zonal_statistics(
    raster: str | Path,
    polygons: gpd.GeoDataFrame,
    stats: Sequence[str] = ("mean",),
    *,
    name: str,
    id_column: str = "code",
    band: int = 1,
    unit: str = "",
    date: str = "",
    engine=None,
) -> Covariates:
    """Covariates of ``polygons`` (ids in ``id_column``) from zonal statistics of ``raster``.

    ``engine`` is an optional :class:`cityrank.geo.analysis.partitioned.DaskEngine`: the
    polygons are then split into spatial partitions and each partition reads the raster
    itself (the result is the same, row for row).

    >>> import tempfile, os, numpy as np, rasterio, shapely, geopandas as gpd
    >>> from rasterio.transform import from_origin
    >>> d = tempfile.mkdtemp(); tif = os.path.join(d, "r.tif")
    >>> with rasterio.open(tif, "w", driver="GTiff", width=2, height=1, count=1, dtype="float32",
    ...                    crs="EPSG:3857", transform=from_origin(0, 10, 10, 10)) as ds:
    ...     ds.write(np.array([[2.0, 4.0]], dtype="float32"), 1)
    >>> polys = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(5, 0, 20, 10)], crs=3857)
    >>> cov = zonal_statistics(tif, polys, ["sum", "mean"], name="v")
    >>> [round(float(cov.values.loc["a", c]), 6) for c in ("v_sum", "v_mean")]
    [5.0, 3.333333]
    """
    stats = _check_stats(stats)
    info = raster_info(raster, band)
    if id_column not in polygons.columns:
        raise DataError(f"zonal statistics: the polygons have no id column {id_column!r}")
    if polygons.crs is None:
        raise DataError("zonal statistics: the polygons have no CRS")
    ids = polygons[id_column].astype(str)
    if ids.duplicated().any():
        raise DataError(f"zonal statistics: duplicate ids {sorted(set(ids[ids.duplicated()]))[:5]}")
    geoms = polygons.geometry.to_crs(info["crs_wkt"])
    if engine is not None:
        res = engine.zonal_values(str(raster), geoms, stats, band=band)
    else:
        res = zonal_values(raster, geoms, stats, band=band)
    names = column_names(name, stats)
    values = pd.DataFrame({names[s]: res[s].to_numpy() for s in stats}, index=ids.to_numpy())
    nodata = info["nodata"]
    meta = {names[s]: CovariateColumn(
        name=names[s], kind="raster", source=str(raster), statistic=s,
        unit="pixels" if s == "count" else unit, crs=info["crs"],
        nodata="" if nodata is None else repr(float(nodata)), band=band, date=date or info["date"],
        note="coverage-weighted (exactextract); polygons reprojected to the raster CRS")
        for s in stats}
    return Covariates(values, meta)
