"""``cityrank score``: score a data file with an indicator system and write a ranked table."""

from __future__ import annotations

from cityrank.cli import options as o
from cityrank.cli.output import warn
from cityrank.i18n import t


def register(sub, lang: str):
    p = o.add_command(sub, "score", lang)
    o.system(p, lang, required=True)
    o.data(p, lang, required=True, key="score.data")
    o.out(p, lang, required=False, key="score.out")
    from cityrank.scoring.aggregate import COMPENSABILITY
    from cityrank.scoring.weighting import WEIGHTINGS

    p.add_argument("--aggregation", choices=tuple(COMPENSABILITY),
                   help=o.h("score.aggregation", lang))
    p.add_argument("--weighting", choices=tuple(WEIGHTINGS), help=o.h("score.weighting", lang))
    p.add_argument("--geometric-offset", type=float, metavar="E",
                   help=o.h("score.geometric_offset", lang))
    p.add_argument("--top", type=int, default=20, metavar="N", help=o.h("score.top", lang))
    o.reading(p, lang)
    from cityrank.cli.spatial import add_engine_options

    add_engine_options(p, lang)
    o.lang(p, lang)
    return p


def table_columns(df, system, lang: str) -> dict[str, str]:
    """Columns printed, in order, with their headings in ``lang``."""
    fixed = {"rank": "cli.col.rank", "code": "cli.col.code", "name": "cli.col.name",
             "province": "cli.col.province"}
    cols = {c: t(k, lang) for c, k in fixed.items()}
    for nid in system.first_level:
        node = system.nodes[nid]
        cols[nid] = (node.name or nid) if lang == "zh" else (node.name_en or node.name or nid)
    cols["total"] = t("common.total", lang)
    cols["published_total"] = t("cli.col.published_total", lang)
    cols["total_discrepancy"] = t("cli.col.total_discrepancy", lang)
    return {c: label for c, label in cols.items() if c in df.columns}


def run(args) -> int:
    import pandas as pd

    from cityrank.cli.spatial import lazy_engine
    from cityrank.scoring.export import write_scores
    from cityrank.scoring.pipeline import score_file
    from cityrank.scoring.summary import summarise

    lang = args.lang
    engine, min_units = lazy_engine(args)
    try:
        run_ = score_file(args.system, args.data, missing=args.missing or "refuse",
                          **o.read_options(args), aggregation=args.aggregation,
                          weighting=args.weighting, geometric_offset=args.geometric_offset,
                          engine=engine, min_units=min_units)
        if engine is not None and engine.started:  # it was used
            print(t("cli.score.engine", lang, engine=engine.describe()["scheduler"],
                    n=len(run_.scores)))
    finally:
        if engine is not None:
            engine.close()
    warn(run_.warnings, lang)
    df = run_.scores
    summary = summarise(df, run_.system)
    if args.out:
        write_scores(df, args.out, system_id=run_.system.id, warnings=run_.warnings, summary=summary,
                     lang=args.lang, system=run_.system)
        print(t("cli.score.wrote", lang, n=len(df), path=args.out))
    if run_.synthetic:
        print(t("cli.synthetic", lang))
    cols = table_columns(df, run_.system, lang)
    shown = df[list(cols)].head(args.top).rename(columns=cols)
    with pd.option_context("display.unicode.east_asian_width", True):  # city names are Chinese
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    bins = t("cli.list_sep", lang).join(
        t("cli.score.bin", lang, label=b["label"], count=b["count"]) for b in summary["bins"])
    print(t("cli.score.summary", lang, n=summary["n"], mean=summary["mean"], bins=bins))
    return 0
