"""Write scores tables as CSV, XLSX or JSON, atomically (temp file, then ``os.replace``), so
a reader never sees half a file and a failed run never destroys the previous output."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from cityrank.atomic import atomic_write
from cityrank.errors import DataError

SYNTHETIC_NOTE = "SIMULATED DATA - not real assessment results (synthetic: true)"


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            elif v is pd.NA:
                v = None
            clean[str(k)] = v
        out.append(clean)
    return out


def _write_csv(df, path, meta):
    df.to_csv(path, index=False, encoding="utf-8-sig" if meta.get("excel_bom") else "utf-8")


def _write_xlsx(df, path, meta):
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        df.to_excel(xw, sheet_name="scores", index=False)
        info = [("system", meta.get("system", "")), ("synthetic", meta.get("synthetic", False))]
        if meta.get("synthetic"):
            info.append(("note", SYNTHETIC_NOTE))
        info += [("warning", w) for w in meta.get("warnings", [])]
        pd.DataFrame(info, columns=["key", "value"]).to_excel(xw, sheet_name="about",
                                                              index=False)


def _write_json(df, path, meta):
    doc = {"system": meta.get("system"), "synthetic": bool(meta.get("synthetic", False))}
    if doc["synthetic"]:
        doc["note"] = SYNTHETIC_NOTE
    doc["warnings"] = list(meta.get("warnings", []))
    if meta.get("summary") is not None:
        doc["summary"] = meta["summary"]
    doc["columns"] = [str(c) for c in df.columns]
    doc["rows"] = _records(df)
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


WRITERS = {".csv": _write_csv, ".xlsx": _write_xlsx, ".json": _write_json}


def write_scores(df: pd.DataFrame, path: str | Path, *, system_id: str | None = None,
                 warnings=(), summary: dict | None = None) -> Path:
    """Write by extension (.csv, .xlsx, .json). A synthetic table says so in every format:
    a ``synthetic`` column in CSV/XLSX, ``"synthetic": true`` in JSON."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise DataError(f"{path}: unsupported output format {suffix!r} "
                        f"(use {', '.join(WRITERS)})")
    synthetic = bool(df.attrs.get("synthetic", False))
    out = df.copy()
    if synthetic and suffix != ".json":
        out.insert(0, "synthetic", True)
    meta = {"system": system_id or df.attrs.get("system"), "synthetic": synthetic,
            "warnings": list(warnings), "summary": summary}
    return atomic_write(path, lambda tmp: WRITERS[suffix](out, tmp, meta))
