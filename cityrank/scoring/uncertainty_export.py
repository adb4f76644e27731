"""Write an uncertainty analysis or a coherence report as CSV, XLSX or JSON, atomically.

- uncertainty: CSV is the rank table (:data:`cityrank.scoring.uncertainty.RANK_COLUMNS`);
  XLSX has the sheets ``ranks``, ``sensitivity`` (``code, factor, S1, ST``),
  ``average_shift``, ``choices`` and ``about``; JSON is ``result.to_json()``.
- coherence: CSV is the indicator table; XLSX has one sheet per table; JSON is
  ``report.to_json()``.

A synthetic dataset says so in every format (a ``synthetic`` column, the ``about`` sheet,
``"synthetic": true``), with the wording of :data:`cityrank.scoring.export.SYNTHETIC_NOTE`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cityrank.atomic import atomic_write
from cityrank.errors import DataError

from .export import SYNTHETIC_NOTE, to_csv_text, write_workbook

FORMATS = (".csv", ".xlsx", ".json")


def _suffix(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise DataError(f"{path}: unsupported output format {suffix!r} (use "
                        f"{', '.join(FORMATS)})")
    return suffix


def _about(meta: dict) -> pd.DataFrame:
    rows = [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v)
            for k, v in meta.items()]
    if meta.get("synthetic"):
        rows.append(("note", SYNTHETIC_NOTE))
    return pd.DataFrame(rows, columns=["key", "value"])


def _json(doc: dict, tmp: Path) -> None:
    if doc.get("synthetic"):
        doc = {**doc, "note": SYNTHETIC_NOTE}
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def write_uncertainty(result, path) -> Path:
    """Write :class:`cityrank.scoring.uncertainty.UncertaintyResult` by extension."""
    suffix = _suffix(path)
    table = result.ranks.copy()
    if result.synthetic:
        table.insert(0, "synthetic", True)

    def write(tmp: Path) -> None:
        if suffix == ".json":
            _json(result.to_json(), tmp)
        elif suffix == ".csv":
            Path(tmp).write_text(to_csv_text(table), encoding="utf-8")
        else:
            sheets = {"ranks": table}
            if result.sensitivity is not None:
                sheets |= {"sensitivity": result.sensitivity, "average_shift": result.shift}
            sheets["choices"] = pd.DataFrame(
                [(k, json.dumps(v, ensure_ascii=False)) for k, v in result.choices.items()],
                columns=["choice", "levels"])
            sheets["about"] = _about({"system": result.system_id, "synthetic": result.synthetic,
                                      "runs": result.config.runs, "seed": result.config.seed,
                                      "factors": result.factors, "key": result.key})
            write_workbook(tmp, sheets)

    return atomic_write(path, write)


def write_coherence(report, path) -> Path:
    """Write :class:`cityrank.scoring.coherence.CoherenceReport` by extension."""
    suffix = _suffix(path)
    synthetic = bool(report.meta.get("synthetic"))

    def write(tmp: Path) -> None:
        if suffix == ".json":
            _json(report.to_json(), tmp)
        elif suffix == ".csv":
            t = report.indicators.copy()
            if synthetic:
                t.insert(0, "synthetic", True)
            Path(tmp).write_text(to_csv_text(t), encoding="utf-8")
        else:
            write_workbook(tmp, {
                "indicators": report.indicators, "pillars": report.pillars,
                "correlations": report.correlations.reset_index(names="indicator"),
                "loadings": report.loadings, "redundant": report.redundant,
                "outliers": report.outliers, "effective_weights": report.effective,
                "about": _about({**report.meta, "method": report.method,
                                 **{f"index_{k}": v for k, v in report.index.items()}})})

    return atomic_write(path, write)
