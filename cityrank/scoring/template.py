"""Excel data-entry template for an indicator system.

Policymakers work in Excel: the template pre-fills the eligible cities (codes are the key,
names are for people), gives one column per indicator headed with its name, ``[id]`` and
range, and lets Excel refuse out-of-range entries before the file ever reaches us."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from cityrank.atomic import atomic_write

from .units import load_units

_INSTRUCTIONS_ZH = [
    "填写说明 / Instructions",
    "",
    "1. 在“数据”工作表中填写各城市各指标得分；请勿修改“code”列（6位行政区划代码）和表头。",
    "   Fill in the 'data' sheet; do not change the 'code' column (6-digit codes) or the headers.",
    "2. 每个指标列的表头包含指标名称、[指标ID] 和取值范围；超出范围的数值会被 Excel 拒绝。",
    "   Each header holds the indicator name, its [id] and the allowed range.",
    "3. 缺失值请留空；评分时须选择缺失值处理规则（refuse 拒绝 / mean 均值 / province_mean 省均值 / zero 零）。",
    "   Leave missing values empty; scoring needs an explicit missing-value policy.",
    "4. 保存为 .xlsx 后运行： cityrank score --system SYSTEM --data FILE.xlsx --out scores.xlsx",
    "   Then run: cityrank score --system SYSTEM --data FILE.xlsx --out scores.xlsx",
    "5. 城市也可用名称（含繁体、带或不带“市”）标识；历史区划（如莱芜）会映射到现行单位并给出警告。",
    "   Cities may also be keyed by name; former units (e.g. 莱芜) map to today's with a warning.",
]


def eligible_units(system, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units of the system's universe (its ``types``), else prefecture-level units with a region
    (everything but HK, Macao, Taiwan and county-level units)."""
    units = load_units() if units is None else units
    types = system.universe.get("types")
    if types:
        sel = units[units["type"].isin(types)]
    else:
        sel = units[units["type"].isin(("直辖市", "副省级市", "地级市", "自治州", "地区", "盟"))]
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


def header_for(node) -> str:
    lo, hi = _range(node)
    if hi is not None and math.isfinite(lo):
        return f"{node.name} [{node.id}] ({lo:g}–{hi:g})"
    if math.isfinite(lo):
        return f"{node.name} [{node.id}] (≥{lo:g})"
    return f"{node.name} [{node.id}]"


def write_template(system, out: str | Path, units: pd.DataFrame | None = None) -> tuple[Path, int]:
    """Write the template; returns (path, number of pre-filled units)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = eligible_units(system, units)
    leaves = [system.nodes[n] for n in system.leaves]
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    header = ["code", "name", "province"] + [header_for(n) for n in leaves]
    ws.append(header)
    for r in rows.itertuples(index=False):
        ws.append([r.code, r.name, r.province])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
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
                                errorTitle="超出范围 / out of range",
                                error=f"{node.name}: {lo:g}–{hi:g}")
        elif math.isfinite(lo):
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual",
                                formula1=f"{lo:g}", allow_blank=True, showErrorMessage=True)
        else:
            dv = DataValidation(type="decimal", operator="between", formula1="-1E+300",
                                formula2="1E+300", allow_blank=True, showErrorMessage=True,
                                error="请输入数字 / enter a number")
        dv.add(f"{letter}2:{letter}{max(last, 2)}")
        ws.add_data_validation(dv)

    ins = wb.create_sheet("instructions")
    ins.append([f"{system.name} ({system.id})"])
    ins.append([system.name_en])
    ins.append([f"来源 / source: {system.source}"])
    for line in _INSTRUCTIONS_ZH:
        ins.append([line])
    for note in system.notes + system.warnings:
        ins.append([f"注意 / note: {note}"])
    ins.column_dimensions["A"].width = 120
    ins["A1"].font = Font(bold=True, size=13)

    ind = wb.create_sheet("indicators")
    ind.append(["id", "name", "name_en", "level", "parent", "max_points", "weight", "method",
                "direction", "unit", "note"])
    for nid in system.preorder():
        n = system.nodes[nid]
        ind.append([n.id, n.name, n.name_en, n.level, n.parent or "", n.max_points,
                    n.weight, n.method, n.direction, n.unit, n.note])
    for cell in ind[1]:
        cell.font = bold
    path = atomic_write(out, lambda tmp: wb.save(tmp))
    return path, len(rows)

