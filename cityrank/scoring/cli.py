"""Subcommands contributed by ``scoring``: validate, score, template.

Thin: parse arguments, call the core, print. Errors are CityrankError subclasses that
``cityrank.cli`` turns into exit code 2."""

from __future__ import annotations

import sys

from .aggregate import COMPENSABILITY, GeometricZeroError
from .messages import render_warning
from .missing import POLICIES
from .weighting import WEIGHTINGS


def register(subparsers) -> None:
    """Add this package's subcommands to the ``cityrank`` parser."""
    p = subparsers.add_parser("validate", help="check an indicator system (and a data file)",
                              description="Validate an indicator-system YAML and optionally a "
                              "data file against it; print every warning and problem.")
    p.add_argument("--system", required=True, help="system YAML file or id (e.g. ndrc-2017)")
    p.add_argument("--data", help="CSV/XLSX data file to check against the system")
    _data_options(p)
    p.set_defaults(func=cmd_validate)

    p = subparsers.add_parser("score", help="score a data file with an indicator system",
                              description="Score cities and write a ranked table.")
    p.add_argument("--system", required=True, help="system YAML file or id (e.g. ndrc-2017)")
    p.add_argument("--data", required=True, help="CSV/XLSX data file")
    p.add_argument("--out", help="output file: .csv, .xlsx or .json (default: print top rows)")
    p.add_argument("--aggregation", choices=tuple(COMPENSABILITY),
                   help="override the system's aggregation")
    p.add_argument("--weighting", choices=tuple(WEIGHTINGS),
                   help="override the system's weighting (published, equal, entropy, critic, "
                   "pca; user takes the system's scoring.weights)")
    p.add_argument("--geometric-offset", type=float,
                   help="rate shift that lets geometric aggregation take zeros (e.g. 0.01)")
    p.add_argument("--top", type=int, default=20, help="rows to print (default 20)")
    _data_options(p)
    p.set_defaults(func=cmd_score)

    p = subparsers.add_parser("template", help="write an Excel data-entry template",
                              description="Write an XLSX template: eligible cities pre-filled, "
                              "one column per indicator with its maximum, data validation and "
                              "an instructions sheet.")
    p.add_argument("--system", required=True, help="system YAML file or id (e.g. ndrc-2017)")
    p.add_argument("--out", required=True, help="output .xlsx file")
    p.set_defaults(func=cmd_template)


def _data_options(p) -> None:
    p.add_argument("--missing", choices=tuple(POLICIES), default="refuse",
                   help="missing-value policy (default refuse)")
    p.add_argument("--encoding", help="CSV text encoding (default: detect UTF-8/BOM/GBK/GB18030)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of warnings and problems: en (default) or zh (simplified "
                   "Chinese); file, row and column are named the same way in both")


# Line labels per language; the messages themselves come from scoring.messages.
LABELS = {"en": {"warning": "warning", "error": "error", "errors": "{n} error(s)", "ok": "ok",
                 "system": "system {id}: {name} — {n1} first-level, {n2} second-level, {n3} leaf "
                           "indicators, total {total:g}",
                 "data": "data {file}: {n} unit(s){enc}", "enc": ", encoding {enc}"},
          "zh": {"warning": "警告", "error": "错误", "errors": "{n} 个错误", "ok": "校验通过",
                 "system": "指标体系 {id}：{name} — 一级指标 {n1} 个，二级指标 {n2} 个，末级指标 "
                           "{n3} 个，总分 {total:g}",
                 "data": "数据 {file}：{n} 个单位{enc}", "enc": "，编码 {enc}"}}


def _text(key: str, lang: str, **kw) -> str:
    return LABELS.get(lang, LABELS["en"])[key].format(**kw)


def _label(key: str, lang: str) -> str:
    """``warning: `` or ``警告：`` (with its separator)."""
    return LABELS.get(lang, LABELS["en"])[key] + ("：" if lang == "zh" else ": ")


def _warn(lines, lang: str = "en") -> None:
    for w in lines:
        print(f"{_label('warning', lang)}{render_warning(w, lang)}", file=sys.stderr)


def cmd_validate(args) -> int:
    from .ingest import ingest
    from .system import load_system

    system = load_system(args.system)
    n2 = sum(1 for n in system.nodes.values() if n.level == 2)
    lang = getattr(args, "lang", "en")
    print(_text("system", lang, id=system.id, name=system.name, n1=len(system.first_level),
                n2=n2, n3=len(system.leaves), total=system.total_max))
    for w in system.warnings:
        print(f"{_label('warning', lang)}{render_warning(w, lang)}")
    if not args.data:
        return 0
    res = ingest(args.data, system, encoding=args.encoding, sheet=args.sheet,
                 missing=args.missing, raise_errors=False)
    enc = _text("enc", lang, enc=res.encoding) if res.encoding else ""
    print(_text("data", lang, file=res.file, n=len(res.data), enc=enc))
    for w in res.warnings:
        print(f"{_label('warning', lang)}{render_warning(w, lang)}")
    for p in res.problems:
        print(f"{_label(p.severity, lang)}{p.located(lang)}")
    if res.errors:
        print(_text("errors", lang, n=len(res.errors)), file=sys.stderr)
        return 1
    print(_text("ok", lang))
    return 0


def cmd_score(args) -> int:
    from .export import write_scores
    from .pipeline import score_file
    from .problems import ProblemsError
    from .summary import summarise

    lang = getattr(args, "lang", "en")
    try:
        run = score_file(args.system, args.data, missing=args.missing, encoding=args.encoding,
                         sheet=args.sheet, aggregation=args.aggregation,
                         weighting=args.weighting, geometric_offset=args.geometric_offset)
    except (ProblemsError, GeometricZeroError) as exc:
        if lang == "en":
            raise  # cityrank.cli prints it and exits 2
        print(f"cityrank score: {_label('error', lang)}{exc.render(lang)}", file=sys.stderr)
        return 2
    _warn(run.warnings, lang)
    df = run.scores
    summary = summarise(df, run.system)
    if args.out:
        write_scores(df, args.out, system_id=run.system.id, warnings=run.warnings,
                     summary=summary)
        print(f"wrote {len(df)} ranked units to {args.out}")
    cols = ["rank", "code", "name", "province", *run.system.first_level, "total"]
    cols += [c for c in ("published_total", "total_discrepancy") if c in df.columns]
    cols = [c for c in cols if c in df.columns]
    if run.synthetic:
        print("SIMULATED DATA (synthetic: true) — not real assessment results")
    print(df[cols].head(args.top).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    bins = ", ".join(f"{b['label']}: {b['count']}" for b in summary["bins"])
    print(f"{summary['n']} units; mean {summary['mean']:.2f}; bins {bins}")
    return 0


def cmd_template(args) -> int:
    from .system import load_system
    from .template import write_template

    system = load_system(args.system)
    path, n = write_template(system, args.out)
    print(f"wrote template for {system.id} with {n} units to {path}")
    return 0
