"""``cityrank map``: a print choropleth (PNG/SVG/PDF) of a dataset or a table, or with
``--out FILE.html`` a standalone interactive map (folium; Leaflet inlined, works offline:
:func:`cityrank.service.webmap.standalone_map`).

Thin: get a scores table (:mod:`cityrank.cli.sources`), join it with
:func:`cityrank.geo.join.join_scores`, draw it with :func:`cityrank.geo.static_map.render_map`,
print what happened. Warnings (historical units, unmatched rows, units without data) go to
stderr, never swallowed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cityrank.cli import options as o
from cityrank.cli.output import warn
from cityrank.errors import ConfigError
from cityrank.i18n import t


def register(sub, lang: str):
    from cityrank.geo.classify import CLASSIFIERS

    p = o.add_command(sub, "map", lang)
    o.table_source(p, lang, data_key="map.data")
    o.indicator(p, lang, key="map.indicator")
    p.add_argument("--classification", choices=tuple(CLASSIFIERS), default="quantiles",
                   help=o.h("map.classification", lang))
    o.alias(p, "--k", p.add_argument("--classes", type=int, default=5, metavar="N",
                                     help=o.h("map.classes", lang)))
    p.add_argument("--bins", metavar="B1,B2,...", help=o.h("map.bins", lang))
    o.out(p, lang, required=True, key="map.out")
    p.add_argument("--title", metavar="TEXT", help=o.h("map.title_help", lang))
    p.add_argument("--review-number", metavar="TEXT", help=o.h("map.review_number", lang))
    p.add_argument("--source-note", metavar="TEXT", help=o.h("map.source_note", lang))
    p.add_argument("--cmap", default="YlGnBu", help=o.h("map.cmap", lang))
    p.add_argument("--dpi", type=int, default=200, help=o.h("map.dpi", lang))
    p.add_argument("--boundaries", metavar="FILE", help=o.h("map.boundaries", lang))
    p.add_argument("--id-column", metavar="COLUMN", help=o.h("map.id_column", lang))
    p.add_argument("--name-column", metavar="COLUMN", help=o.h("map.name_column", lang))
    p.add_argument("--on-conflict", choices=("error", "prefer_current"), default="error",
                   help=o.h("map.on_conflict", lang))
    o.reading(p, lang, missing_key="opt.missing_scored")
    o.lang(p, lang)
    return p


def _bins(text: str | None, lang: str) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(b) for b in text.split(",") if b.strip()]
    except ValueError:
        raise ConfigError(t("cli.map.bad_bins", lang, value=text)) from None


HTML = ".html"


def _write_html(gdf, column: str, args, bins, **text) -> Path:
    """The standalone interactive map file, written atomically."""
    from cityrank.atomic import atomic_write
    from cityrank.geo.boundaries import load_layer
    from cityrank.service.geometry import MAP_SIMPLIFY
    from cityrank.service.webmap import standalone_map

    bundled = not args.boundaries
    m = standalone_map(gdf, column, lang=args.lang, classification=args.classification, k=args.classes,
                       bins=bins, lines=load_layer("boundary_line") if bundled else None,
                       simplify=MAP_SIMPLIFY if bundled else None, **text)
    html = m.get_root().render()
    out = Path(args.out)
    atomic_write(out, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return out


def run(args) -> int:
    from cityrank.cli.sources import load_source, resolve_indicator
    from cityrank.geo.join import DEFAULT_UNIVERSE, join_scores
    from cityrank.geo.static_map import FORMATS, render_map

    lang = args.lang
    interactive = Path(args.out).suffix.lower() == HTML
    if not interactive and Path(args.out).suffix.lower() not in FORMATS:
        raise ConfigError(t("cli.map.bad_format", lang, path=args.out, formats=", ".join((*FORMATS, HTML))))
    if args.classes < 2:
        raise ConfigError(t("cli.map.few_classes", lang, n=args.classes))
    bins = _bins(args.bins, lang)
    layer, universe = "prefecture", DEFAULT_UNIVERSE
    if args.boundaries:
        from cityrank.geo.user_boundaries import read_boundaries

        layer = read_boundaries(args.boundaries, args.id_column, args.name_column)
        universe = None
        warn(layer.attrs.get("warnings", []), lang)
    src = load_source(args)
    warn(src.warnings, lang)
    ind = resolve_indicator(src, args.indicator, lang)
    res = join_scores(src.scores, layer=layer, universe_types=universe, value_column=ind.column,
                      on_conflict=args.on_conflict, source=src.label)
    warn(res.warnings, lang)
    for rec in res.unmatched.itertuples(index=False):
        print(t("cli.warning", lang, message=t("cli.map.unmatched", lang, source=src.label,
                                              row=rec.source_row, problem=rec.problem)),
              file=sys.stderr)
    cap = t("cli.map.max_cap", lang, max=ind.max_points) if ind.max_points else ""
    base = src.title if lang == "zh" else (src.title_en or src.title)
    title = args.title or t("cli.map.default_title", lang, base=base, indicator=ind.name)
    if interactive:
        out = _write_html(res.gdf, ind.column, args, bins, title=title, legend_title=ind.name + cap,
                          source_note=args.source_note or src.source, synthetic=src.synthetic)
    else:
        out = render_map(
            res.gdf, ind.column, args.out,
            classification=args.classification, k=args.classes, bins=bins, title=title,
            legend_title=ind.name + cap, lang=lang, synthetic=src.synthetic,
            source_note=args.source_note or src.source, review_number=args.review_number,
            cmap=args.cmap, dpi=args.dpi,
        )
    c = res.counts
    mark = t("cli.map.synthetic_mark", lang) if src.synthetic else ""
    print(t("cli.map.wrote", lang, path=out, scored=c["scored"], no_data=c["no_data"],
            not_evaluated=c["not_evaluated"], unmatched=c["unmatched"]) + mark)
    return 0
