"""``cityrank uncertainty`` and ``cityrank coherence``: how firm each rank is, and whether the
index hangs together (thin: parse, call the scoring core, print, write).

Messages follow ``--lang`` (zh by default, en); output files keep stable English column names
(see ``cityrank.scoring.uncertainty`` for the contract).
"""

from __future__ import annotations

import argparse

from cityrank.cli import options as o
from cityrank.cli.output import warn
from cityrank.i18n import t


def _common(p, lang: str, name: str) -> None:
    o.system(p, lang, required=True)
    o.data(p, lang, required=True, key=f"{name}.data")
    o.out(p, lang, required=False, key=f"{name}.out")
    o.reading(p, lang)
    from cityrank.scoring.outliers import TREATMENTS

    p.add_argument("--outliers", choices=TREATMENTS, help=o.h("uncertainty.outliers", lang))
    o.lang(p, lang)


def register(sub, lang: str):
    from cityrank.scoring.aggregate import COMPENSABILITY
    from cityrank.scoring.missing import POLICIES
    from cityrank.scoring.normalise import METHODS
    from cityrank.scoring.weighting import WEIGHTINGS

    p = o.add_command(sub, "uncertainty", lang)
    _common(p, lang, "uncertainty")
    p.add_argument("--runs", type=o.positive_int, metavar="N", help=o.h("uncertainty.runs", lang))
    p.add_argument("--seed", type=int, help=o.h("uncertainty.seed", lang))
    p.add_argument("--sobol", type=int, metavar="BASE", help=o.h("uncertainty.sobol", lang))
    p.add_argument("--perturbation", type=float, help=o.h("uncertainty.perturbation", lang))
    p.add_argument("--weighting", nargs="+", choices=tuple(WEIGHTINGS),
                   help=o.h("uncertainty.weighting", lang))
    p.add_argument("--normalisation", nargs="+", choices=("nominal", *METHODS),
                   help=o.h("uncertainty.normalisation", lang))
    p.add_argument("--aggregation", nargs="+", choices=tuple(COMPENSABILITY),
                   help=o.h("uncertainty.aggregation", lang))
    p.add_argument("--imputation", nargs="+", choices=tuple(x for x in POLICIES if x != "refuse"),
                   help=o.h("uncertainty.imputation", lang))
    p.add_argument("--drop-indicators", action=argparse.BooleanOptionalAction, default=None,
                   help=o.h("uncertainty.drop", lang))
    p.add_argument("--geometric-offset", type=float, metavar="E",
                   help=o.h("uncertainty.geometric_offset", lang))
    p.add_argument("--p-top", type=o.positive_int, metavar="N", help=o.h("uncertainty.p_top", lang))
    p.add_argument("--top", type=int, default=20, metavar="N", help=o.h("score.top", lang))
    return p


def register_coherence(sub, lang: str):
    p = o.add_command(sub, "coherence", lang)
    _common(p, lang, "coherence")
    p.add_argument("--method", choices=("pearson", "spearman"), default="pearson",
                   help=o.h("coherence.method", lang))
    return p


def _num(x, digits=2) -> str:
    return "—" if x is None or x != x else f"{x:.{digits}f}"


def run(args) -> int:
    from cityrank.scoring.system import load_system
    from cityrank.scoring.uncertainty import UncertaintyConfig, analyse_file, rank_label
    from cityrank.scoring.uncertainty_export import write_uncertainty

    lang = args.lang
    if True:  # errors are rendered in the command's language by cityrank.cli.main
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
            outliers=args.outliers, top=args.p_top)
        result = analyse_file(system, args.data, config=config, missing=args.missing or "refuse",
                              **o.read_options(args))
    warn(system.warnings, lang)
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
    for rec in r.head(args.top).to_dict(orient="records"):
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
        shown = over.head(args.top)
        items = ("、" if lang == "zh" else ", ").join(_unit(x) for x in
                                                      shown.to_dict(orient="records"))
        more = f" (+{len(over) - len(shown)})" if len(over) > len(shown) else ""
        print(t("uncertainty.overlap_list", lang, items=items + more))
    if result.shift is not None:
        print(t("uncertainty.shift_title", lang))
        for rec in result.shift.to_dict(orient="records"):
            factor = t(f"uncertainty.factor_{rec['factor']}", lang)
            print(f"  {factor}: {_num(rec['S1'])} / {_num(rec['ST'])}")
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


def run_coherence(args) -> int:
    from cityrank.scoring.coherence import coherence
    from cityrank.scoring.pipeline import score_file
    from cityrank.scoring.uncertainty_export import write_coherence

    lang = args.lang
    if True:  # errors are rendered in the command's language by cityrank.cli.main
        run = score_file(args.system, args.data, missing=args.missing or "refuse",
                         **o.read_options(args))
        rep = coherence(run.system, run.ingest.data, run.scores, method=args.method,
                        outliers=args.outliers or "none")
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
    writer(obj, args.out)
    print(done)
    return 0


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{x:.1%}"
