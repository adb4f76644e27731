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
import re
from pathlib import Path

import pandas as pd

from cityrank import i18n
from cityrank.atomic import atomic_write
from cityrank.errors import DataError
from cityrank.jsonsafe import jsonable
from cityrank.scoring.missing import imputed_column

KNOWN_COLUMNS = ("code", "name", "province", "region", "total", "rank", "percentile", "published_total",
          "published_rank", "total_discrepancy", "published_mismatch", "synthetic",
          # ties and rank intervals (scoring.uncertainty), wherever a table of ranks is written
          "tied", "tie_group", "tied_with", "rank_median", "rank_p05", "rank_p95", "p_top10",
          "p_above_median", "overlaps", "overlap_with",
          # cells a missing-value policy filled (scoring.missing.imputed_column)
          "imputed")

# --- formula injection (OWASP "CSV injection") ------------------------------------------------
# A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before
# them) as a formula: an upload named "=HYPERLINK(...).csv" would put a live link in the
# export's title. Every string cell of every CSV/XLSX we write goes through these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def formula_like(value) -> bool:
    """A string a spreadsheet could run: it starts with = + - @, a tab or a CR (a plain
    signed number such as ``-5.2`` or a lone ``-`` cannot be a formula and is left alone)."""
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and value.strip() not in ("-", "+") and not _PLAIN_NUMBER.match(value))


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every formula-like string cell (and header) prefixed by ``'``, OWASP's rule
    for CSV, which Excel shows as text."""
    out = df.copy()
    out.columns = [f"'{c}" if formula_like(c) else c for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [f"'{v}" if formula_like(v) else v for v in out[col]]
    return out


def to_csv_text(df: pd.DataFrame, **kw) -> str:
    """The CSV text of ``df`` with formula-like cells made text (:func:`csv_safe`)."""
    return csv_safe(df).to_csv(index=False, **kw)


def text_cells(book) -> int:
    """Make every formula-like cell of an openpyxl workbook a text cell (type string, shown
    as typed, with Excel's quote prefix so editing it keeps it text); returns how many."""
    n = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    n += 1
    return n


def write_workbook(target, sheets: dict[str, pd.DataFrame]) -> None:
    """Write ``{sheet name: table}`` as an XLSX (a path or a binary buffer), every string
    cell as text (:func:`text_cells`)."""
    with pd.ExcelWriter(target, engine="openpyxl") as xw:
        for name, frame in sheets.items():
            frame.to_excel(xw, sheet_name=name, index=False)
        text_cells(xw.book)


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
    if col in KNOWN_COLUMNS:
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
    Path(path).write_text(to_csv_text(df), encoding="utf-8-sig" if meta.get("excel_bom") else "utf-8")


def _write_xlsx(df, path, meta):
    lang = meta["lang"]
    info = [(i18n.t("export.about.system", lang), meta.get("system", "")),
            (i18n.t("export.about.synthetic", lang), meta.get("synthetic", False))]
    if meta.get("synthetic"):
        info.append((i18n.t("export.about.note", lang), synthetic_note(lang)))
    info += [(i18n.t("export.about.warning", lang), _warning(w, lang))
             for w in meta.get("warnings", [])]
    about = pd.DataFrame(info, columns=[i18n.t("export.about.key", lang),
                                        i18n.t("export.about.value", lang)])
    write_workbook(path, {i18n.t("export.sheet.scores", lang): localised(df, lang, meta.get("system_obj")),
                          i18n.t("export.sheet.about", lang): about})


def _warning(w, lang: str) -> str:
    render = getattr(w, "render", None)
    return render(lang) if callable(render) else str(w)


def _write_json(df, path, meta):
    doc = {"system": meta.get("system"), "synthetic": bool(meta.get("synthetic", False))}
    if doc["synthetic"]:
        doc["note"] = synthetic_note(meta["lang"])
    doc["warnings"] = list(meta.get("warnings", []))
    doc["imputed"] = list(df.attrs.get("imputed", []) or [])
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
    flags = imputed_column(df, df["code"]) if "code" in df.columns else None
    if flags is not None and suffix != ".json":  # JSON lists the cells themselves (below)
        out["imputed"] = flags
    meta = {"system": system_id or getattr(system, "id", None) or df.attrs.get("system"),
            "synthetic": synthetic, "warnings": list(warnings), "summary": summary,
            "lang": lang, "system_obj": system}
    return atomic_write(path, lambda tmp: WRITERS[suffix](out, tmp, meta))
