"""``cityrank grid``: a regular grid inside any boundary (or the user's own grid, e.g. work
grids), with data and covariates attached, and the spatial analysis of one column on it,
partitioned on Dask when large."""

from __future__ import annotations

import json
from pathlib import Path

from cityrank.cli import options as o
from cityrank.cli.spatial import (
    TRUE_WORDS,
    add_engine_options,
    add_table_options,
    check_out,
    make_engine,
    read_polygons,
    say,
)
from cityrank.errors import DataError
from cityrank.i18n import t

ZONES_MAX_UNITS = 5000  # SKATER's dissimilarity matrix is n x n
GRID_WEIGHTS = ("queen", "rook")


def register(sub, lang: str):
    p = o.add_command(sub, "grid", lang)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--boundaries", metavar="FILE", help=o.h("grid.boundaries", lang))
    src.add_argument("--grid", metavar="FILE", help=o.h("grid.grid", lang))
    p.add_argument("--id-column", metavar="COLUMN", help=o.h("opt.id_column", lang))
    p.add_argument("--cell", default="1km", help=o.h("grid.cell", lang))
    p.add_argument("--mode", choices=("centroid", "clip"), default="centroid", help=o.h("grid.mode", lang))
    o.data(p, lang, key="grid.data")
    p.add_argument("--covariates", metavar="FILE", help=o.h("grid.covariates", lang))
    o.out(p, lang, required=True, key="grid.out")
    p.add_argument("--indicator", metavar="ID", help=o.h("grid.indicator", lang))
    p.add_argument("--report", metavar="report.json", help=o.h("grid.report", lang))
    p.add_argument("--x", action="append", default=[], metavar="COLUMN", help=o.h("grid.x", lang))
    p.add_argument("--weight", metavar="COLUMN", help=o.h("grid.weight", lang))
    p.add_argument("--weights", default="queen", help=o.h("grid.weights", lang))
    o.permutations(p, lang, key="grid.permutations")
    p.add_argument("--seed", type=int, help=o.h("analyze.seed", lang))
    p.add_argument("--synthetic", action="store_true", help=o.h("spatial.synthetic", lang))
    add_table_options(p, lang)
    add_engine_options(p, lang)
    o.lang(p, lang)
    return p


def _build_or_read_grid(args):
    from cityrank.geo.grid import build_grid, parse_length

    if args.grid:
        from cityrank.geo.user_boundaries import read_boundaries

        grid = read_boundaries(args.grid, args.id_column)
        say(args, "grid.grid_loaded", path=args.grid, n=len(grid))
        return grid
    target = args.boundaries
    codes = [c.strip() for c in target.split(",")]
    if all(c.isdigit() and len(c) == 6 for c in codes) and not Path(target).exists():
        from cityrank.geo.boundaries import load_layer

        pref = load_layer("prefecture")
        unknown = [c for c in codes if c not in set(pref["code"])]
        if unknown:
            raise DataError(t("cli.grid.unknown_codes", args.lang, codes=", ".join(unknown)))
        boundary = pref[pref["code"].isin(codes)]
    else:
        boundary = read_polygons(args, target)
    cell = parse_length(args.cell)
    grid = build_grid(boundary, cell, mode=args.mode)
    info = grid.attrs["grid"]
    say(args, "grid.grid_built", n=len(grid), cell=f"{cell:g}", mode=args.mode, crs=info["crs"],
         parents=int(grid["parent"].nunique()))
    return grid


def _attach_data(args, grid):
    import pandas as pd

    from cityrank.geo.join import join_scores
    from cityrank.scoring.readers import read_table

    raw = read_table(args.data, encoding=args.encoding, sheet=args.sheet).frame
    if "synthetic" in raw.columns and raw["synthetic"].astype(str).str.lower().isin(TRUE_WORDS).any():
        args.synthetic = True
    jr = join_scores(raw, layer=grid, universe_types=None, value_column=None, source=str(args.data))
    say(args, "grid.data_joined", path=args.data, matched=int(jr.gdf["match_method"].notna().sum()),
         unmatched=len(jr.unmatched))
    gdf = jr.gdf
    for c in raw.columns:
        if c in gdf.columns and c not in grid.columns and c != "synthetic":
            num = pd.to_numeric(gdf[c].replace("", None), errors="coerce")
            if num.notna().sum() == gdf[c].replace("", None).notna().sum():
                gdf[c] = num
    return gdf.drop(columns=[c for c in ("status", "match_method") if c in gdf.columns])


def run(args) -> int:
    from cityrank.geo.raster_io import export_geopackage

    check_out(args.out, (".gpkg",), args.lang)
    if args.weights not in GRID_WEIGHTS:  # partitions rebuild contiguity from shared edges
        raise DataError(t("cli.grid.bad_weights", args.lang, weights=args.weights,
                          known=", ".join(GRID_WEIGHTS)))
    if args.report and not args.indicator:
        raise DataError(t("cli.grid.needs_indicator", args.lang))
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
            raise DataError(t("cli.grid.no_column", args.lang, column=col, columns=", ".join(
                str(c) for c in layer.columns if c != layer.geometry.name)))
    layer.attrs["synthetic"] = bool(args.synthetic)
    out = export_geopackage(layer, args.out, layer="grid", synthetic=bool(args.synthetic))
    say(args, "grid.wrote", path=out)
    if not args.report:
        return 0
    from cityrank.atomic import write_text_atomic
    from cityrank.geo.analysis.report import build_report

    with make_engine(args, len(grid)) as engine:
        if engine is not None:
            say(args, "grid.engine", engine=engine.describe()["scheduler"])
        report = build_report(grid, args.indicator, x_columns=tuple(args.x), covariates=cov,
                              weight_column=args.weight, weights=args.weights, permutations=args.permutations,
                              seed=12345 if args.seed is None else args.seed, id_column="code", zones=len(grid) <= ZONES_MAX_UNITS,
                              synthetic=bool(args.synthetic), engine=engine,
                              title=t("cli.grid.report_title", "en", indicator=args.indicator,
                                      file=Path(args.out).name))
    report["title_zh"] = t("cli.grid.report_title", "zh", indicator=args.indicator, file=Path(args.out).name)
    write_text_atomic(args.report, json.dumps(report, ensure_ascii=False, indent=1))
    sig = sum(1 for u in report["units"] if u.get("lisa_cluster"))
    say(args, "grid.analysis_done", n=report["n_analysed"], indicator=args.indicator,
         moran=f"{report['global_moran']['I']:.3f}", significant=sig)
    say(args, "grid.wrote", path=args.report)
    return 0
