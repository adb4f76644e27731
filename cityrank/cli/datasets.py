"""``cityrank datasets list|add|delete|export|covariates``: the datasets kept in the store (the database of
the data directory, or ``CITYRANK_DATABASE_URL``) that every ``cityrank serve`` worker serves.

* ``list`` — every dataset: id, kind (bundled / added / upload), year, system, units, revision,
  simulated or not, title;
* ``add`` — score a file and keep it as a public dataset (listed by the viewer and the API);
* ``delete`` — remove a dataset (added or uploaded; bundled ones come from the catalog);
* ``covariates`` — the covariates kept with a dataset (``cityrank covariates --dataset``):
  name, unit, source, date, revision stored at, units with a value, range (``--json``: the
  API's document; ``--out FILE.csv``: code, name and one column per covariate);
* ``export`` — write a dataset: ``.xlsx`` is the scored workbook in the template's layout
  (data, scores, ranks, rank intervals, problems, notes) in ``--lang``; ``.csv``/``.json``
  the scores table.
"""

from __future__ import annotations

import json

from cityrank.cli import options as o
from cityrank.i18n import t

ACTIONS = ("list", "add", "delete", "export", "covariates")


def register(sub, lang: str):
    p = o.add_command(sub, "datasets", lang)
    p.add_argument("action", choices=ACTIONS, help=o.h("datasets.action", lang))
    o.dataset(p, lang)
    o.data(p, lang, key="datasets.data")
    o.system(p, lang, required=False, key="datasets.system")
    p.add_argument("--id", metavar="ID", help=o.h("datasets.id", lang))
    p.add_argument("--title", metavar="TEXT", help=o.h("datasets.title", lang))
    p.add_argument("--title-en", metavar="TEXT", help=o.h("datasets.title_en", lang))
    p.add_argument("--source", metavar="TEXT", default="", help=o.h("datasets.source", lang))
    p.add_argument("--note", metavar="TEXT", default="", help=o.h("datasets.note", lang))
    p.add_argument("--synthetic", action="store_true",
                   help=o.h("datasets.synthetic", lang))
    p.add_argument("--replace", action="store_true", help=o.h("datasets.replace", lang))
    p.add_argument("--kind", choices=("all", "bundled", "added", "upload"), default="all",
                   help=o.h("datasets.kind", lang))
    p.add_argument("--json", action="store_true", help=o.h("datasets.json", lang))
    o.reading(p, lang)
    o.out(p, lang, required=False, key="datasets.out")
    p.add_argument("--data-dir", metavar="DIR", default=None, help=o.h("datasets.data_dir", lang))
    o.lang(p, lang)
    return p


def site_for(args):
    """The service site on the command's data directory (the store opens and holds the
    bundled catalog, as ``cityrank serve`` would)."""
    from pathlib import Path

    from cityrank.errors import NotFoundError
    from cityrank.service.site import Site

    if args.data_dir and not Path(args.data_dir).is_dir():
        raise NotFoundError(f"{args.data_dir}: data directory not found")
    return Site(store_dir=args.data_dir)


def _need(args, *names: str) -> None:
    from cityrank.errors import ParameterError

    for name in names:
        if not getattr(args, name.lstrip("-").replace("-", "_"), None):
            raise ParameterError(t("cli.datasets.needs", args.lang, action=args.action,
                                   option=name))


def run(args) -> int:
    site = site_for(args)
    try:
        return {"list": _list, "add": _add, "delete": _delete, "export": _export,
                "covariates": _covariates}[args.action](
            site, args)
    finally:
        site.close()


def _list(site, args) -> int:
    kinds = None if args.kind == "all" else (args.kind,)
    records = site.store.records(kinds)
    if args.json:
        print(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=1))
        return 0
    lang = args.lang
    print(t("cli.datasets.where", lang, url=site.store.url, n=len(records)))
    from cityrank.web.i18n import marked_title  # the simulated mark exactly once

    for r in records:
        print(t("cli.datasets.row", lang, id=r.id, kind=t(f"store.kind.{r.kind}", lang),
                year=r.year or "—", system=r.system_id, n=r.n_units, revision=r.revision,
                title=marked_title(r, lang)))
    return 0


def _add(site, args) -> int:
    from cityrank.service import catalog

    _need(args, "--data", "--system")
    rec = catalog.add(site, args.data, args.system, dataset_id=args.id, title=args.title,
                      title_en=args.title_en, year=args.year, source=args.source,
                      note=args.note, synthetic=True if args.synthetic else None, missing=args.missing or "refuse",
                      encoding=args.encoding, sheet=args.sheet, replace=args.replace,
                      vintage=args.vintage, decimal=args.decimal)
    from cityrank.cli.output import warn

    warn(rec.warnings, args.lang)
    print(t("cli.datasets.added", args.lang, id=rec.id, n=rec.n_units, revision=rec.revision,
            url=site.store.url))
    return 0


def _delete(site, args) -> int:
    from cityrank.errors import NotFoundError, ParameterError

    _need(args, "--dataset")
    rec = site.store.find(args.dataset)
    if rec is None:
        raise NotFoundError(f"unknown dataset {args.dataset!r}")
    if rec.kind == "bundled" and args.dataset in site.catalog.datasets:
        raise ParameterError(t("cli.datasets.bundled", args.lang, id=args.dataset,
                               path=site.catalog.path))
    site.store.delete(args.dataset)
    print(t("cli.datasets.deleted", args.lang, id=args.dataset))
    return 0


def _export(site, args) -> int:
    from pathlib import Path

    from cityrank.cli.output import wrote
    from cityrank.errors import ParameterError

    _need(args, "--dataset", "--out")
    suffix = Path(args.out).suffix.lower()
    if suffix == ".xlsx":
        from cityrank.atomic import write_bytes_atomic
        from cityrank.service import api

        body = api.workbook(site, args.dataset, {"lang": args.lang}).body
        path = write_bytes_atomic(args.out, body)
    elif suffix in (".csv", ".json"):
        from cityrank.scoring.export import write_scores

        ds = site.dataset(args.dataset)
        path = write_scores(ds.scores(), args.out, system=ds.system, warnings=ds.warnings,
                            summary=ds.summary() if suffix == ".json" else None, lang=args.lang)
    else:
        raise ParameterError(t("cli.datasets.format", args.lang, ext=suffix or args.out))
    wrote(path, args.lang)
    return 0


def _covariates(site, args) -> int:
    from cityrank.service import covariates

    _need(args, "--dataset")
    doc = covariates.payload(site, args.dataset)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return 0
    if args.out:
        from pathlib import Path

        from cityrank.errors import ParameterError

        if Path(args.out).suffix.lower() != ".csv":
            raise ParameterError(t("cli.datasets.covariates_format", args.lang, ext=args.out))
        import pandas as pd

        from cityrank.atomic import atomic_write
        from cityrank.cli.output import wrote

        frame = pd.DataFrame(doc["units"], columns=["code", "name",
                                                    *[c["name"] for c in doc["covariates"]]])
        path = atomic_write(args.out, lambda tmp: frame.to_csv(tmp, index=False,
                                                                encoding="utf-8-sig"))
        wrote(path, args.lang)
        return 0
    lang = args.lang
    print(t("cli.datasets.covariates_head", lang, id=doc["dataset"], n=doc["count"],
            revision=doc["revision"]))
    for c in doc["covariates"]:
        s = c["summary"]
        print(t("cli.datasets.covariates_row", lang, name=c["name"], unit=c["unit"] or "—",
                kind=c["kind"], source=c["source"], statistic=c["statistic"] or "—",
                date=c["date"] or "—", revision=c["revision"], n=s["n"],
                min=covariates.text(s["min"]), max=covariates.text(s["max"])))
    return 0
