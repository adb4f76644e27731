"""``cityrank covariates``: covariates from a GeoTIFF (zonal statistics weighted by pixel
coverage, polygons reprojected to the raster's CRS) or a table keyed like data files, kept
with a dataset in the store (``--dataset ID``: listed by ``cityrank datasets covariates``,
served by ``/api/v1/datasets/<id>/covariates``, shown on the city page, used by ``cityrank
analyze --dataset``) and/or written as a sidecar (``--out``, schema ``cityrank/covariates/1``)."""

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
    o.out(p, lang, required=False, key="covariates.out")
    p.add_argument("--dataset", metavar="ID", help=o.h("covariates.dataset", lang))
    p.add_argument("--replace", action="store_true", help=o.h("covariates.replace", lang))
    p.add_argument("--data-dir", metavar="DIR", default=None, help=o.h("datasets.data_dir", lang))
    add_table_options(p, lang)
    add_engine_options(p, lang)
    o.lang(p, lang)
    return p


def run(args) -> int:
    if not args.out and not args.dataset:
        raise DataError(t("cli.covariates.needs_target", args.lang))
    if args.out:
        check_out(args.out, (".gpkg", ".csv"), args.lang)
    if args.append and not args.out:
        raise DataError(t("cli.covariates.append_needs_out", args.lang))
    if args.dataset and args.boundaries:
        raise DataError(t("cli.covariates.dataset_layer", args.lang))
    if args.dataset:  # check the dataset exists before any long computation
        from cityrank.cli.datasets import site_for

        site = site_for(args)
        try:
            return _run(args, site)
        finally:
            site.close()
    return _run(args, None)


def _run(args, site) -> int:
    from cityrank.geo.covariates import (
        SCHEMA,
        covariates_from_table,
        read_covariates,
        zonal_statistics,
    )

    record = site.store.get(args.dataset) if site is not None else None
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
                                              units=args.unit or None,
                                              encoding=args.encoding, sheet=args.sheet, date=args.date)
        for w in warnings:
            say(args, "grid.warning", text=w)
    say(args, "grid.covariates_summary", n_units=len(cov.values), n_columns=len(cov.names), names=", ".join(cov.names))
    if record is not None:
        _store(args, site, record, cov)
    if existing is not None:
        cov = existing.merge(cov)
    if args.out:
        out = cov.write(args.out)
        say(args, "grid.wrote", path=out)
        say(args, "grid.sidecar_note", schema=SCHEMA)
    return 0


def _store(args, site, record, cov) -> None:
    """Keep ``cov`` with the dataset: the values of the dataset's units, one transaction."""
    codes = site.store.load_scores(record.id, record)["code"].astype(str)
    values = cov.values.reindex(codes.tolist())
    values.index.name = "code"
    missing = values.index[values.isna().all(axis=1)].tolist()
    if missing:
        say(args, "cli.covariates.dataset_missing", n=len(missing), dataset=record.id,
            units=", ".join(missing[:20]))
    if not args.replace:
        have = {m["name"] for m in site.store.load_covariates(record.id)[1]}
        clash = sorted(have & set(cov.names))
        if clash:
            raise DataError(t("cli.covariates.exists", args.lang, dataset=record.id,
                              names=", ".join(clash)))
    # the file's name, not the path on this machine: pages and the API show it
    meta = [m | {"source": Path(m["source"]).name} for m in cov.metadata()]
    rec = site.store.put_covariates(record.id, values, meta, replace=args.replace)
    say(args, "cli.covariates.stored", dataset=rec.id, names=", ".join(cov.names),
        n=int(values.notna().any(axis=1).sum()), revision=rec.revision, url=site.store.url)
