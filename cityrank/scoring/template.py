"""Excel data-entry template for an indicator system.

Policymakers work in Excel: the template pre-fills the eligible cities (codes are the key,
names are for people), gives one column per indicator headed with its name, ``[id]`` and
range, and lets Excel refuse out-of-range entries before the file ever reaches us.

Sheet names, headers, instructions and Excel's messages follow ``lang`` (Simplified Chinese
by default, English with ``lang="en"``; catalogue ``export.template.*``); the key headers are
aliases of :mod:`cityrank.scoring.columns` and indicator headers carry ``[id]``, so a filled
template in either language is read back by :mod:`cityrank.scoring.ingest`."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from cityrank.atomic import atomic_write
from cityrank.i18n import t

from .units import PREFECTURE_LEVEL_TYPES, load_units


def eligible_units(system, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units of the system's universe (its ``types``), else prefecture-level units with a region
    (everything but HK, Macao, Taiwan and county-level units)."""
    units = load_units() if units is None else units
    types = system.universe.get("types")
    if types:
        sel = units[units["type"].isin(types)]
    else:
        sel = units[units["type"].isin(PREFECTURE_LEVEL_TYPES)]
    return sel.sort_values("code").reset_index(drop=True)


def _range(node) -> tuple[float, float | None]:
    if node.deduction:
        return 0.0, None
    if node.method == "points":
        return 0.0, node.max_points
    if node.method == "goalposts":
        lo, hi = sorted(node.goalposts)
        return lo, hi
    return -math.inf, None


def _name(node, lang: str) -> str:
    return (node.name_en or node.name) if lang == "en" else node.name


def header_for(node, lang: str = "zh") -> str:
    """``name [id] (range)`` of an indicator column, the name in ``lang``."""
    lo, hi = _range(node)
    name = _name(node, lang)
    if hi is not None and math.isfinite(lo):
        return t("export.template.range", lang, name=name, id=node.id, lo=f"{lo:g}", hi=f"{hi:g}")
    if math.isfinite(lo):
        return t("export.template.at_least", lang, name=name, id=node.id, lo=f"{lo:g}")
    return t("export.column.node", lang, name=name, id=node.id)


def write_template(system, out: str | Path, units: pd.DataFrame | None = None,
                   lang: str = "zh") -> tuple[Path, int]:
    """Write the template in ``lang``; returns (path, number of pre-filled units)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = eligible_units(system, units)
    leaves = [system.nodes[n] for n in system.leaves]
    wb = Workbook()
    ws = wb.active
    ws.title = t("export.template.sheet_data", lang)
    keys = [t(f"export.column.{k}", lang) for k in ("code", "name", "province")]
    header = keys + [header_for(n, lang) for n in leaves]
    ws.append(header)
    for r in rows.itertuples(index=False):
        ws.append([r.code, r.name, r.province])
    style_header(ws)
    ws.freeze_panes = "D2"
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 14
    last = len(rows) + 1
    from openpyxl.utils import get_column_letter

    for j, node in enumerate(leaves, start=4):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = 16
        lo, hi = _range(node)
        if hi is not None and math.isfinite(lo):
            dv = DataValidation(type="decimal", operator="between", formula1=f"{lo:g}",
                                formula2=f"{hi:g}", allow_blank=True, showErrorMessage=True,
                                errorTitle=t("export.template.out_of_range", lang),
                                error=f"{_name(node, lang)}: {lo:g}–{hi:g}")
        elif math.isfinite(lo):
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual",
                                formula1=f"{lo:g}", allow_blank=True, showErrorMessage=True)
        else:
            dv = DataValidation(type="decimal", operator="between", formula1="-1E+300",
                                formula2="1E+300", allow_blank=True, showErrorMessage=True,
                                error=t("export.template.enter_number", lang))
        dv.add(f"{letter}2:{letter}{max(last, 2)}")
        ws.add_data_validation(dv)

    ins = wb.create_sheet(t("export.template.sheet_instructions", lang))
    ins.append([t("export.template.heading", lang, name=_name(system, lang), id=system.id)])
    ins.append([system.name_en if lang != "en" else system.name])
    ins.append([t("export.template.source", lang, source=system.source)])
    ins.append([""])
    ins.append([t("export.template.instructions", lang)])
    ins.append([t("export.template.step1", lang, sheet=ws.title, code=keys[0])])
    ins.append([t("export.template.step2", lang)])
    ins.append([t("export.template.step3", lang)])
    ins.append([t("export.template.step4", lang, system=system.id)])
    ins.append([t("export.template.step5", lang)])
    for note in system.notes + system.warnings:
        render = getattr(note, "render", None)
        ins.append([t("export.template.note", lang, note=render(lang) if callable(render) else note)])
    ins.column_dimensions["A"].width = 120
    ins["A1"].font = Font(bold=True, size=13)

    add_indicator_sheet(wb, system, lang)
    path = atomic_write(out, lambda tmp: wb.save(tmp))
    return path, len(rows)


def style_header(ws) -> None:
    """Bold, shaded, wrapped first row (the template's look; the scored workbook's too)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def add_indicator_sheet(wb, system, lang: str = "zh"):
    """The system's nodes (id, names, level, parent, maxima, weights, method...) as a sheet."""
    from openpyxl.styles import Font

    ind = wb.create_sheet(t("export.template.sheet_indicators", lang))
    ind.append([t(f"export.template.col_{c}", lang) for c in (
        "id", "name", "name_en", "level", "parent", "max_points", "weight", "method", "direction",
        "unit", "note")])
    for nid in system.preorder():
        n = system.nodes[nid]
        ind.append([n.id, n.name, n.name_en, n.level, n.parent or "", n.max_points,
                    n.weight, n.method, n.direction, n.unit, n.note])
    for cell in ind[1]:
        cell.font = Font(bold=True)
    return ind

