"""``cityrank analyze``: the spatial analysis report from the shell.

Three ways in, one report out (the same :func:`cityrank.geo.analysis.report.build_report`
the viewer uses):

* ``--dataset ID`` -- a catalogued dataset, joined to the built-in prefecture layer;
* ``--data FILE`` -- a scores table (or raw data scored with ``--system``), joined the same way;
* ``--boundaries FILE --id-column COLUMN`` -- any polygon file with its own values (districts,
  grids, another country); ``--data`` may add values joined by ``--id-column``.

Covariates (``--covariates FILE``, a sidecar of ``cityrank covariates``; with ``--dataset``
also those stored with the dataset, found in the store of ``--data-dir``) may be regressors
(``--x``) and the weight of population-weighted Theil and Gini (``--weight``). ``--engine
dask`` (or ``auto`` above the threshold) runs contiguity weights, LISA and Gi* partitioned on
Dask, locally or on ``--scheduler``, with the same results.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from cityrank.cli import options as o
from cityrank.cli.output import warn, wrote
from cityrank.errors import ConfigError, DataError, NotFoundError
from cityrank.i18n import LANGS, t


def register(sub, lang: str):
    p = o.add_command(sub, "analyze", lang)
    o.table_source(p, lang, data_key="analyze.data")
    o.alias(p, "--geodata", p.add_argument("--boundaries", metavar="FILE",
                                           help=o.h("analyze.boundaries", lang)))
    o.alias(p, "--id", p.add_argument("--id-column", metavar="COLUMN",
                                      help=o.h("analyze.id_column", lang)))
    o.alias(p, "--value", o.indicator(p, lang, key="analyze.indicator"))
    p.add_argument("--x", action="append", default=[], metavar="COLUMN", help=o.h("analyze.x", lang))
    p.add_argument("--covariates", metavar="FILE", help=o.h("analyze.covariates", lang))
    p.add_argument("--weight", metavar="COLUMN", help=o.h("analyze.weight", lang))
    p.add_argument("--weights", default="queen", help=o.h("analyze.weights", lang))
    o.alias(p, "--k", p.add_argument("--neighbours", type=o.positive_int, default=None, metavar="K",
                                     help=o.h("analyze.neighbours", lang)))
    o.permutations(p, lang, key="analyze.permutations")
    p.add_argument("--seed", type=int, help=o.h("analyze.seed", lang))
    p.add_argument("--hub", metavar="CODE", help=o.h("analyze.hub", lang))
    p.add_argument("--fdr", action="store_true", help=o.h("analyze.fdr", lang))
    p.add_argument("--draws", type=int, default=1000, help=o.h("analyze.draws", lang))
    p.add_argument("--no-zones", action="store_true", help=o.h("analyze.no_zones", lang))
    p.add_argument("--synthetic", action="store_true", help=o.h("analyze.synthetic", lang))
    o.out(p, lang, required=True, key="analyze.out")
    p.add_argument("--html", metavar="FILE", help=o.h("analyze.html", lang))
    o.reading(p, lang, missing_key="opt.missing_scored")
    p.add_argument("--data-dir", metavar="DIR", default=None, help=o.h("analyze.data_dir", lang))
    from cityrank.cli.spatial import add_engine_options

    add_engine_options(p, lang)
    o.lang(p, lang)
    return p


def _default_dataset() -> str:
    from cityrank.scoring.datasets import load_catalog

    return load_catalog().default_id


def _titles(indicator: dict[str, str], file: str) -> dict[str, str]:
    return {"title": t("cli.analyze.title_file", "en", indicator=indicator["en"], file=file),
            "title_zh": t("cli.analyze.title_file", "zh", indicator=indicator["zh"], file=file)}


def _user_polygons(args) -> dict:
    import geopandas as gpd
    import pyogrio

    from cityrank.cli.sources import read_scores_table, require_numbers

    lang = args.lang
    if args.dataset or args.system:
        raise ConfigError(t("cli.analyze.boundaries_conflict", lang))
    path = Path(args.boundaries)
    if not path.exists():
        raise NotFoundError(t("cli.file_not_found", lang, path=path))
    try:
        gdf = gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(t("cli.analyze.unreadable", lang, path=path, detail=exc)) from exc
    if args.id_column is None:
        raise ConfigError(t("cli.analyze.needs_id", lang))
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    if args.id_column not in gdf.columns:
        raise NotFoundError(t("cli.no_column", lang, source=path, column=args.id_column,
                              columns=", ".join(map(str, columns))))
    gdf[args.id_column] = gdf[args.id_column].astype(str)
    synthetic = args.synthetic
    if args.data:
        scores, synthetic_table = read_scores_table(args.data, encoding=args.encoding, sheet=args.sheet,
                                                    lang=lang)
        synthetic = synthetic or synthetic_table
        if args.id_column not in scores.columns:
            raise NotFoundError(t("cli.analyze.no_join_column", lang, file=args.data, column=args.id_column))
        scores[args.id_column] = scores[args.id_column].astype(str)
        extra = [c for c in scores.columns if c not in gdf.columns or c == args.id_column]
        gdf = gdf.merge(scores[extra], on=args.id_column, how="left")
    require_numbers(gdf, [args.indicator, *_own(args, args.x)], str(path), lang)
    if "synthetic" in gdf.columns:
        from cityrank.cli.sources import TRUE_WORDS

        synthetic = synthetic or gdf["synthetic"].astype(str).str.strip().str.lower().isin(TRUE_WORDS).any()
    names = {lg: args.indicator for lg in LANGS}
    return {"gdf": gdf, "value": args.indicator, "id_column": args.id_column, "synthetic": bool(synthetic),
            **_titles(names, path.name)}


def _own(args, columns) -> list[str]:
    """The columns that are not covariates (those must be columns of the input itself)."""
    cov = getattr(args, "_covariate_names", ())
    return [c for c in columns if c not in cov]


def _covariates(args, dataset_id: str | None):
    """``--covariates FILE`` and, with ``--dataset``, the covariates stored with the dataset
    (in the store of ``--data-dir``, when it exists and holds that dataset), merged; None
    when there are none."""
    from cityrank.geo.covariates import Covariates, read_covariates

    found = []
    if args.covariates:
        found.append(read_covariates(args.covariates))
    if dataset_id:
        from cityrank.store import Store, settings

        url = settings.database_url(args.data_dir)
        db = url[len("sqlite:///"):] if url.startswith("sqlite:///") else None
        if db is None or Path(db).exists():  # never create a database just to look
            store = Store.open(url)
            try:
                if store.find(dataset_id) is not None:
                    values, meta = store.load_covariates(dataset_id)
                    if meta:
                        found.append(Covariates.from_records(values, meta, where=dataset_id))
                        print(t("cli.analyze.stored_covariates", args.lang, dataset=dataset_id,
                                names=", ".join(m["name"] for m in meta), url=store.url))
            finally:
                store.close()
    if not found:
        return None
    cov = found[0]
    for more in found[1:]:
        cov = cov.merge(more)
    return cov


def _table(args) -> dict:
    from cityrank.cli.sources import load_source, require_numbers, resolve_indicator
    from cityrank.geo.analysis.service import ANALYSIS_LAYER, dataset_options, indicator_names
    from cityrank.geo.join import join_scores

    src = load_source(args)
    ind = resolve_indicator(src, args.indicator, args.lang)
    require_numbers(src.scores, [ind.column, *_own(args, args.x)], src.label, args.lang)
    jr = join_scores(src.scores, layer=ANALYSIS_LAYER, value_column=ind.column, source=src.label)
    out = {"gdf": jr.gdf, "value": ind.column, "id_column": "code",
           "synthetic": src.synthetic or args.synthetic, "warnings": [*src.warnings, *jr.warnings]}
    if src.system is not None:
        owner = src.dataset or SimpleNamespace(system=src.system)
        out |= dataset_options(owner, ind.column)
        out["indicator_names"] = indicator_names(owner)
        names = out["indicator_names"].get(ind.column, {lg: ind.column for lg in LANGS})
    else:
        names = {lg: ind.column for lg in LANGS}
    if src.dataset is not None:
        from cityrank.geo.analysis.service import title_zh

        ds = src.dataset
        out |= {"dataset": ds.id, "title_zh": title_zh(ds, ind.column),
                "title": t("cli.analyze.title_dataset", "en", title=ds.title_en or ds.title,
                           indicator=ind.column)}
    else:
        out |= _titles(names, Path(args.data).name)
    return out


def run(args) -> int:
    from cityrank.atomic import atomic_group
    from cityrank.cli.spatial import make_engine
    from cityrank.geo.analysis.findings import report_findings
    from cityrank.geo.analysis.report import build_report

    lang = args.lang
    dataset_id = None if (args.boundaries or args.data) else (args.dataset or _default_dataset())
    cov = _covariates(args, dataset_id)
    args._covariate_names = tuple(cov.names) if cov is not None else ()
    inp = _user_polygons(args) if args.boundaries else _table(args)
    warn(inp.get("warnings", []), lang)
    names = inp.get("indicator_names")
    if cov is not None and names is not None:
        names = {**names, **{c: {lg: c for lg in LANGS} for c in cov.names}}
    with make_engine(args, len(inp["gdf"])) as engine:
        if engine is not None:
            print(t("grid.engine", lang, engine=engine.describe()["scheduler"]))
        report = build_report(
            inp["gdf"], inp["value"], x_columns=tuple(args.x), weights=args.weights,
            permutations=args.permutations, seed=12345 if args.seed is None else args.seed, hub=args.hub,
            id_column=inp["id_column"],
            fdr=args.fdr, max_value=inp.get("max_value"), indicators=inp.get("indicators"),
            zones=not args.no_zones, draws=args.draws, synthetic=bool(inp["synthetic"]), title=inp["title"],
            weights_params={"k": args.neighbours} if args.neighbours else {},
            indicator_names=names, covariates=cov, weight_column=args.weight, engine=engine,
        )
    report["input_warnings"] = [str(w) for w in inp.get("warnings", [])]
    if inp.get("dataset"):
        report["dataset"] = inp["dataset"]
    report["title_zh"] = inp["title_zh"]
    # --out and --html are written together or not at all (cityrank.atomic.atomic_group):
    # never a new JSON beside an old report page, whatever interrupts the run
    with atomic_group() as files:
        files.add_text(args.out, json.dumps(report, ensure_ascii=False, indent=1))
        if args.html:
            from cityrank.geo.analysis.html import render_html, report_images

            gdf = cov.join_to(inp["gdf"], inp["id_column"]) if cov is not None else inp["gdf"]
            images = report_images(report, gdf, id_column=inp["id_column"], lang=lang)
            files.add_text(args.html, render_html(report, images, lang=lang))
    wrote(args.out, lang)
    if args.html:
        wrote(args.html, lang)
    for line in report_findings(report, lang):
        print(t("cli.analyze.finding", lang, line=line))
    return 0
