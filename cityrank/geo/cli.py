"""Subcommands contributed by ``geo``: ``cityrank map`` (print maps).

Thin: parse arguments, get a scores table (a catalog dataset, a scores file, or a data file
scored with a system), join it with :func:`geo.join.join_scores`, draw it with
:func:`geo.static_map.render_map`, print what happened. Warnings (historical units,
unmatched rows, units without data) go to stderr, never swallowed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from cityrank.geo.classify import CLASSIFIERS


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
    p = subparsers.add_parser(
        "map",
        help="draw a print choropleth map (PNG/SVG/PDF) of a dataset or scores file",
        description="Draw a choropleth of one indicator in the China equal-area projection with "
        "the 南海诸岛 inset, legend, scale bar and north arrow. Without --dataset or --scores "
        "the catalog's default dataset is mapped.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--dataset", help="dataset id from data/datasets.yaml")
    src.add_argument("--scores", help="scores table (CSV/XLSX with code or name column), or a "
                     "data file when --system is given")
    p.add_argument("--system", help="indicator system (id or YAML) to score --scores with")
    p.add_argument("--indicator", default="total",
                   help="column to map: 'total' (default) or an indicator id or name")
    p.add_argument("--classification", choices=tuple(CLASSIFIERS), default="quantiles",
                   help="class breaks (default quantiles; 'published' = <30/30-40/40-50/50-60/>=60)")
    p.add_argument("--k", type=int, default=5, help="number of classes (default 5)")
    p.add_argument("--bins", help="comma-separated upper bounds for --classification published "
                   "(default 30,40,50,60)")
    p.add_argument("--out", required=True, help="output file: .png, .svg or .pdf")
    p.add_argument("--title", help="map title (default: dataset title and indicator)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="map language (default zh)")
    p.add_argument("--review-number", help="审图号 to print, e.g. 'GS(2024)0650号'")
    p.add_argument("--source-note", help="data source line (default: the dataset's source)")
    p.add_argument("--cmap", default="YlGnBu", help="matplotlib colour map (default YlGnBu)")
    p.add_argument("--dpi", type=int, default=200, help="PNG resolution (default 200)")
    p.add_argument("--boundaries", help="your own boundary file (Shapefile, .zip, GeoPackage, "
                   "GeoJSON) instead of the prefecture layer; the map zooms to its units")
    p.add_argument("--id-column", help="id column of --boundaries (default: detect code/id)")
    p.add_argument("--name-column", help="name column of --boundaries (default: detect name)")
    p.add_argument("--on-conflict", choices=("error", "prefer_current"), default="error",
                   help="two rows on one unit (e.g. 莱芜 and 济南): fail (default) or keep the "
                   "row naming today's unit")
    p.set_defaults(func=cmd_map)


@dataclass
class _Source:
    scores: object
    system: object | None
    title: str
    title_en: str
    source: str
    synthetic: bool
    label: str


def _load_source(args) -> _Source:
    from cityrank.errors import DataError

    if args.scores:
        path = Path(args.scores)
        if args.system:
            from cityrank.scoring.pipeline import score_file

            run = score_file(args.system, path)
            for w in run.warnings:
                print(f"warning: {w}", file=sys.stderr)
            return _Source(run.scores, run.system, run.system.name, run.system.name_en or "",
                           str(path.name), run.synthetic, str(path))
        import pandas as pd

        from cityrank.scoring.ingest import is_synthetic_file
        from cityrank.scoring.readers import read_table

        frame = read_table(path).frame
        for col in frame.columns:
            conv = pd.to_numeric(frame[col].replace("", None), errors="coerce")
            if conv.notna().sum() and conv.notna().sum() == (frame[col] != "").sum() and col not in (
                "code", "代码", "区划代码", "行政区划代码"
            ):
                frame[col] = conv
        flag = frame.get("synthetic")
        synthetic = is_synthetic_file(path) or (
            flag is not None and flag.astype(str).str.lower().isin(["true", "1", "yes"]).any()
        )
        if len(frame) == 0:
            raise DataError(f"{path}: no rows")
        frame.attrs["synthetic"] = bool(synthetic)
        return _Source(frame, None, path.stem, path.stem, str(path.name), bool(synthetic), str(path))
    if args.system:
        from cityrank.errors import ConfigError

        raise ConfigError("--system needs --scores (a data file to score)")
    from cityrank.scoring.datasets import load_catalog

    ds = load_catalog().get(args.dataset)
    for w in ds.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return _Source(ds.scores(), ds.system, ds.title, ds.title_en or ds.title, ds.source,
                   bool(ds.synthetic), f"dataset {ds.id}")


def _indicator(args, src: _Source) -> tuple[str, str]:
    """(column, legend title) for --indicator: 'total', a node id, or a node name."""
    from cityrank.errors import NotFoundError

    key = args.indicator
    zh = args.lang == "zh"
    system = src.system
    if system is not None:
        total_max = getattr(system, "total_max", None)
        if key == "total":
            cap = f"（满分{total_max:g}）" if zh and total_max else (f" (max {total_max:g})" if total_max else "")
            return "total", ("总分" if zh else "Total score") + cap
        node = system.nodes.get(key)
        if node is None:
            matches = [n for n in system.nodes.values() if key in (n.name, n.name_en)]
            node = matches[0] if len(matches) == 1 else None
        if node is None:
            raise NotFoundError(
                f"unknown indicator {key!r} for system {system.id}; use 'total' or one of "
                f"{', '.join(system.first_level)} (or any node id)"
            )
        if node.id not in src.scores.columns:
            raise NotFoundError(f"indicator {node.id!r} has no scores in {src.label}")
        name = node.name if zh else (node.name_en or node.name)
        cap = f"（满分{node.max_points:g}）" if zh else f" (max {node.max_points:g})"
        return node.id, name + (cap if node.max_points else "")
    if key not in src.scores.columns:
        raise NotFoundError(f"{src.label}: no column {key!r}; columns: {list(src.scores.columns)}")
    return key, key if not (key == "total" and zh) else "总分"


def cmd_map(args) -> int:
    from cityrank.errors import ConfigError
    from cityrank.geo.join import join_scores
    from cityrank.geo.static_map import FORMATS, render_map

    if Path(args.out).suffix.lower() not in FORMATS:
        raise ConfigError(f"{args.out}: map format must be one of {', '.join(FORMATS)}")
    if args.k < 2:
        raise ConfigError(f"--k must be at least 2, got {args.k}")
    bins = None
    if args.bins:
        try:
            bins = [float(b) for b in args.bins.split(",") if b.strip()]
        except ValueError:
            raise ConfigError(f"--bins must be numbers separated by commas, got {args.bins!r}") from None
    layer, universe = "prefecture", ("副省级市", "地级市")
    if args.boundaries:
        from cityrank.geo.user_boundaries import read_boundaries

        layer = read_boundaries(args.boundaries, args.id_column, args.name_column)
        universe = None
        for w in layer.attrs.get("warnings", []):
            print(f"warning: {w}", file=sys.stderr)
    src = _load_source(args)
    column, legend_title = _indicator(args, src)
    res = join_scores(src.scores, layer=layer, universe_types=universe, value_column=column,
                      on_conflict=args.on_conflict, source=src.label)
    for w in res.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for rec in res.unmatched.itertuples(index=False):
        print(f"warning: {src.label}, row {rec.source_row}: not mapped: {rec.problem}", file=sys.stderr)
    if args.title:
        title = args.title
    else:
        base = src.title if args.lang == "zh" else (src.title_en or src.title)
        sep = "：" if args.lang == "zh" else ": "
        title = f"{base}{sep}{legend_title.split('（')[0].split(' (')[0]}"
    out = render_map(
        res.gdf, column, args.out,
        classification=args.classification, k=args.k, bins=bins, title=title,
        legend_title=legend_title, lang=args.lang, synthetic=src.synthetic,
        source_note=args.source_note or src.source, review_number=args.review_number,
        cmap=args.cmap, dpi=args.dpi,
    )
    c = res.counts
    mark = " [SIMULATED DATA]" if src.synthetic else ""
    print(f"wrote {out}: {c['scored']} scored, {c['no_data']} no data, "
          f"{c['not_evaluated']} not evaluated, {c['unmatched']} unmatched row(s){mark}")
    return 0
