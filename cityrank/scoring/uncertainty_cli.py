"""Subcommands ``cityrank uncertainty`` and ``cityrank coherence`` (thin: parse, call, print).

Examples::

    cityrank uncertainty --system ndrc-2017 --data cities.csv --runs 1000 --seed 1 \\
        --out intervals.xlsx
    cityrank uncertainty --system ndrc-2017 --data top10.csv --sobol 256 --lang en
    cityrank coherence --system ndrc-2017 --data cities.csv --out coherence.json

Messages follow ``--lang`` (zh by default, en); the files use stable English column names.
"""

from __future__ import annotations

import argparse
import sys

from cityrank.errors import CityrankError
from cityrank.i18n import t

from .aggregate import COMPENSABILITY
from .missing import POLICIES
from .normalise import METHODS
from .outliers import TREATMENTS


def _common(p) -> None:
    p.add_argument("--system", required=True, help="system YAML file or id (e.g. ndrc-2017)")
    p.add_argument("--data", required=True, help="CSV/XLSX data file")
    p.add_argument("--out", help="output file: .csv, .xlsx or .json")
    p.add_argument("--missing", choices=tuple(POLICIES), default="refuse",
                   help="missing-value policy of the nominal scores (default refuse)")
    p.add_argument("--encoding", help="CSV text encoding (default: detect UTF-8/BOM/GBK/GB18030)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the messages: zh (default, simplified Chinese) or en")
    p.add_argument("--outliers", choices=TREATMENTS,
                   help="outlier treatment (COINr's rule |skew| > 2 and kurtosis > 3.5): "
                   "none (default), winsorise, log")


def register(subparsers) -> None:
    """Add ``uncertainty`` and ``coherence`` to the ``cityrank`` parser."""
    from .weighting import WEIGHTINGS

    p = subparsers.add_parser(
        "uncertainty", help="rank intervals by Monte Carlo, Sobol sensitivity",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Monte Carlo over the declared uncertain choices (weights, weighting, "
        "normalisation, aggregation, imputation, dropping one indicator): per unit the "
        "nominal rank, median rank, 90% interval, P(top N) and P(above the median); with "
        "--sobol, first-order and total Sobol indices (SALib). Options default to the "
        "system's 'uncertainty:' section, then to the built-in defaults.\n\nexample:\n"
        "  cityrank uncertainty --system ndrc-2017 --data cities.csv --runs 1000 --seed 1 "
        "--out intervals.xlsx")
    _common(p)
    p.add_argument("--runs", type=int, help="Monte Carlo runs (default 1000)")
    p.add_argument("--seed", type=int, help="random seed (default 1): same seed, same result")
    p.add_argument("--sobol", type=int, metavar="BASE",
                   help="Sobol base sample, a power of two (e.g. 256); 0 = none (default)")
    p.add_argument("--perturbation", type=float,
                   help="weights vary by this share around the nominal ones (default 0.25)")
    p.add_argument("--weighting", nargs="+", choices=tuple(WEIGHTINGS),
                   help="weighting methods to compare (default: the system's only)")
    p.add_argument("--normalisation", nargs="+", choices=("nominal", *METHODS),
                   help="normalisations to compare (default nominal minmax zscore rank)")
    p.add_argument("--aggregation", nargs="+", choices=tuple(COMPENSABILITY),
                   help="aggregations to compare (default arithmetic geometric copeland)")
    p.add_argument("--imputation", nargs="+", choices=tuple(x for x in POLICIES
                                                            if x != "refuse"),
                   help="imputations to compare when the data have gaps (default all)")
    p.add_argument("--drop-indicators", action=argparse.BooleanOptionalAction, default=None,
                   help="drop one indicator at a time as a choice (default yes)")
    p.add_argument("--geometric-offset", type=float,
                   help="rate shift of the geometric alternative (default 0.01)")
    p.add_argument("--top", type=int, help="P(top N) for this N (default 10)")
    p.add_argument("--show", type=int, default=20, help="rows to print (default 20)")
    p.set_defaults(func=cmd_uncertainty)

    p = subparsers.add_parser(
        "coherence", help="correlations, Cronbach's alpha, PCA, outliers, effective weights",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Statistical coherence of the index with its framework: indicator-"
        "indicator and indicator-pillar correlations, Cronbach's alpha and PCA per pillar, "
        "indicators negatively correlated with their pillar or redundant (r > 0.9), "
        "outliers, effective weights.\n\nexample:\n"
        "  cityrank coherence --system ndrc-2017 --data cities.csv --out coherence.json")
    _common(p)
    p.add_argument("--method", choices=("pearson", "spearman"), default="pearson",
                   help="correlation (default pearson)")
    p.set_defaults(func=cmd_coherence)


def _fail(exc: CityrankError, command: str, lang: str) -> int:
    """Localised error line for errors that can render themselves; others go to cli.main."""
    if lang == "en" or not hasattr(exc, "render"):
        raise exc
    prefix = "错误：" if lang == "zh" else "error: "
    print(f"cityrank {command}: {prefix}{exc.render(lang)}", file=sys.stderr)
    return 2


def _num(x, digits=2) -> str:
    return "—" if x is None or x != x else f"{x:.{digits}f}"


def cmd_uncertainty(args) -> int:
    from .messages import render_warning
    from .system import load_system
    from .uncertainty import UncertaintyConfig, analyse_file, rank_label
    from .uncertainty_export import write_uncertainty

    lang = args.lang
    try:
        system = load_system(args.system)
        base = UncertaintyConfig.from_mapping(system.uncertainty or None,
                                              where=f"{system.id}: uncertainty")
        config = base.replace(
            runs=args.runs, seed=args.seed, sobol_base=args.sobol,
            weight_perturbation=args.perturbation,
            weightings=tuple(args.weighting) if args.weighting else None,
            normalisations=tuple(args.normalisation) if args.normalisation else None,
            aggregations=tuple(args.aggregation) if args.aggregation else None,
            imputations=tuple(args.imputation) if args.imputation else None,
            drop_indicators=args.drop_indicators, geometric_offset=args.geometric_offset,
            outliers=args.outliers, top=args.top)
        result = analyse_file(system, args.data, config=config, missing=args.missing,
                              encoding=args.encoding, sheet=args.sheet)
    except CityrankError as exc:
        return _fail(exc, "uncertainty", lang)
    for w in system.warnings:
        print(f"{'警告：' if lang == 'zh' else 'warning: '}{render_warning(w, lang)}",
              file=sys.stderr)
    if result.synthetic:
        print(t("uncertainty.synthetic", lang))
    r = result.ranks
    print(t("uncertainty.mc_done", lang, runs=config.runs, seed=config.seed, n=len(r),
            seconds=f"{result.timing['monte_carlo_s']:.2f}"))
    if result.factors:
        items = ("，" if lang == "zh" else ", ").join(
            t(f"uncertainty.factor_{f}", lang) for f in result.factors)
        print(t("uncertainty.choices", lang, items=items))
    else:
        print(t("uncertainty.no_choices", lang))
    if result.timing.get("sobol_s") is not None:
        print(t("uncertainty.sobol_done", lang, rows=result.timing["sobol_rows"],
                base=config.sobol_base, seconds=f"{result.timing['sobol_s']:.2f}"))
    top = config.top
    head = [t("uncertainty.col_rank", lang), t("uncertainty.col_city", lang),
            t("common.total", lang), t("uncertainty.col_median", lang),
            t("uncertainty.col_interval", lang), t("uncertainty.col_p_top", lang, top=top),
            t("uncertainty.col_p_median", lang)]
    rows = []
    for rec in r.head(args.show).to_dict(orient="records"):
        row = [rank_label(rec["rank"], rec["tied"], lang), _unit(rec),
               f"{rec['total']:.2f}", f"{rec['rank_median']:g}",
               t("uncertainty.interval", lang, lo=rec["rank_p05"], hi=rec["rank_p95"]),
               f"{rec[f'p_top{top}']:.0%}", f"{rec['p_above_median']:.0%}"]
        if result.sensitivity is not None:
            row.append(t(f"uncertainty.factor_{rec['most_influential']}", lang)
                       if rec["most_influential"] else "—")
        rows.append(row)
    if result.sensitivity is not None:
        head.append(t("uncertainty.col_most", lang))
    _print_table(head, rows)
    sep = "；" if lang == "zh" else "; "
    ties = r[r["tied"]].groupby("tie_group")
    if len(ties):
        within = "、" if lang == "zh" else ", "
        items = sep.join(f"{rank_label(g, True, lang)} " + within.join(
            _unit(x) for x in grp.to_dict(orient="records")) for g, grp in ties)
        print(t("uncertainty.ties", lang, items=items))
    over = r[r["overlaps"]]
    if len(over):
        shown = over.head(args.show)
        items = ("、" if lang == "zh" else ", ").join(_unit(x) for x in
                                                      shown.to_dict(orient="records"))
        more = f" (+{len(over) - len(shown)})" if len(over) > len(shown) else ""
        print(t("uncertainty.overlap_list", lang, items=items + more))
    if result.shift is not None:
        print(t("uncertainty.shift_title", lang))
        for rec in result.shift.to_dict(orient="records"):
            print(f"  {t('uncertainty.factor_' + rec['factor'], lang)}: "
                  f"{_num(rec['S1'])} / {_num(rec['ST'])}")
    return _write(write_uncertainty, result, args, "uncertainty",
                  t("uncertainty.wrote", lang, n=len(r), path=args.out))


def _unit(rec) -> str:
    return f"{rec['name'] or rec['code']}({rec['code']})"


def _print_table(head, rows) -> None:
    import unicodedata

    def width(s):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(s))

    cols = list(zip(head, *rows, strict=True)) if rows else [[h] for h in head]
    widths = [max(width(x) for x in col) for col in cols]
    for row in (head, *rows):
        print("  ".join(str(x) + " " * (w - width(x)) for x, w in zip(row, widths,
                                                                       strict=True)).rstrip())


def cmd_coherence(args) -> int:
    from .coherence import coherence
    from .pipeline import score_file
    from .uncertainty_export import write_coherence

    lang = args.lang
    try:
        run = score_file(args.system, args.data, missing=args.missing,
                         encoding=args.encoding, sheet=args.sheet)
        rep = coherence(run.system, run.ingest.data, run.scores, method=args.method,
                        outliers=args.outliers or "none")
    except CityrankError as exc:
        return _fail(exc, "coherence", lang)
    if run.synthetic:
        print(t("uncertainty.synthetic", lang))
    name_key = "name_en" if lang == "en" else "name"
    for p in rep.pillars.to_dict(orient="records"):
        print(t("uncertainty.coh_pillar", lang, pillar=p[name_key] or p["name"],
                k=p["n_indicators"], alpha=_num(p["alpha"]),
                share=_pct(p["pc1_share"])))
    print(t("uncertainty.coh_index", lang, k=rep.index["n_pillars"],
            alpha=_num(rep.index["alpha"]), share=_pct(rep.index["pc1_share"])))
    names = {row["indicator"]: row[name_key] or row["name"]
             for row in rep.indicators.to_dict(orient="records")}
    pillar_names = {row["pillar"]: row[name_key] or row["name"]
                    for row in rep.pillars.to_dict(orient="records")}
    for row in rep.indicators[rep.indicators["negative"]].to_dict(orient="records"):
        print(t("uncertainty.coh_negative", lang, indicator=row["indicator"],
                name=names[row["indicator"]], pillar=pillar_names.get(row["pillar"],
                                                                      row["pillar"]),
                r=_num(row["r_pillar"])))
    for row in rep.redundant.to_dict(orient="records"):
        print(t("uncertainty.coh_redundant", lang, a=names[row["indicator_a"]],
                b=names[row["indicator_b"]], r=_num(row["r"])))
    if not rep.flagged:
        print(t("uncertainty.coh_clean", lang))
    flagged = rep.outliers[rep.outliers["outliers"]]
    for row in flagged.to_dict(orient="records"):
        treat = t(f"uncertainty.treat_{row['treatment']}", lang, n=row["n_treated"])
        print(t("uncertainty.coh_outlier", lang, indicator=row["indicator"],
                name=names.get(row["indicator"], row["indicator"]), skew=_num(row["skew"]),
                kurt=_num(row["kurtosis"]), treatment=treat))
    if not len(flagged):
        print(t("uncertainty.coh_no_outliers", lang))
    print(t("uncertainty.eff_title", lang))
    for row in rep.effective.to_dict(orient="records"):
        print(f"  {row[name_key] or row['name']}: {_pct(row['weight'])} / "
              f"{_num(row['corr_total'])} / {_pct(row['variance_share'])}")
    return _write(write_coherence, rep, args, "coherence",
                  t("uncertainty.coh_wrote", lang, path=args.out))


def _write(writer, obj, args, command: str, done: str) -> int:
    """Write ``obj`` to ``--out`` when given (atomically; a bad format writes nothing)."""
    if not args.out:
        return 0
    try:
        writer(obj, args.out)
    except CityrankError as exc:
        return _fail(exc, command, args.lang)
    print(done)
    return 0


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{x:.1%}"
