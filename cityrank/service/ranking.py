"""The ranking table and its CSV/XLSX export.

Beside every rank: ties stated (``tied``, ``tie_group``, ``tied_with``: 宁波 and 佛山 on 60.4
are both 7th), the median rank and the 90% rank interval of the dataset's one cached
uncertainty analysis (:mod:`cityrank.service.uncertainty`), P(top 10), and whether the interval
overlaps a neighbour's (``overlaps``, ``overlap_with``: their order is not settled).

Exports of simulated data say so inside the file (a ``synthetic`` column and, in XLSX, a
note sheet), not only in the file name, because files travel without their web page; the
note sheet also says how the intervals were computed.
"""

from __future__ import annotations

import io

import pandas as pd

from cityrank.errors import ParameterError
from cityrank.scoring.export import header, localised, synthetic_note, to_csv_text, write_workbook
from cityrank.scoring.missing import imputed_column
from cityrank.service import uncertainty
from cityrank.service.catalog import indicator_labels
from cityrank.service.response import Result
from cityrank.web import i18n

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def ranking_frame(site, dataset_id: str | None) -> tuple[object, pd.DataFrame]:
    """The ranking, best first: rank, code, name, province, region, total, the interval
    columns (:data:`cityrank.service.uncertainty.TABLE_FIELDS`; ``tied*`` always, the others
    when the dataset has intervals), the first-level scores, ``imputed`` (the indicators whose
    gaps a missing-value policy filled, when any were), ``synthetic``."""
    ds = site.dataset(dataset_id)
    s = ds.scores().sort_values(["rank", "code"])
    cols = ["rank", "code", "name", "province", "region", "total"]
    out = s[[c for c in cols if c in s.columns]].copy()
    codes = out["code"].astype(str)
    units = uncertainty.by_code(site, ds)
    if units:
        out = out.assign(**uncertainty.table_columns(units, codes))
    else:  # ties are plain facts of the totals, with or without intervals
        from cityrank.scoring.uncertainty import ties

        out[["tied", "tie_group", "tied_with"]] = ties(out)
    for nid in ds.system.first_level:
        if nid in s.columns:
            out[nid] = s[nid]
    flags = imputed_column(s, codes)
    if flags is not None:  # which of a city's values a missing-value policy filled
        out["imputed"] = flags
    out["synthetic"] = bool(ds.synthetic)
    return ds, out


def ranking_context(site, args: dict) -> dict:
    lang = i18n.norm_lang(args.get("lang"))
    ds, df = ranking_frame(site, args.get("dataset"))
    levels = [(nid, i18n.label(ds.system.nodes[nid], lang)) for nid in ds.system.first_level if nid in df.columns]
    res = uncertainty.result(site, ds)
    name = uncertainty.namer(site, df, lang)
    sep = "、" if lang == "zh" else ", "
    rows = df.to_dict("records")
    labels = indicator_labels(ds, lang)
    for r in rows:
        r["rank_text"] = uncertainty.rank_cell(r["rank"], r["tied"], lang)
        r["tied_names"] = sep.join(name(c) for c in str(r.get("tied_with") or "").split(",") if c)
        r["overlap_names"] = sep.join(name(c) for c in str(r.get("overlap_with") or "").split(",") if c)
        r["imputed_names"] = sep.join(labels.get(i, i) for i in str(r.get("imputed") or "").split(",") if i)
    return {"ds": ds, "rows": rows, "levels": levels, "datasets": site.datasets(),
            "intervals": uncertainty.about(res) if res else None, "n": len(df),
            "n_overlap": int(df["overlaps"].sum()) if "overlaps" in df.columns else 0,
            "n_tied": int(df["tied"].sum()),
            "n_imputed": int((df["imputed"] != "").sum()) if "imputed" in df.columns else 0,
            "imputed_method": i18n.t(f"terms.policy.{ds.missing}", lang) if ds.missing else "",
            "factors": uncertainty.factor_names(res.factors, lang) if res else ""}


def export(site, dataset_id: str | None, fmt: str, lang: str | None = None) -> Result:
    """``/ranking.csv`` / ``/ranking.xlsx``: the ranking with its ties and intervals, for people:
    headers, region names, sheets and notes in the page's language (``lang``; the scores API is
    the machine-readable form, keyed by ids). Built once per dataset, format and language."""
    if fmt not in EXPORT_TYPES:
        raise ParameterError(f"unknown export format {fmt!r}; choose csv or xlsx", msg="errors.export_format",
                             params={"fmt": fmt})
    lang = i18n.norm_lang(lang)
    ds = site.dataset(dataset_id)
    return site.cache.get_or_build(ds.id, "ranking_export", (fmt, lang),
                                   lambda: _export(site, ds.id, fmt, lang))


def _export(site, dataset_id: str, fmt: str, lang: str) -> Result:
    ds, df = ranking_frame(site, dataset_id)
    name = f"cityrank-{ds.id}{'-SIMULATED' if ds.synthetic else ''}.{fmt}"
    table = localised(df, lang, ds.system)
    if fmt == "csv":
        body = to_csv_text(table).encode("utf-8-sig")  # BOM: Excel opens Chinese correctly
    else:
        t = i18n.t
        note = [(t("export.about.dataset", lang), ds.id), (t("export.about.title", lang), ds.title),
                (t("export.about.source", lang), ds.source),
                (t("export.about.synthetic", lang), t("workbook.yes" if ds.synthetic else "workbook.no", lang))]
        if ds.synthetic:
            note.append((t("export.about.note", lang), synthetic_note(lang)))
        note += interval_notes(site, ds, lang)
        about = pd.DataFrame(note, columns=[t("export.about.key", lang), t("export.about.value", lang)])
        buf = io.BytesIO()
        write_workbook(buf, {t("export.sheet.ranking", lang): table, t("export.sheet.about", lang): about})
        body = buf.getvalue()
    return Result(body, EXPORT_TYPES[fmt].split(";")[0],
                  headers=(("Content-Disposition", f'attachment; filename="{name}"'),))


def interval_notes(site, ds, lang: str = "zh") -> list[tuple[str, str]]:
    """The export's note rows on ties and rank intervals in ``lang``, naming the columns by
    their headers in the same file (a file travels without its page)."""
    col = {c: header(c, lang) for c in ("tied", "tied_with", "tie_group", "rank_median", "rank_p05",
                                          "rank_p95", "p_top10", "overlaps", "overlap_with")}
    res = uncertainty.result(site, ds)
    rows = [(col["tied"], i18n.t("ranks.export_tied", lang, **col))]
    if res is None:
        return rows + [(f"{col['rank_p05']}, {col['rank_p95']}", i18n.t("ranks.no_intervals", lang))]
    fmt = {"runs": res.config.runs, "seed": res.config.seed, "top": res.config.top,
           "factors": uncertainty.factor_names(res.factors, lang), **col}
    return rows + [(f"{col['rank_median']}, {col['rank_p05']}, {col['rank_p95']}",
                    i18n.t("ranks.export_interval", lang, **fmt)),
                   (col["p_top10"], i18n.t("ranks.export_p_top", lang, **fmt)),
                   (f"{col['overlaps']}, {col['overlap_with']}", i18n.t("ranks.export_overlaps", lang, **fmt))]
