"""``cityrank covariates``: covariates from a GeoTIFF (zonal statistics weighted by pixel
coverage, polygons reprojected to the raster's CRS) or a table keyed like data files, written
as a sidecar (schema ``cityrank/covariates/1``) until datasets keep them in storage."""

from __future__ import annotations

from pathlib import Path

from cityrank.cli import options as o
from cityrank.cli.spatial import (
    add_engine_options,
    add_table_options,
    check_out,
    make_engine,
    read_polygons,
    say,
)
from cityrank.errors import DataError
from cityrank.i18n import t


def register(sub, lang: str):
    p = o.add_command(sub, "covariates", lang)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--raster", metavar="FILE.tif", help=o.h("covariates.raster", lang))
    o.data(p, lang, key="covariates.data", group=src)
    p.add_argument("--stat", action="append", choices=("mean", "sum", "min", "max", "count", "median", "stdev"),
                   help=o.h("covariates.stat", lang))
    p.add_argument("--band", type=o.positive_int, default=1, help=o.h("covariates.band", lang))
    p.add_argument("--name", help=o.h("covariates.name", lang))
    p.add_argument("--columns", nargs="+", metavar="COLUMN", help=o.h("covariates.columns", lang))
    p.add_argument("--unit", default="", help=o.h("covariates.unit", lang))
    p.add_argument("--date", default="", help=o.h("covariates.date", lang))
    p.add_argument("--boundaries", metavar="FILE", help=o.h("covariates.boundaries", lang))
    p.add_argument("--id-column", metavar="COLUMN", help=o.h("opt.id_column", lang))
    p.add_argument("--append", action="store_true", help=o.h("covariates.append", lang))
    o.out(p, lang, required=True, key="covariates.out")
    add_table_options(p, lang)
    add_engine_options(p, lang)
    o.lang(p, lang)
    return p


def run(args) -> int:
    from cityrank.geo.covariates import (
        SCHEMA,
        covariates_from_table,
        read_covariates,
        zonal_statistics,
    )

    check_out(args.out, (".gpkg", ".csv"), args.lang)
    if args.append and not Path(args.out).exists():
        raise DataError(t("cli.covariates.no_append_target", args.lang, path=args.out))
    existing = read_covariates(args.out) if args.append else None
    polygons = read_polygons(args, args.boundaries)
    if args.raster:
        if not args.name:
            raise DataError(t("cli.covariates.needs_name", args.lang))
        from cityrank.geo.covariates import raster_info

        stats = args.stat or ["mean"]
        info = raster_info(args.raster, args.band)
        with make_engine(args, len(polygons)) as engine:
            if engine is not None:
                say(args, "grid.engine", engine=engine.describe()["scheduler"])
            cov = zonal_statistics(args.raster, polygons, stats, name=args.name, band=args.band, unit=args.unit,
                                   date=args.date, engine=engine)
        say(args, "grid.covariates_source", path=args.raster, crs=info["crs"], nodata=info["nodata"],
             stats=", ".join(stats))
        first = cov.names[0]
        empty = cov.values.index[cov.values[first].isna()].tolist()
        if empty:
            say(args, "grid.covariates_uncovered", count=len(empty), name=first, units=", ".join(empty[:20]))
    else:
        layer = polygons if args.boundaries else "prefecture"
        cov, warnings = covariates_from_table(args.data, layer, columns=args.columns,
                                              units={c: args.unit for c in (args.columns or [])} if args.unit else None,
                                              encoding=args.encoding, sheet=args.sheet, date=args.date)
        for w in warnings:
            say(args, "grid.warning", text=w)
    if existing is not None:
        cov = existing.merge(cov)
    out = cov.write(args.out)
    say(args, "grid.covariates_summary", n_units=len(cov.values), n_columns=len(cov.names), names=", ".join(cov.names))
    say(args, "grid.wrote", path=out)
    say(args, "grid.sidecar_note", schema=SCHEMA)
    return 0
