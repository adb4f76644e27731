"""``cityrank analyze``: the spatial analysis report from the shell.

Three ways in, one report out (the same :func:`geo.analysis.report.build_report` the viewer
uses):

* ``--dataset ID`` -- a catalogued dataset, joined to the built-in prefecture layer;
* ``--scores FILE`` -- a scores table (CSV/XLSX, keyed by code or name), joined the same way;
* ``--geodata FILE --id COLUMN --value COLUMN`` -- any polygon file with its own values
  (districts, grids, another country); ``--scores`` may add the values by ``--id``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from cityrank.errors import DataError

_TRUE = {"1", "true", "yes", "y", "是"}


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
    p = subparsers.add_parser(
        "analyze",
        help="spatial analysis report (Moran, LISA, disparity, gradients, clusters, spillover)",
        description="Spatial analysis of a dataset, a scores file or any polygon file; writes JSON "
        "(and optionally a self-contained HTML report with maps and charts).",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--dataset", metavar="ID", help="catalogued dataset id (default: the catalogue's default)")
    src.add_argument("--scores", metavar="FILE", help="scores table (CSV/XLSX) keyed by code or name")
    p.add_argument("--geodata", metavar="FILE", help="your own polygon file (GeoJSON, GPKG, Shapefile)")
    p.add_argument("--id", dest="id_column", metavar="COLUMN", help="unit id column of --geodata")
    p.add_argument("--value", metavar="COLUMN", default=None, help="column to analyse (default: total)")
    p.add_argument("--x", action="append", default=[], metavar="COLUMN",
                   help="regressor for the spatial lag/Durbin models (repeatable)")
    p.add_argument("--weights", default="queen", help="queen, rook, knn, distance_band or kernel (default queen)")
    p.add_argument("--k", type=int, default=None, help="neighbours for knn/kernel weights")
    p.add_argument("--permutations", type=int, default=999, help="permutations for pseudo p-values (default 999)")
    p.add_argument("--seed", type=int, default=12345, help="seed of every random step (default 12345)")
    p.add_argument("--hub", metavar="CODE", help="hub unit for distance decay and the impact map")
    p.add_argument("--fdr", action="store_true", help="false-discovery-rate cut-off for LISA and Gi*")
    p.add_argument("--draws", type=int, default=1000, help="parameter draws for impact uncertainty")
    p.add_argument("--no-zones", action="store_true", help="skip the SKATER governance zones")
    p.add_argument("--synthetic", action="store_true", help="mark the input as simulated data")
    p.add_argument("--out", required=True, metavar="report.json", help="JSON report to write")
    p.add_argument("--html", metavar="report.html", help="also write an HTML report with maps")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the HTML report, its map titles and legends, and of the findings printed (default zh; "
                   "the JSON has both: findings in English, findings_zh in Chinese)")
    p.set_defaults(func=run)


def _read_scores(path: str) -> pd.DataFrame:
    from cityrank.scoring.readers import read_table

    return read_table(path).frame


def _numeric(frame: pd.DataFrame, columns) -> None:
    for c in columns:
        if c in frame.columns:
            frame[c] = pd.to_numeric(frame[c].replace("", None), errors="coerce")


def _load_user_geodata(args):
    import geopandas as gpd
    import pyogrio

    path = Path(args.geodata)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    try:
        gdf = gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(f"{path}: cannot read polygons: {exc}") from exc
    if args.id_column is None:
        raise DataError("--geodata needs --id COLUMN (the unit id column)")
    if args.id_column not in gdf.columns:
        raise DataError(f"{path}: no column {args.id_column!r}; columns: {list(gdf.columns[:-1])}")
    gdf[args.id_column] = gdf[args.id_column].astype(str)
    if args.scores:
        scores = _read_scores(args.scores)
        if args.id_column not in scores.columns:
            raise DataError(f"{args.scores}: no column {args.id_column!r} to join on")
        extra = [c for c in scores.columns if c not in gdf.columns or c == args.id_column]
        gdf = gdf.merge(scores[extra], on=args.id_column, how="left")
    return gdf


def _inputs(args) -> dict:
    """Resolve the CLI's input options into build_report arguments."""
    value = args.value or "total"
    if args.geodata:
        gdf = _load_user_geodata(args)
        _numeric(gdf, [value, *args.x])
        if "synthetic" in gdf.columns:
            args.synthetic = args.synthetic or gdf["synthetic"].astype(str).str.lower().isin(_TRUE).any()
        return {"gdf": gdf, "value": value, "id_column": args.id_column, "synthetic": args.synthetic,
                "title": f"Spatial analysis of {value} ({Path(args.geodata).name})",
                "title_zh": f"{value} 空间分析（{Path(args.geodata).name}）"}
    from cityrank.geo.join import join_scores

    if args.scores:
        scores = _read_scores(args.scores)
        if value not in scores.columns:
            raise DataError(f"{args.scores}: no column {value!r} (use --value)")
        synthetic = args.synthetic or ("synthetic" in scores.columns and scores["synthetic"].astype(str)
                                       .str.lower().isin(_TRUE).any())
        _numeric(scores, [value, *args.x])
        jr = join_scores(scores, value_column=value, source=args.scores)
        return {"gdf": jr.gdf, "value": value, "id_column": "code", "synthetic": synthetic,
                "title": f"Spatial analysis of {value} ({Path(args.scores).name})", "warnings": jr.warnings,
                "title_zh": f"{value} 空间分析（{Path(args.scores).name}）"}
    from cityrank.geo.analysis.service import (
        ANALYSIS_LAYER,
        dataset_options,
        indicator_names,
        title_zh,
    )
    from cityrank.scoring.datasets import load_catalog

    ds = load_catalog().get(args.dataset)
    jr = join_scores(ds.scores(), layer=ANALYSIS_LAYER, value_column=value)
    return {"gdf": jr.gdf, "value": value, "id_column": "code", "synthetic": bool(ds.synthetic) or args.synthetic,
            "title": f"{ds.title_en or ds.title}: spatial analysis of {value}", **dataset_options(ds, value),
            "warnings": list(ds.warnings) + jr.warnings, "dataset": ds.id, "indicator_names": indicator_names(ds),
            "title_zh": title_zh(ds, value)}


def run(args: argparse.Namespace) -> int:
    from cityrank.atomic import write_text_atomic
    from cityrank.geo.analysis.report import build_report

    inp = _inputs(args)
    weights_params = {"k": args.k} if args.k else {}
    report = build_report(
        inp["gdf"], inp["value"], x_columns=tuple(args.x), weights=args.weights,
        permutations=args.permutations, seed=args.seed, hub=args.hub, id_column=inp["id_column"],
        fdr=args.fdr, max_value=inp.get("max_value"), indicators=inp.get("indicators"),
        zones=not args.no_zones, draws=args.draws, synthetic=bool(inp["synthetic"]), title=inp["title"],
        weights_params=weights_params, indicator_names=inp.get("indicator_names"),
    )
    report["input_warnings"] = inp.get("warnings", [])
    if inp.get("dataset"):
        report["dataset"] = inp["dataset"]
    if inp.get("title_zh"):
        report["title_zh"] = inp["title_zh"]
    write_text_atomic(args.out, json.dumps(report, ensure_ascii=False, indent=1))
    print(f"wrote {args.out}")
    if args.html:
        from cityrank.geo.analysis.html import write_html

        write_html(report, args.html, inp["gdf"], id_column=inp["id_column"], lang=args.lang)
        print(f"wrote {args.html}")
    from cityrank.geo.analysis.findings import report_findings

    for line in report_findings(report, args.lang):
        print("- " + line)
    return 0
