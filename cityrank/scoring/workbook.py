"""A scored dataset back as an Excel workbook, in the data-entry template's layout.

Policymakers fill the template (:mod:`cityrank.scoring.template`), upload it, and want their
results back in Excel. This workbook, in the page's language (sheet names, headers, notes),
has:

* the template's data sheet, filled with the data as read (blank where a value was missing),
  with the total and the rank to the right: it reads back as an upload (the total and rank
  columns are taken as published figures and checked against the new scores);
* a scores sheet: every node score, score rates, total and rank (:func:`scoring.export.localised`),
  and the Monte Carlo rank interval (median, 5 %–95 %, P(top N)) where it could be computed;
* a problems sheet: every warning with its file, row and column;
* a notes sheet: title, year, system, source, the simulated-data note, how it was scored and how
  the intervals were computed;
* the template's indicators sheet (the system: ids, names, maxima, weights).

Text cells that begin with ``= + - @`` (or a tab or carriage return) are written as text,
never as formulas (OWASP's CSV-injection rule applies to XLSX too).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cityrank.atomic import atomic_write
from cityrank.i18n import t

from .export import localised, synthetic_note
from .missing import imputed_column
from .template import add_indicator_sheet, header_for, style_header

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
INTERVAL_COLUMNS = ("rank_median", "rank_p05", "rank_p95", "p_top10")


def set_text(cell, value) -> None:
    """Write ``value``; a string is always a string cell (never a formula)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"


def _append(ws, row) -> None:
    ws.append([None] * len(row))
    r = ws.max_row
    for j, v in enumerate(row, start=1):
        set_text(ws.cell(row=r, column=j), _plain(v))


def _plain(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if v is pd.NA:
        return None
    return v


def write_workbook(path: str | Path, *, system, scores: pd.DataFrame, raw: pd.DataFrame | None,
                   meta: dict, warnings=(), intervals: pd.DataFrame | None = None,
                   lang: str = "zh") -> Path:
    """Write the workbook (see the module doc) atomically; ``meta`` holds ``title``, ``year``,
    ``source``, ``synthetic``, ``missing``, ``dataset`` and optional ``intervals_note``,
    ``vintage``, ``coverage``, ``filename``, ``created``."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = t("export.template.sheet_data", lang)
    leaves = [system.nodes[n] for n in system.leaves]
    given = [n for n in (raw.columns if raw is not None else []) if n in system.nodes]
    nodes = leaves if all(n.id in given for n in leaves) or not given else \
        [system.nodes[n] for n in given]
    keys = [t(f"export.column.{k}", lang) for k in ("code", "name", "province")]
    header = keys + [header_for(n, lang) for n in nodes] + \
        [t("export.column.total", lang), t("export.column.rank", lang)]
    if meta.get("synthetic"):  # read back by ingest: a re-upload stays marked simulated
        header.append(t("export.column.synthetic", lang))
    _append(ws, header)
    style_header(ws)
    by_code = scores.set_index(scores["code"].astype(str))
    order = sorted(by_code.index)
    for code in order:
        s = by_code.loc[code]
        vals = [raw.at[code, n.id] if raw is not None and code in raw.index
                and n.id in raw.columns else None for n in nodes]
        _append(ws, [code, s.get("name"), s.get("province"), *vals, s.get("total"),
                     s.get("rank"), *(["true"] if meta.get("synthetic") else [])])
    ws.freeze_panes = "D2"
    for col, width in (("A", 10), ("B", 18), ("C", 14)):
        ws.column_dimensions[col].width = width

    sc = scores.copy()
    if intervals is not None and len(intervals):
        iv = intervals.set_index(intervals["code"].astype(str))
        for col in INTERVAL_COLUMNS:
            if col in iv.columns:
                sc[col] = sc["code"].astype(str).map(iv[col])
    flags = imputed_column(scores, scores["code"])
    if flags is not None:
        sc["imputed"] = flags
    if meta.get("synthetic"):
        sc.insert(0, "synthetic", True)
    loc = localised(sc, lang, system)
    ss = wb.create_sheet(t("export.sheet.scores", lang))
    _append(ss, list(loc.columns))
    style_header(ss)
    for row in loc.itertuples(index=False):
        _append(ss, list(row))
    ss.freeze_panes = "C2"

    ps = wb.create_sheet(t("workbook.sheet_problems", lang))
    _append(ps, [t(f"workbook.col_{c}", lang) for c in ("file", "row", "column", "message")])
    style_header(ps)
    for w in warnings:
        render = getattr(w, "render", None)
        text = render(lang) if callable(render) else str(w)
        _append(ps, [getattr(w, "file", None), getattr(w, "row", None),
                     getattr(w, "column", None), text])
    if not warnings:
        _append(ps, [None, None, None, t("workbook.no_problems", lang)])
    ps.column_dimensions["D"].width = 120

    ns = wb.create_sheet(t("workbook.sheet_notes", lang))
    _append(ns, [t("export.about.key", lang), t("export.about.value", lang)])
    style_header(ns)
    for key, value in _notes(system, meta, lang):
        _append(ns, [key, value])
    ns.column_dimensions["A"].width = 24
    ns.column_dimensions["B"].width = 110

    add_indicator_sheet(wb, system, lang)
    return atomic_write(path, lambda tmp: wb.save(tmp))


def _notes(system, meta: dict, lang: str) -> list[tuple[str, object]]:
    name = (system.name_en or system.name) if lang == "en" else system.name
    rows = [(t("workbook.note_title", lang), meta.get("title")),
            (t("workbook.note_dataset", lang), meta.get("dataset")),
            (t("workbook.note_year", lang), meta.get("year") or t("workbook.not_given", lang)),
            (t("export.about.system", lang), f"{name} ({system.id})"),
            (t("workbook.note_source", lang), meta.get("source")),
            (t("export.about.synthetic", lang), t("workbook.yes" if meta.get("synthetic")
                                                 else "workbook.no", lang))]
    if meta.get("synthetic"):
        rows.append((t("export.about.note", lang), synthetic_note(lang)))
    if meta.get("vintage"):
        rows.append((t("workbook.note_vintage", lang), meta["vintage"]))
    if meta.get("filename"):
        rows.append((t("workbook.note_file", lang), meta["filename"]))
    rows.append((t("workbook.note_missing", lang), t(f"terms.policy.{meta.get('missing')}", lang)
                 if meta.get("missing") else ""))
    cov = meta.get("coverage") or {}
    if cov:
        rows.append((t("workbook.note_units", lang), t("workbook.units", lang,
                                                       n=cov.get("n_units", 0),
                                                       blank=cov.get("n_blank", 0))))
    rows.append((t("workbook.note_scoring", lang), t("workbook.scoring", lang,
                                                     aggregation=meta.get("aggregation", ""),
                                                     weighting=meta.get("weighting", ""))))
    rows.append((t("workbook.note_intervals", lang), meta.get("intervals_note")
                 or t("workbook.no_intervals", lang)))
    if meta.get("created"):
        rows.append((t("workbook.note_created", lang), meta["created"]))
    rows.append((t("workbook.note_readback", lang), t("workbook.readback", lang,
                                                      sheet=t("export.template.sheet_data", lang),
                                                      system=system.id)))
    return rows
