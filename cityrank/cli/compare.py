"""``cityrank compare --from A --to B``: two years of one indicator system compared (change per
city, Kendall's τ equal to scipy's and giddy's, spatial τ, spatial Markov, σ/β-convergence,
the regional gap over time), from the datasets in the store (bundled, added, uploaded)."""

from __future__ import annotations

from cityrank.cli import options as o
from cityrank.i18n import t


def register(sub, lang: str):
    p = o.add_command(sub, "compare", lang)
    p.add_argument("--from", dest="from_id", metavar="ID", required=True,
                   help=o.h("compare.from", lang))
    p.add_argument("--to", dest="to_id", metavar="ID", required=True, help=o.h("compare.to", lang))
    p.add_argument("--top", type=int, default=20, metavar="N", help=o.h("compare.top", lang))
    p.add_argument("--permutations", type=o.positive_int, default=999, metavar="N",
                   help=o.h("compare.permutations", lang))
    o.out(p, lang, required=False, key="compare.out")
    p.add_argument("--data-dir", metavar="DIR", default=None, help=o.h("datasets.data_dir", lang))
    o.lang(p, lang)
    return p


def run(args) -> int:
    from cityrank.cli.datasets import site_for
    from cityrank.service import compare

    lang = args.lang
    site = site_for(args)
    site.analysis_permutations = args.permutations
    try:
        a, b = compare.pair(site, {"from": args.from_id, "to": args.to_id})
        res = compare.result(site, a, b)
        mob = res.stats["mobility"]
        print(t("cli.compare.heading", lang, a=a.id, b=b.id, ya=a.year or "—", yb=b.year or "—",
                n=res.stats["n"]))
        if a.synthetic or b.synthetic:
            print(t("cli.compare.simulated", lang))
        print(t("cli.compare.tau", lang, tau=f"{mob['kendall_tau']:.6f}",
                giddy=f"{mob['giddy_tau']:.6f}", p=f"{mob['kendall_p']:.3g}"))
        for line in res.findings[lang]:
            print(t("cli.compare.finding", lang, line=line))
        _movers(res.table, args.top, lang)
        if args.out:
            _write(res, a, b, args.out, lang)
    finally:
        site.close()
    return 0


def _movers(table, top: int, lang: str) -> None:
    if top <= 0:
        return
    by = table.sort_values(["rank_change", "code"], ascending=[False, True])
    for title, rows in (("cli.compare.up", by.head(top)),
                        ("cli.compare.down", by.tail(top).iloc[::-1])):
        print(t(title, lang, n=len(rows)))
        for r in rows.itertuples(index=False):
            print(t("cli.compare.mover", lang, name=r.name, code=r.code, a=r.rank_from,
                    b=r.rank_to, d=f"{r.rank_change:+d}", change=f"{r.change:+.2f}"))


def _write(res, a, b, out, lang: str) -> None:
    import json
    from pathlib import Path

    from cityrank.atomic import atomic_write
    from cityrank.cli.output import wrote
    from cityrank.errors import ParameterError

    suffix = Path(out).suffix.lower()
    table = res.table.assign(synthetic=bool(a.synthetic or b.synthetic))
    if suffix == ".csv":
        path = atomic_write(out, lambda tmp: table.to_csv(tmp, index=False))
    elif suffix == ".json":
        doc = {"from": a.id, "to": b.id, "synthetic": bool(a.synthetic or b.synthetic),
               **res.to_json()}
        path = atomic_write(out, lambda tmp: tmp.write_text(
            json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8"))
    elif suffix == ".xlsx":
        import pandas as pd

        def write(tmp):
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                table.to_excel(xw, sheet_name="change", index=False)
                pd.DataFrame({"finding": res.findings[lang]}).to_excel(
                    xw, sheet_name="findings", index=False)

        path = atomic_write(out, write)
    else:
        raise ParameterError(t("cli.datasets.format", lang, ext=suffix or out))
    wrote(path, lang)
