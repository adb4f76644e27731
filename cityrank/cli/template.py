"""``cityrank template``: an Excel data-entry template for an indicator system."""

from __future__ import annotations

from cityrank.cli import options as o
from cityrank.i18n import t


def register(sub, lang: str):
    p = o.add_command(sub, "template", lang)
    o.system(p, lang, required=True)
    o.out(p, lang, required=True, key="template.out")
    o.lang(p, lang)
    return p


def run(args) -> int:
    from cityrank.scoring.system import load_system
    from cityrank.scoring.template import write_template

    system = load_system(args.system)
    path, n = write_template(system, args.out, lang=args.lang)
    print(t("cli.template.wrote", args.lang, system=system.id, n=n, path=path))
    return 0
