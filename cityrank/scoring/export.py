"""Write scores tables as CSV, XLSX or JSON, atomically (temp file, then ``os.replace``), so
a reader never sees half a file and a failed run never destroys the previous output.

The XLSX workbook is for people: its sheet names, headers, region names and notes follow
``lang`` (Simplified Chinese by default, English with ``lang="en"``), from the catalogue
(``export.*``, region names from ``config/regions.yaml``); its key headers are aliases that
:mod:`cityrank.scoring.ingest` reads back. CSV and JSON are for programs and keep the column
ids (``code``, ``total``, node ids); the JSON note follows ``lang`` too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cityrank import i18n
from cityrank.atomic import atomic_write
from cityrank.errors import DataError
from cityrank.jsonsafe import jsonable

_KNOWN = ("code", "name", "province", "region", "total", "rank", "percentile", "published_total",
          "published_rank", "total_discrepancy", "published_mismatch", "synthetic")


def synthetic_note(lang: str = "zh") -> str:
    """The simulated-data note every export of synthetic scores carries."""
    return i18n.t("export.synthetic_note", lang)


def __getattr__(name: str):
    if name == "SYNTHETIC_NOTE":  # the old English constant: a view of the catalogue
        return synthetic_note("en")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def header(column: str, lang: str = "zh", system=None) -> str:
    """The workbook header of a scores column in ``lang``: the known columns by name, a node
    as ``name [id]`` (read back by ingest) when ``system`` knows it, ``rate_<id>`` as its
    score rate; anything else as given."""
    col = str(column)
    if col in _KNOWN:
        return i18n.t(f"export.column.{col}", lang)
    nodes = getattr(system, "nodes", None) or {}
    if col.startswith("rate_") and col[5:]:
        return i18n.t("export.column.rate", lang, indicator=_node_name(nodes, col[5:], lang))
    if col in nodes:
        return i18n.t("export.column.node", lang, name=_node_name(nodes, col, lang), id=col)
    return col


def _node_name(nodes, nid: str, lang: str) -> str:
    node = nodes.get(nid)
    if node is None:
        return nid
    return (node.name_en or node.name or nid) if lang == "en" else (node.name or nid)


def localised(df: pd.DataFrame, lang: str = "zh", system=None) -> pd.DataFrame:
    """``df`` as people read it: headers and region names in ``lang``."""
    out = df.copy()
    if "region" in out.columns:
        out["region"] = [_region(r, lang) for r in out["region"]]
    out.columns = [header(c, lang, system) for c in out.columns]
    return out


def _region(value, lang: str):
    if isinstance(value, str) and i18n.has(f"region.{value}"):
        return i18n.t(f"region.{value}", lang)
    return value


def _write_csv(df, path, meta):
    df.to_csv(path, index=False, encoding="utf-8-sig" if meta.get("excel_bom") else "utf-8")


def _write_xlsx(df, path, meta):
    lang = meta["lang"]
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        localised(df, lang, meta.get("system_obj")).to_excel(
            xw, sheet_name=i18n.t("export.sheet.scores", lang), index=False)
        info = [(i18n.t("export.about.system", lang), meta.get("system", "")),
                (i18n.t("export.about.synthetic", lang), meta.get("synthetic", False))]
        if meta.get("synthetic"):
            info.append((i18n.t("export.about.note", lang), synthetic_note(lang)))
        info += [(i18n.t("export.about.warning", lang), _warning(w, lang))
                 for w in meta.get("warnings", [])]
        pd.DataFrame(info, columns=[i18n.t("export.about.key", lang),
                                    i18n.t("export.about.value", lang)]).to_excel(
            xw, sheet_name=i18n.t("export.sheet.about", lang), index=False)


def _warning(w, lang: str) -> str:
    render = getattr(w, "render", None)
    return render(lang) if callable(render) else str(w)


def _write_json(df, path, meta):
    doc = {"system": meta.get("system"), "synthetic": bool(meta.get("synthetic", False))}
    if doc["synthetic"]:
        doc["note"] = synthetic_note(meta["lang"])
    doc["warnings"] = list(meta.get("warnings", []))
    if meta.get("summary") is not None:
        doc["summary"] = meta["summary"]
    doc["columns"] = [str(c) for c in df.columns]
    doc["rows"] = jsonable(df.to_dict(orient="records"))
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


WRITERS = {".csv": _write_csv, ".xlsx": _write_xlsx, ".json": _write_json}


def write_scores(df: pd.DataFrame, path: str | Path, *, system_id: str | None = None,
                 warnings=(), summary: dict | None = None, lang: str = "zh",
                 system=None) -> Path:
    """Write by extension (.csv, .xlsx, .json). A synthetic table says so in every format:
    a ``synthetic`` column in CSV/XLSX, ``"synthetic": true`` in JSON.

    ``lang`` (zh default, en) sets the XLSX sheet names, headers, region names, notes and
    warnings, and the JSON note; ``system`` (an :class:`~cityrank.scoring.system.IndicatorSystem`)
    lets the XLSX name indicator columns ``name [id]``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise DataError(f"{path}: unsupported output format {suffix!r} "
                        f"(use {', '.join(WRITERS)})")
    lang = i18n.norm_lang(lang)
    synthetic = bool(df.attrs.get("synthetic", False))
    out = df.copy()
    if synthetic and suffix != ".json":
        out.insert(0, "synthetic", True)
    meta = {"system": system_id or getattr(system, "id", None) or df.attrs.get("system"),
            "synthetic": synthetic, "warnings": list(warnings), "summary": summary,
            "lang": lang, "system_obj": system}
    return atomic_write(path, lambda tmp: WRITERS[suffix](out, tmp, meta))
