"""``cityrank covariates``, ``cityrank grid`` and ``cityrank export``: covariates from rasters
and tables, grid-level layers and analysis (on Dask when large), and GIS exports.

Option names follow the one CLI grammar: ``--data FILE`` for input tables, ``--indicator`` for
the analysed column, ``--out`` for the output, ``--lang`` (zh by default) for messages, which
come from the catalogue (``cityrank/i18n/grid.yaml``). The commands only parse, call the core
(:mod:`cityrank.geo.covariates`, :mod:`cityrank.geo.grid`, :mod:`cityrank.geo.raster_io`,
:mod:`cityrank.geo.analysis`) and print.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cityrank.errors import DataError
from cityrank.i18n import t

_TRUE = {"1", "true", "yes", "y", "是"}
ZONES_MAX_UNITS = 5000  # SKATER's dissimilarity matrix is n x n


def _say(args, key: str, **fmt) -> None:
    print(t(key, args.lang, **fmt))


def add_engine_options(p: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--scheduler`` (shared by every command that can run on Dask)."""
    from cityrank.geo.analysis.partitioned import DASK_THRESHOLD, ENGINES

    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help=f"single process, Dask, or auto: Dask above {DASK_THRESHOLD:,} units (default auto)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786); default: a local cluster on this machine")


def _lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of messages (default zh)")


def _table_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--encoding", help="CSV text encoding (default: detect UTF-8/BOM/GBK/GB18030)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")


def register(subparsers) -> None:
    """Add ``covariates``, ``grid`` and ``export`` to the ``cityrank`` parser."""
    p = subparsers.add_parser(
        "covariates", help="covariates from a GeoTIFF (zonal statistics) or a table, stored as a sidecar",
        description="Zonal statistics of any GeoTIFF over the prefecture layer or your polygons "
        "(polygons reprojected to the raster's CRS, nodata masked, partial pixels weighted by "
        "coverage), or covariate columns of a CSV/XLSX keyed by code or name. Example: cityrank "
        "covariates --raster pop.tif --stat sum --name 人口 --unit 人 --out covariates.gpkg")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--raster", metavar="FILE.tif", help="GeoTIFF (any CRS)")
    src.add_argument("--data", metavar="FILE", help="CSV/XLSX table of covariates keyed like data files")
    p.add_argument("--stat", action="append", choices=("mean", "sum", "min", "max", "count", "median", "stdev"),
                   help="zonal statistic (repeatable; default mean)")
    p.add_argument("--band", type=int, default=1, help="raster band (default 1)")
    p.add_argument("--name", help="covariate name (required with --raster; NAME_STAT with several --stat)")
    p.add_argument("--columns", nargs="+", metavar="COLUMN", help="table columns to take (default: all but keys)")
    p.add_argument("--unit", default="", help="unit of measurement (人, 元, nW/cm²/sr, …)")
    p.add_argument("--date", default="", help="date or year of the covariate")
    p.add_argument("--boundary", metavar="FILE", help="your polygons (GPKG, Shapefile, GeoJSON, zip, or a grid "
                   "from cityrank grid); default: the built-in prefecture layer")
    p.add_argument("--id", dest="id_column", metavar="COLUMN", help="unit id column of --boundary")
    p.add_argument("--append", action="store_true", help="add to the covariates already in --out")
    p.add_argument("--out", required=True, metavar="FILE.gpkg|FILE.csv", help="covariates sidecar to write")
    _table_options(p)
    add_engine_options(p)
    _lang(p)
    p.set_defaults(func=run_covariates)

    p = subparsers.add_parser(
        "grid", help="build a regular grid inside a boundary (or take your grid), attach data, analyse",
        description="A regular grid of square cells in the equal-area CRS inside any boundary "
        "(centroid: whole cells whose centre is inside; clip: cells cut to the boundary), or your own "
        "grid (work grids); with data and covariates attached; optionally the spatial analysis of one "
        "column on the grid, partitioned on Dask when large. Example: cityrank grid --boundary 440300 "
        "--cell 1km --out shenzhen-1km.gpkg")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--boundary", metavar="FILE|CODE", help="boundary file, or prefecture code(s) of the "
                     "built-in layer (440300 or 440300,441900)")
    src.add_argument("--grid", metavar="FILE", help="your own grid (polygons with an id column)")
    p.add_argument("--id", dest="id_column", metavar="COLUMN", help="id column of --boundary/--grid file")
    p.add_argument("--cell", default="1km", help="cell size: 1km, 500m, 250 (metres); default 1km")
    p.add_argument("--mode", choices=("centroid", "clip"), default="centroid",
                   help="centroid (whole cells, default) or clip (cells cut to the boundary)")
    p.add_argument("--data", metavar="FILE", help="CSV/XLSX with a code column of cell ids (E{ix}N{iy} or yours)")
    p.add_argument("--covariates", metavar="FILE", help="covariates sidecar to attach (from cityrank covariates)")
    p.add_argument("--out", required=True, metavar="FILE.gpkg", help="GeoPackage of the grid to write")
    p.add_argument("--indicator", metavar="COLUMN", help="column to analyse (with --report)")
    p.add_argument("--report", metavar="report.json", help="write the spatial analysis of --indicator")
    p.add_argument("--x", action="append", default=[], metavar="COLUMN",
                   help="regressor of the spatial lag/Durbin models, e.g. a covariate (repeatable)")
    p.add_argument("--weight", metavar="COLUMN", help="population column for weighted Theil and Gini")
    p.add_argument("--weights", choices=("queen", "rook"), default="queen", help="contiguity (default queen)")
    p.add_argument("--permutations", type=int, default=999, help="permutations for pseudo p-values (default 999)")
    p.add_argument("--seed", type=int, default=12345, help="seed of every random step (default 12345)")
    p.add_argument("--synthetic", action="store_true", help="mark the input as simulated data")
    _table_options(p)
    add_engine_options(p)
    _lang(p)
    p.set_defaults(func=run_grid)

    p = subparsers.add_parser(
        "export", help="a scored layer as GeoTIFF (rasterised) or GeoPackage for GIS",
        description="Rasterise columns of a scores table (joined to the prefecture layer) or of any "
        "polygon layer into a GeoTIFF (CGCS2000 or the equal-area CRS), or write it as a GeoPackage. "
        "Example: cityrank export --data scores.csv --indicator total --resolution 1km --out total.tif")
    p.add_argument("--data", required=True, metavar="FILE", help="scores CSV/XLSX, or a polygon layer "
                   "(GPKG, Shapefile, GeoJSON)")
    p.add_argument("--id", dest="id_column", metavar="COLUMN", help="id column of a polygon layer")
    p.add_argument("--indicator", action="append", metavar="COLUMN",
                   help="column to export (repeatable: one band each; default total)")
    p.add_argument("--resolution", default="1km",
                   help="pixel size: metres (1km, 500m) for equal-area, degrees (0.01) for cgcs2000")
    p.add_argument("--crs", choices=("equal-area", "cgcs2000"), default="equal-area",
                   help="CRS of the GeoTIFF (default equal-area)")
    p.add_argument("--all-touched", action="store_true", help="burn every pixel a unit touches")
    p.add_argument("--synthetic", action="store_true", help="mark the input as simulated data")
    p.add_argument("--out", required=True, metavar="FILE.tif|FILE.gpkg", help="output file")
    _table_options(p)
    _lang(p)
    p.set_defaults(func=run_export)


# --- helpers ---------------------------------------------------------------------------

def _polygons(args, path: str | None):
    """The user's polygons (``path``) or the built-in prefecture layer."""
    if path:
        from cityrank.geo.user_boundaries import read_boundaries

        gdf = read_boundaries(path, args.id_column)
        for w in gdf.attrs.get("warnings", []):
            _say(args, "grid.warning", text=w)
        return gdf
    from cityrank.geo.boundaries import load_layer

    return load_layer("prefecture")


def _engine(args, n: int):
    from cityrank.geo.analysis.partitioned import engine_for

    return engine_for(n, args.engine, args.scheduler)


def _check_out(path: str, suffixes: tuple[str, ...]) -> None:
    if Path(path).suffix.lower() not in suffixes:
        raise DataError(f"--out {path}: expected a {' or '.join(suffixes)} file")


# --- commands --------------------------------------------------------------------------

def run_covariates(args: argparse.Namespace) -> int:
    from cityrank.geo.covariates import (
        SCHEMA,
        covariates_from_table,
        read_covariates,
        zonal_statistics,
    )

    _check_out(args.out, (".gpkg", ".csv"))
    if args.append and not Path(args.out).exists():
        raise DataError(f"--append: {args.out} does not exist yet")
    existing = read_covariates(args.out) if args.append else None
    polygons = _polygons(args, args.boundary)
    if args.raster:
        if not args.name:
            raise DataError("--raster needs --name NAME (the covariate's name)")
        from cityrank.geo.covariates import raster_info

        stats = args.stat or ["mean"]
        info = raster_info(args.raster, args.band)
        with _engine(args, len(polygons)) as engine:
            if engine is not None:
                _say(args, "grid.engine", engine=engine.describe()["scheduler"])
            cov = zonal_statistics(args.raster, polygons, stats, name=args.name, band=args.band, unit=args.unit,
                                   date=args.date, engine=engine)
        _say(args, "grid.covariates_source", path=args.raster, crs=info["crs"], nodata=info["nodata"],
             stats=", ".join(stats))
        first = cov.names[0]
        empty = cov.values.index[cov.values[first].isna()].tolist()
        if empty:
            _say(args, "grid.covariates_uncovered", count=len(empty), name=first, units=", ".join(empty[:20]))
    else:
        layer = polygons if args.boundary else "prefecture"
        cov, warnings = covariates_from_table(args.data, layer, columns=args.columns,
                                              units={c: args.unit for c in (args.columns or [])} if args.unit else None,
                                              encoding=args.encoding, sheet=args.sheet, date=args.date)
        for w in warnings:
            _say(args, "grid.warning", text=w)
    if existing is not None:
        cov = existing.merge(cov)
    out = cov.write(args.out)
    _say(args, "grid.covariates_summary", n_units=len(cov.values), n_columns=len(cov.names), names=", ".join(cov.names))
    _say(args, "grid.wrote", path=out)
    _say(args, "grid.sidecar_note", schema=SCHEMA)
    return 0


def _build_or_read_grid(args):
    from cityrank.geo.grid import build_grid, parse_length

    if args.grid:
        from cityrank.geo.user_boundaries import read_boundaries

        grid = read_boundaries(args.grid, args.id_column)
        _say(args, "grid.grid_loaded", path=args.grid, n=len(grid))
        return grid
    target = args.boundary
    codes = [c.strip() for c in target.split(",")]
    if all(c.isdigit() and len(c) == 6 for c in codes) and not Path(target).exists():
        from cityrank.geo.boundaries import load_layer

        pref = load_layer("prefecture")
        unknown = [c for c in codes if c not in set(pref["code"])]
        if unknown:
            raise DataError(f"--boundary: {unknown} are not codes of the prefecture layer")
        boundary = pref[pref["code"].isin(codes)]
    else:
        boundary = _polygons(args, target)
    cell = parse_length(args.cell)
    grid = build_grid(boundary, cell, mode=args.mode)
    info = grid.attrs["grid"]
    _say(args, "grid.grid_built", n=len(grid), cell=f"{cell:g}", mode=args.mode, crs=info["crs"],
         parents=int(grid["parent"].nunique()))
    return grid


def _attach_data(args, grid):
    import pandas as pd

    from cityrank.geo.join import join_scores
    from cityrank.scoring.readers import read_table

    raw = read_table(args.data, encoding=args.encoding, sheet=args.sheet).frame
    if "synthetic" in raw.columns and raw["synthetic"].astype(str).str.lower().isin(_TRUE).any():
        args.synthetic = True
    jr = join_scores(raw, layer=grid, universe_types=None, value_column=None, source=str(args.data))
    _say(args, "grid.data_joined", path=args.data, matched=int(jr.gdf["match_method"].notna().sum()),
         unmatched=len(jr.unmatched))
    gdf = jr.gdf
    for c in raw.columns:
        if c in gdf.columns and c not in grid.columns and c != "synthetic":
            num = pd.to_numeric(gdf[c].replace("", None), errors="coerce")
            if num.notna().sum() == gdf[c].replace("", None).notna().sum():
                gdf[c] = num
    return gdf.drop(columns=[c for c in ("status", "match_method") if c in gdf.columns])


def run_grid(args: argparse.Namespace) -> int:
    from cityrank.geo.raster_io import export_geopackage

    _check_out(args.out, (".gpkg",))
    if args.report and not args.indicator:
        raise DataError("--report needs --indicator COLUMN (the column to analyse)")
    cov = None
    if args.covariates:
        from cityrank.geo.covariates import read_covariates

        cov = read_covariates(args.covariates)
    grid = _build_or_read_grid(args)
    if args.data:
        grid = _attach_data(args, grid)
    layer = cov.join_to(grid) if cov is not None else grid
    for col in [args.indicator, *args.x, args.weight]:
        if col and col not in layer.columns:
            raise DataError(f"no column {col!r} on the grid; columns: "
                            f"{[c for c in layer.columns if c != layer.geometry.name]}")
    layer.attrs["synthetic"] = bool(args.synthetic)
    out = export_geopackage(layer, args.out, layer="grid", synthetic=bool(args.synthetic))
    _say(args, "grid.wrote", path=out)
    if not args.report:
        return 0
    from cityrank.atomic import write_text_atomic
    from cityrank.geo.analysis.report import build_report

    with _engine(args, len(grid)) as engine:
        if engine is not None:
            _say(args, "grid.engine", engine=engine.describe()["scheduler"])
        report = build_report(grid, args.indicator, x_columns=tuple(args.x), covariates=cov,
                              weight_column=args.weight, weights=args.weights, permutations=args.permutations,
                              seed=args.seed, id_column="code", zones=len(grid) <= ZONES_MAX_UNITS,
                              synthetic=bool(args.synthetic), engine=engine,
                              title=f"Grid analysis of {args.indicator} ({Path(args.out).name})")
    report["title_zh"] = f"{args.indicator} 网格空间分析（{Path(args.out).name}）"
    write_text_atomic(args.report, json.dumps(report, ensure_ascii=False, indent=1))
    sig = sum(1 for u in report["units"] if u.get("lisa_cluster"))
    _say(args, "grid.analysis_done", n=report["n_analysed"], indicator=args.indicator,
         moran=f"{report['global_moran']['I']:.3f}", significant=sig)
    _say(args, "grid.wrote", path=args.report)
    return 0


def _read_layer(args):
    """A polygon layer with the indicator columns: a GIS file, or a scores table joined."""
    import pandas as pd

    path = Path(args.data)
    columns = args.indicator or ["total"]
    if path.suffix.lower() in (".gpkg", ".shp", ".geojson", ".json", ".zip"):
        gdf = _polygons(args, str(path))
    else:
        from cityrank.geo.join import join_scores
        from cityrank.scoring.readers import read_table

        raw = read_table(path, encoding=args.encoding, sheet=args.sheet).frame
        for c in columns:
            if c not in raw.columns:
                raise DataError(f"{path}: no column {c!r} (use --indicator); columns: {list(raw.columns)}")
            raw[c] = pd.to_numeric(raw[c].replace("", None), errors="coerce")
        if "synthetic" in raw.columns and raw["synthetic"].astype(str).str.lower().isin(_TRUE).any():
            args.synthetic = True
        jr = join_scores(raw, value_column=columns[0], source=str(path))
        for w in jr.warnings:
            _say(args, "grid.warning", text=w)
        gdf = jr.gdf
    if "synthetic" in gdf.columns and gdf["synthetic"].astype(str).str.lower().isin(_TRUE).any():
        args.synthetic = True
    return gdf, columns


def run_export(args: argparse.Namespace) -> int:
    from cityrank.geo import raster_io
    from cityrank.geo.grid import parse_length

    _check_out(args.out, (".tif", ".tiff", ".gpkg"))
    gdf, columns = _read_layer(args)
    synthetic = bool(args.synthetic)
    if Path(args.out).suffix.lower() == ".gpkg":
        out = raster_io.export_geopackage(gdf, args.out, synthetic=synthetic)
        _say(args, "grid.wrote", path=out)
    else:
        if args.crs == "equal-area":
            res = parse_length(args.resolution)
            shown = f"{res:g} m"
        else:
            text = str(args.resolution).lower().removesuffix("deg").strip()
            try:
                res = float(text)
            except ValueError:
                raise DataError(f"--resolution {args.resolution!r}: give degrees (e.g. 0.01) for --crs cgcs2000") from None
            shown = f"{res:g}°"
        out = raster_io.export_geotiff(gdf, columns, args.out, resolution=res, crs=args.crs,
                                       all_touched=args.all_touched, synthetic=synthetic, source=str(args.data))
        _say(args, "grid.exported", columns=", ".join(columns), crs=args.crs, resolution=shown, path=out)
    if synthetic:
        _say(args, "grid.synthetic_mark")
    return 0

