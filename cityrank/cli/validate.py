"""``cityrank validate``: check an indicator system, and a data file against it."""

from __future__ import annotations

import sys

from cityrank.cli import options as o
from cityrank.cli.output import warn
from cityrank.i18n import t


def register(sub, lang: str):
    p = o.add_command(sub, "validate", lang)
    o.system(p, lang, required=True)
    o.data(p, lang, key="validate.data")
    o.reading(p, lang)
    o.lang(p, lang)
    return p


def run(args) -> int:
    from cityrank.scoring.ingest import ingest
    from cityrank.scoring.system import load_system

    lang = args.lang
    system = load_system(args.system)
    n2 = sum(1 for n in system.nodes.values() if n.level == 2)
    print(t("cli.validate.system", lang, id=system.id, name=system.name, n1=len(system.first_level),
            n2=n2, n3=len(system.leaves), total=system.total_max))
    warn(system.warnings, lang, file=sys.stdout)
    if not args.data:
        return 0
    res = ingest(args.data, system, **o.read_options(args),
                 missing=args.missing or "refuse", raise_errors=False)
    enc = t("cli.validate.encoding", lang, encoding=res.encoding) if res.encoding else ""
    print(t("cli.validate.data_summary", lang, file=res.file, n=len(res.data), encoding=enc))
    warn(res.warnings, lang, file=sys.stdout)
    for p in res.problems:
        key = "cli.warning" if p.severity == "warning" else "cli.problem"
        print(t(key, lang, message=p.located(lang)))
    if res.errors:
        print(t("cli.validate.errors", lang, n=len(res.errors)), file=sys.stderr)
        return 1
    print(t("cli.validate.ok", lang))
    return 0
