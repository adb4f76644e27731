"""Covariates of a layer's units: zonal statistics of rasters and tables keyed like data files.

* :mod:`.table` -- the :class:`Covariates` type (values + per-column provenance), the sidecar
  files it is stored in, and covariates read from CSV/XLSX tables;
* :mod:`.zonal` -- zonal statistics of any GeoTIFF over polygons (exactextract).
"""

from cityrank.geo.covariates.table import (  # noqa: F401
    SCHEMA,
    CovariateColumn,
    Covariates,
    covariates_from_table,
    read_covariates,
)
from cityrank.geo.covariates.zonal import STATISTICS, raster_info, zonal_statistics, zonal_values  # noqa: F401
