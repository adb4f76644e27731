"""Users' own boundaries (districts, subdistricts, grids) as a layer that joins like ours.

Chinese GIS offices still hand out Shapefiles whose DBF is GBK, often without the ``.cpg``
sidecar that says so; GDAL then decodes as Latin-1 and names come out as ``ÐÂ°²½ÖµÀ``. We
honour an explicit ``encoding`` first, then a ``.cpg``, and otherwise sniff the DBF bytes
(UTF-8 if they decode as UTF-8, else GB18030, the superset of GBK and GB2312), so a user
never has to know what a code page is.

The result has a string ``code`` and a ``name`` column and is in CGCS2000 lon/lat (EPSG:4490)
so :func:`geo.join.join_scores` can take it in place of a built-in layer name.
"""

from __future__ import annotations

import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from cityrank.errors import DataError, NotFoundError
from cityrank.geo.extent import CHINA
from cityrank.geo.projection import STORAGE_CRS
from cityrank.scoring import columns
from cityrank.scoring.columns import find_column

SUPPORTED = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}


def dbf_text_bytes(dbf_path: Path) -> bytes:
    """Field names and record bytes of a DBF: the parts that carry text."""
    data = dbf_path.read_bytes()
    if len(data) < 32:
        raise DataError(f"{dbf_path}: not a dBASE file (too short)")
    header_len = struct.unpack("<H", data[8:10])[0]
    names = b"".join(data[k : k + 11] for k in range(32, max(32, header_len - 1), 32))
    return names.replace(b"\x00", b"") + data[header_len:]


def detect_dbf_encoding(dbf_path: Path) -> str:
    """Best guess of a DBF's text encoding: ``UTF-8`` or ``GB18030`` (or charset_normalizer's)."""
    text = dbf_text_bytes(dbf_path)
    try:
        text.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text.decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(text).best()
    if best is None:
        raise DataError(f"{dbf_path}: cannot tell the DBF text encoding; pass encoding=")
    return best.encoding


MAX_ZIP_BYTES = 512 * 1024 * 1024


def _read_zip(path: Path, id_column, name_column, encoding, *, layer, crs) -> gpd.GeoDataFrame:
    """A zipped Shapefile (the usual way one is sent around): unpack flat into a temporary
    folder -- member names reduced to their base name, so nothing lands outside it -- and
    read the one boundary file inside."""
    import tempfile
    import zipfile

    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise DataError(f"{path}: not a readable zip file: {exc}") from exc
    with zf, tempfile.TemporaryDirectory(prefix="cityrank-zip-") as tmp:
        members = [m for m in zf.infolist() if not m.is_dir() and not Path(m.filename).name.startswith(".")]
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise DataError(f"{path}: zip expands to more than {MAX_ZIP_BYTES // 2**20} MB")
        for m in members:
            target = Path(tmp) / Path(m.filename).name
            with zf.open(m) as src, open(target, "wb") as dst:
                dst.write(src.read())
        found = sorted(p for p in Path(tmp).iterdir() if p.suffix.lower() in SUPPORTED)
        if len(found) != 1:
            names = ", ".join(p.name for p in found) or "none"
            raise DataError(f"{path}: expected exactly one boundary file (.shp, .gpkg, .geojson) "
                            f"in the zip, found {names}")
        gdf = read_boundaries(found[0], id_column, name_column, encoding, layer=layer, crs=crs)
    gdf.attrs["source"] = f"{path}!{found[0].name}"
    return gdf


def _pick(columns, wanted: str | None, candidates, what: str, path) -> str | None:
    if wanted is not None:
        if wanted not in columns:
            raise DataError(f"{path}: no column {wanted!r} ({what}); columns: {list(columns)}")
        return wanted
    return find_column(columns, candidates)


def _as_code_strings(series: pd.Series) -> pd.Series:
    """Codes as text: 440306001.0 (float from a DBF numeric field) -> '440306001'."""
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if (whole == np.floor(whole)).all():
            return series.map(lambda v: None if pd.isna(v) else str(int(v)))
    if pd.api.types.is_integer_dtype(series):
        return series.astype(str)
    return series.map(lambda v: None if v is None or pd.isna(v) else str(v).strip())


def read_boundaries(
    path,
    id_column: str | None = None,
    name_column: str | None = None,
    encoding: str | None = None,
    *,
    layer: str | None = None,
    crs=None,
) -> gpd.GeoDataFrame:
    """Read a user boundary file into a joinable layer (``code``, ``name``, EPSG:4490).

    ``crs`` declares the CRS of a file that has none (a Shapefile without ``.prj``); GeoJSON
    without CRS is WGS-84 by RFC 7946. Raises DataError naming the file and row for missing
    or duplicate ids, empty or non-polygon geometries, or coordinates outside China.
    """
    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"{path}: boundary file not found")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path, id_column, name_column, encoding, layer=layer, crs=crs)
    if suffix not in SUPPORTED:
        raise DataError(f"{path}: unsupported boundary format {suffix!r}; use {', '.join(SUPPORTED)}")
    kwargs: dict = {}
    detected = None
    if suffix == ".shp":
        cpg = path.with_suffix(".cpg")
        if encoding:
            kwargs["encoding"] = encoding
        elif not cpg.exists():
            dbf = path.with_suffix(".dbf")
            if not dbf.exists():
                raise DataError(f"{path}: the .dbf sidecar (attributes) is missing")
            detected = detect_dbf_encoding(dbf)
            kwargs["encoding"] = detected
    if layer is not None:
        kwargs["layer"] = layer
    try:
        gdf = pyogrio.read_dataframe(path, **kwargs)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(f"{path}: cannot read boundaries: {exc}") from exc
    warnings: list[str] = []
    if detected:
        warnings.append(f"{path.name}: no .cpg; DBF text encoding detected as {detected}")

    if gdf.crs is None:
        if crs is not None:
            gdf = gdf.set_crs(crs)
        elif suffix in (".geojson", ".json"):
            gdf = gdf.set_crs(4326)
            warnings.append(f"{path.name}: no CRS; GeoJSON is WGS-84 (RFC 7946)")
        else:
            raise DataError(f"{path}: no CRS (missing .prj?); pass crs='EPSG:4490' or the right one")
    gdf = gdf.to_crs(STORAGE_CRS)

    geom = gdf.geometry
    empty = np.flatnonzero(geom.isna().to_numpy() | geom.is_empty.to_numpy())
    if len(empty):
        raise DataError(f"{path}: feature(s) without geometry at row(s) {', '.join(str(k + 1) for k in empty[:10])}")
    bad_type = np.flatnonzero(~geom.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy())
    if len(bad_type):
        k = bad_type[0]
        raise DataError(f"{path}: row {k + 1} is a {geom.geom_type.iloc[k]}; boundaries must be polygons")
    minx, miny, maxx, maxy = gdf.total_bounds
    if not CHINA.covers((minx, miny, maxx, maxy)):  # outside China: a wrong or missing CRS
        raise DataError(
            f"{path}: coordinates ({minx:.2f}, {miny:.2f}, {maxx:.2f}, {maxy:.2f}) fall outside "
            "China after reprojection to EPSG:4490; is the declared CRS right?"
        )
    invalid = np.flatnonzero(~gdf.is_valid.to_numpy())
    if len(invalid):
        gdf.loc[gdf.index[invalid], gdf.geometry.name] = shapely.make_valid(geom.iloc[invalid].to_numpy())
        warnings.append(f"{path.name}: repaired {len(invalid)} invalid geometr(ies) with make_valid")

    # key columns: the one alias list of scoring.columns, with the ids of finer units
    id_col = _pick(gdf.columns, id_column, columns.BOUNDARY_ID, "id_column", path)
    name_col = _pick(gdf.columns, name_column, columns.BOUNDARY_NAME, "name_column", path)
    if id_col is None and name_col is None:
        raise DataError(
            f"{path}: cannot find an id or name column; pass id_column= (columns: "
            f"{[c for c in gdf.columns if c != gdf.geometry.name]})"
        )
    codes = _as_code_strings(gdf[id_col] if id_col else gdf[name_col])
    missing = np.flatnonzero(codes.isna().to_numpy() | (codes.fillna("") == "").to_numpy())
    if len(missing):
        raise DataError(f"{path}: column {id_col or name_col!r} is empty at row(s) "
                        + ", ".join(str(k + 1) for k in missing[:10]))
    dup = codes[codes.duplicated(keep=False)]
    if len(dup):
        rows = ", ".join(str(k + 1) for k in np.flatnonzero(codes.duplicated(keep=False).to_numpy())[:10])
        raise DataError(f"{path}: column {id_col or name_col!r} has duplicate ids "
                        f"{sorted(set(dup))[:5]} at rows {rows}")
    names = gdf[name_col].astype(str) if name_col else codes
    out = gdf.drop(columns=[c for c in ("code", "name") if c in gdf.columns])
    out.insert(0, "name", names.to_numpy())
    out.insert(0, "code", codes.to_numpy())
    out = gpd.GeoDataFrame(out, geometry=gdf.geometry.name, crs=STORAGE_CRS)
    out.attrs["source"] = str(path)
    out.attrs["encoding"] = kwargs.get("encoding") or ("from .cpg" if suffix == ".shp" else "UTF-8")
    out.attrs["warnings"] = warnings
    return out
