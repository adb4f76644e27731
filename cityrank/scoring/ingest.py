"""Ingestion: from a user's table to validated numbers keyed by 6-digit code.

Every problem is collected with file, row and column before anything fails, so a whole
spreadsheet can be fixed in one pass. Rows are spreadsheet rows (the header is row 1).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from cityrank import i18n
from cityrank.errors import ConfigError, DataError
from cityrank.i18n import LANGS, t

from .columns import SYNTHETIC, find_column
from .columns import header_key as _header_key
from .columns import role as _key_role
from .engine import given_nodes
from .limits import ReadLimits
from .messages import Notice, term
from .missing import POLICIES, apply_policy
from .numbers import MISSING_TOKENS, check_decimal, is_percent_unit, parse_cells, problem_params
from .numbers import parse_number as _parse_number
from .problems import Problem, ProblemsError
from .readers import read_table
from .units import PREFECTURE_CITY_TYPES, UnitResolver, normalise_name
from .vintage import Vintage, choose, resolver_at, units_at

COVERAGE_THRESHOLD = 0.65
# Key columns (code, name, province): the one alias list of scoring.columns.
IGNORED_HEADERS = {"region", "区域", "name_en", "type", "类型", "序号", "no", "#", "备注", "note",
                   "short_name", "province_code", "synthetic", "percentile", "lon", "lat"}
EXTRA_HEADERS = {"published_total": {"published_total", "total", "总分", "总得分", "得分"},
                 "published_rank": {"published_rank", "rank", "排名", "名次"}}
_ID_IN_HEADER = re.compile(r"\[([A-Za-z0-9_.\-]+)\]")
_BRACKETS = re.compile(r"[(\[].*?[)\]]")
_REPEATED = re.compile(r"^(.*)\.(\d+)$")  # how readers name a repeated header


@dataclass
class IngestResult:
    data: pd.DataFrame  # index code (str), one float column per given node
    extra: pd.DataFrame  # index code: published_total / published_rank when present
    file: str
    encoding: str | None = None
    sheet: str | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)  # str subclass: English line
    coverage: dict = field(default_factory=dict)
    synthetic: bool = False
    rows: dict[str, int] = field(default_factory=dict)  # code -> spreadsheet row
    filled: int = 0
    raw: pd.DataFrame | None = None  # ``data`` before the missing-value policy filled it
    not_evaluated: list[dict] = field(default_factory=list)
    """Rows that name a unit but hold no indicator value (a template's rows left blank):
    ``{"row", "key", "code"}`` (code None when the key does not resolve). Neither scored nor
    errors; ``coverage["not_evaluated"]`` is their number."""
    vintage: Vintage = field(default_factory=lambda: Vintage(None, "current"))
    """The city list the table was read on (:mod:`scoring.vintage`)."""
    resolver: UnitResolver | None = field(default=None, repr=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_problems(self) -> IngestResult:
        if self.errors:
            raise ProblemsError(self.errors)
        return self


@lru_cache(maxsize=1)
def _written_headers() -> frozenset[str]:
    """Headers of our own scores workbook that carry no input (scoring.export), both languages,
    so a workbook cityrank wrote reads back without warnings."""
    cols = ("region", "percentile", "total_discrepancy", "published_mismatch", *SYNTHETIC)
    return frozenset(_header_key(t(f"export.column.{c}", lang)) if i18n.has(f"export.column.{c}")
                     else _header_key(c) for c in cols for lang in LANGS)


@lru_cache(maxsize=1)
def _rate_prefixes() -> tuple[str, ...]:
    """Score-rate columns: ``rate_<id>`` and the workbook's ``得分率：…`` / ``score rate: …``."""
    return ("rate_", *(_header_key(t("export.column.rate", lang, indicator="")) for lang in LANGS))


def map_columns(columns, system) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Classify headers: ({header: node id}, {header: role}, unknown headers).

    A node is found by ``[id]`` inside the header (our template), its id, its Chinese name
    (traditional or simplified, brackets such as "(5分)" ignored) or its English name.
    """
    by_key: dict[str, str] = {}
    for nid, n in system.nodes.items():
        by_key[_header_key(nid)] = nid
        by_key[normalise_name(n.name).lower()] = nid
        if n.name_en:
            by_key[_header_key(n.name_en)] = nid
    nodes: dict[str, str] = {}
    roles: dict[str, str] = {}
    unknown: list[str] = []
    names = set(map(str, columns))
    for h in columns:
        dup = _REPEATED.match(str(h))
        if dup and dup.group(1) in names and dup.group(1) in nodes:  # "x.1": x repeated
            nodes[h] = nodes[dup.group(1)]  # reported as a duplicate column, not "unknown"
            continue
        key = _header_key(h)
        m = _ID_IN_HEADER.search(str(h))
        simple = normalise_name(_BRACKETS.sub("", unicodedata.normalize("NFKC", str(h)))).lower()
        if m and m.group(1) in system.nodes:
            nodes[h] = m.group(1)
        elif key in by_key:
            nodes[h] = by_key[key]
        elif simple in by_key:
            nodes[h] = by_key[simple]
        elif (r := _key_role(key) or ("name" if _key_role(simple) == "name" else None)):
            roles[h] = r
        elif key in IGNORED_HEADERS or key in _written_headers() or key.startswith(_rate_prefixes()):
            roles[h] = "ignored"
        else:
            for role, keys in EXTRA_HEADERS.items():
                if key in keys or simple in keys:
                    roles[h] = role
                    break
            else:
                unknown.append(h)
    return nodes, roles, unknown


def parse_number(text, *, decimal: str = ".") -> float | None:
    """Cell text -> float; None for a missing marker; ValueError when the rule of
    :mod:`scoring.numbers` refuses it (``1,5``, ``1,234``, ``INF``)."""
    return _parse_number(text, decimal=decimal)


def is_synthetic_file(path: str | Path) -> bool:
    """Simulated data say so: in a sidecar ``<name>.meta.json`` or in the file name."""
    p = Path(path)
    meta = p.with_name(p.stem + ".meta.json")
    if meta.exists():
        try:
            return bool(json.loads(meta.read_text(encoding="utf-8")).get("synthetic", False))
        except (ValueError, OSError):
            pass
    return bool(re.search(r"simulat|synthetic|模拟", p.name, re.I))


def ingest(path, system, *, encoding: str | None = None, sheet=None, missing: str = "refuse",
           resolver: UnitResolver | None = None, raise_errors: bool = True,
           decimal: str = ".", limits: ReadLimits | None = None, year=None,
           vintage=None) -> IngestResult:
    """Read and validate a data file against an indicator system.

    ``decimal`` is the file's decimal mark (``.`` or ``,``; :mod:`scoring.numbers`);
    ``limits`` bound the reading (:class:`~scoring.limits.ReadLimits`, default from the
    environment); ``year``/``vintage`` choose the city list (:func:`scoring.vintage.choose`;
    default: the file's sidecar metadata, else today's list).
    """
    check_decimal(decimal)
    v = vintage if isinstance(vintage, Vintage) else choose(year=year, vintage=vintage, path=path)
    resolver = resolver_at(v.date, base=resolver)
    raw = read_table(path, encoding=encoding, sheet=sheet, limits=limits)
    res = ingest_frame(raw.frame, system, file=raw.file, missing=missing, resolver=resolver,
                       raise_errors=False, rows=raw.rows, decimal=decimal, formulas=raw.formulas,
                       vintage=v)
    res.problems = raw.problems + res.problems
    res.encoding, res.sheet = raw.encoding, raw.sheet
    if encoding is None and raw.encoding and not raw.encoding.lower().startswith("utf"):
        res.warnings.insert(0, Notice.make("encoding_detected", {"encoding": raw.encoding},
                                           file=raw.file))
    res.synthetic = res.synthetic or is_synthetic_file(path)
    if raise_errors:
        res.raise_for_problems()
    return res


def ingest_frame(frame: pd.DataFrame, system, *, file: str = "<data>", missing: str = "refuse",
                 resolver: UnitResolver | None = None, raise_errors: bool = True,
                 rows=None, decimal: str = ".", formulas: dict | None = None,
                 vintage: Vintage | None = None) -> IngestResult:
    """Validate a table of strings (header = spreadsheet row 1) against ``system``.

    ``rows`` gives the spreadsheet row of each frame row (default 2, 3, ...); ``formulas``
    maps (frame position, column) to the formula of a cell without a saved value."""
    if missing not in POLICIES:
        raise ConfigError(f"unknown missing-value policy {missing!r} (known: "
                          f"{', '.join(POLICIES)})")
    check_decimal(decimal)
    vintage = vintage or Vintage(None, "current")
    resolver = resolver or resolver_at(vintage.date)
    formulas = formulas or {}
    problems: list[Problem] = []
    warnings: list[Notice] = []
    frame = frame.astype(str).fillna("") if len(frame) else frame
    row_of = list(rows) if rows is not None else list(range(2, len(frame) + 2))
    node_cols, roles, unknown = map_columns(frame.columns, system)
    synthetic = False
    col = find_column(frame.columns, SYNTHETIC)
    if col is not None:
        synthetic = frame[col].str.strip().str.lower().isin({"true", "1", "yes"}).any()

    for h in unknown:
        problems.append(Problem.make(file, 1, h, "extra_column", {"system": system.id},
                                     "warning"))
    seen: dict[str, str] = {}
    for h, nid in node_cols.items():
        if nid in seen:
            problems.append(Problem.make(file, 1, h, "duplicate_column",
                                         {"indicator": nid, "other": seen[nid]}))
        else:
            seen[nid] = h
    col_of = {nid: h for h, nid in node_cols.items() if seen.get(nid) == h}
    given = given_nodes(system, col_of)
    for nid in col_of:
        if nid not in given:
            problems.append(Problem.make(file, 1, col_of[nid], "extra_column",
                                         {"indicator": nid}, "warning",
                                         msg="extra_column.below"))
    covered = set()
    for g in given:
        covered.update(system.descendants_leaves(g))
    for leaf in system.leaves:
        if leaf not in covered and not system.nodes[leaf].deduction:
            n = system.nodes[leaf]
            problems.append(Problem.make(file, 1, n.name, "missing_column",
                                         {"indicator": leaf, "name": n.name,
                                          "max": float(n.max_points)}))

    key_col = next((h for h, r in roles.items() if r == "code"), None) or next(
        (h for h, r in roles.items() if r == "name"), None)
    if key_col is None:
        problems.append(Problem.make(file, 1, None, "missing_key",
                                     msg="missing_key.no_column"))
        return _finish(system, file, problems, warnings, raise_errors, vintage, resolver)
    if len(frame) == 0:
        problems.append(Problem.make(file, None, None, "no_rows"))
        return _finish(system, file, problems, warnings, raise_errors, vintage, resolver)

    # Rows that name a unit but hold no value (a template's rows left blank): not evaluated.
    value_cols = [col_of[nid] for nid in given]
    blank = np.ones(len(frame), dtype=bool)
    for h in value_cols:
        blank &= (frame[h].str.strip() == "").to_numpy()
    for pos, _column in formulas:
        blank[pos] = False
    active = [i for i in range(len(frame)) if not blank[i]] if value_cols else list(range(len(frame)))
    not_evaluated = [_not_evaluated(resolver, frame[key_col].iat[i], row_of[i])
                     for i in range(len(frame)) if value_cols and blank[i]]
    if not active:
        problems.append(Problem.make(file, None, None, "no_rows", msg="no_rows.no_values"))
        res = _finish(system, file, problems, warnings, raise_errors, vintage, resolver)
        res.not_evaluated = not_evaluated
        return res

    prov_col = next((h for h, r in roles.items() if r == "province"), None)
    keys = frame[key_col].iloc[active].tolist()
    provs = frame[prov_col].iloc[active].tolist() if prov_col else None
    codes, key_problems, key_warnings = resolver.resolve_column(
        keys, file=file, column=key_col, provinces=provs, rows=[row_of[i] for i in active])
    pos_of_row = {row_of[i]: i for i in active}
    for p in key_problems:  # a key that is a formula without a saved value says so
        formula = formulas.get((pos_of_row.get(p.row), key_col))
        problems.append(p if formula is None else Problem.make(
            file, p.row, key_col, "formula_no_value", {"formula": formula}))
    warnings += key_warnings

    # Duplicates: a direct match beats a former unit merged into it (莱芜 rows with 济南).
    historical = {i for i, w in enumerate(keys) if codes[i] and _is_historical(resolver, w)}
    first_row: dict[str, int] = {}
    keep = [False] * len(codes)
    order = sorted(range(len(codes)), key=lambda i: (i in historical, i))
    for i in order:
        c = codes[i]
        if c is None:
            continue
        row = row_of[active[i]]
        if c in first_row:
            name = resolver.resolve(c).name
            if i in historical:
                warnings.append(Notice.make(
                    "historical_duplicate", {"key": keys[i], "name": name, "code": c,
                                             "first_row": first_row[c]},
                    file=file, row=row, column=key_col))
            else:
                problems.append(Problem.make(file, row, key_col, "duplicate_unit",
                                             {"key": keys[i], "name": name, "code": c,
                                              "first_row": first_row[c]}))
            continue
        first_row[c] = row
        keep[i] = True

    idx = [active[i] for i in range(len(codes)) if keep[i]]  # frame positions kept
    index = pd.Index([codes[i] for i in range(len(codes)) if keep[i]], name="code")
    data = pd.DataFrame(index=index)
    flagged: dict[str, np.ndarray] = {}  # cells already reported (not a number, out of range)
    for nid in given:
        h = col_of[nid]
        node = system.nodes[nid]
        cells = frame[h].iloc[idx]
        vals, kinds = parse_cells(cells, decimal=decimal, percent_ok=is_percent_unit(node.unit))
        bad = (kinds != "").to_numpy().copy()
        for j in np.flatnonzero(bad):
            kind = kinds.iat[j]
            params = problem_params(kind, cells.iat[j], decimal)
            if kind == "percent_unit":
                params |= {"indicator": nid, "name": node.name}
            problems.append(Problem.make(file, row_of[idx[j]], h, kind, params))
        for j, pos in enumerate(idx):
            if (pos, h) in formulas:
                bad[j] = True
                problems.append(Problem.make(file, row_of[pos], h, "formula_no_value",
                                             {"formula": formulas[(pos, h)]}))
        lo, hi = _bounds(node, nid in system.leaves)
        out = (vals < lo - 1e-9) | (vals > hi + 1e-9)
        for j in np.flatnonzero(out):
            problems.append(Problem.make(file, row_of[idx[j]], h, "out_of_range",
                                         {"value": float(vals[j]), "lo": float(lo),
                                          "hi": float(hi), "indicator": nid,
                                          "name": node.name}))
        vals[out] = np.nan
        data[nid] = vals
        flagged[nid] = bad | out
    extra = pd.DataFrame(index=index)
    for h, role in roles.items():
        if role in EXTRA_HEADERS:
            ex = []
            for i in idx:
                text = frame.iat[i, frame.columns.get_loc(h)]
                try:
                    ex.append(parse_number(text, decimal=decimal))
                except ValueError as exc:
                    problems.append(Problem.make(file, row_of[i], h, str(exc),
                                                 problem_params(str(exc), text, decimal)))
                    ex.append(None)
            extra[role] = pd.array(ex, dtype="Float64").astype(float)

    coverage = _coverage(system, data, given, resolver, col_of, len(not_evaluated))
    for kind, params in coverage.pop("_warnings"):
        warnings.append(Notice.make(kind, params, file=file))
    if vintage.date is not None:
        warnings.append(_vintage_notice(vintage, resolver))
    provinces = resolver.units.set_index("code")["province"]
    filled = 0
    raw = None
    if missing == "refuse":
        for nid in given:
            # a cell reported as not a number or out of range is not "missing" as well
            for j in np.flatnonzero(data[nid].isna().to_numpy() & ~flagged[nid]):
                problems.append(Problem.make(file, row_of[idx[j]], col_of[nid],
                                             "missing_value"))
    elif len(data):
        raw = data.copy()
        data, filled = apply_policy(missing, data, provinces)
        if filled:
            warnings.append(Notice.make("missing_filled", {
                "n": filled, "policy": missing, "policy_zh": term("policy", missing, "zh")},
                file=file))
    res = IngestResult(data=data, extra=extra, file=file, problems=problems, warnings=warnings,
                       coverage=coverage, synthetic=bool(synthetic),
                       rows={c: row_of[i] for c, i in zip(index, idx, strict=True)},
                       filled=filled, raw=raw if filled else None,
                       not_evaluated=not_evaluated, vintage=vintage, resolver=resolver)
    if raise_errors:
        res.raise_for_problems()
    return res


def _not_evaluated(resolver: UnitResolver, key, row: int) -> dict:
    try:
        code = resolver.resolve(key).code
    except DataError:
        code = None
    return {"row": row, "key": str(key), "code": code}


def _vintage_notice(vintage: Vintage, resolver: UnitResolver) -> Notice:
    """Which units of the chosen list differ from today's (莱芜 in, 那曲市 not yet)."""
    today = set(units_at(None)["code"])
    then = resolver.units.set_index("code")["name"]
    now = units_at(None).set_index("code")["name"]
    diff = [f"+{then[c]} ({c})" for c in sorted(set(then.index) - today)]
    diff += [f"−{now[c]} ({c})" for c in sorted(today - set(then.index))]
    basis = vintage.basis
    return Notice.make("vintage_list", {
        "vintage": vintage.label, "basis_en": term("vintage_basis", basis, "en"),
        "basis_zh": term("vintage_basis", basis, "zh"), "n": len(diff),
        "units": ", ".join(diff[:12]) + (" ..." if len(diff) > 12 else "")})


def _is_historical(resolver: UnitResolver, key) -> bool:
    try:
        return resolver.resolve(key).method.startswith("historical")
    except DataError:
        return False


def _bounds(node, is_leaf: bool) -> tuple[float, float]:
    if node.deduction:
        return 0.0, math.inf
    if not is_leaf or node.method == "points":
        return 0.0, node.max_points
    return -math.inf, math.inf


def _coverage(system, data: pd.DataFrame, given, resolver, col_of, not_evaluated: int = 0) -> dict:
    """Share of cells present per indicator and per unit; universe coverage when defined."""
    warns: list[tuple[str, dict]] = []  # (kind, params) for scoring.messages
    present = data[given].notna() if len(given) else pd.DataFrame(index=data.index)
    ind = {nid: float(present[nid].mean()) if len(present) else 0.0 for nid in given}
    unit = present.mean(axis=1) if len(given) else pd.Series(dtype=float)
    low_ind = [nid for nid, c in ind.items() if c < COVERAGE_THRESHOLD]
    low_unit = [c for c, v in unit.items() if v < COVERAGE_THRESHOLD]
    if low_ind:
        warns.append(("coverage_indicators", {"items": ", ".join(
            f"{col_of[n]} {ind[n]:.0%}" for n in low_ind)}))
    if low_unit:
        warns.append(("coverage_units", {"n": len(low_unit), "codes": ", ".join(low_unit[:10])
                                         + (" ..." if len(low_unit) > 10 else "")}))
    out = {"indicators": ind, "units_low": low_unit, "indicators_low": low_ind,
           "threshold": COVERAGE_THRESHOLD, "n_units": int(len(data)),
           "not_evaluated": int(not_evaluated)}
    types = system.universe.get("types")
    if types:
        units = resolver.units
        universe = set(units.loc[units["type"].isin(types), "code"])
        inside = universe & set(data.index)
        outside = sorted(set(data.index) - universe)
        out["universe"] = {"size": len(universe), "present": len(inside),
                           "share": len(inside) / len(universe) if universe else None,
                           "outside": outside}
        if outside:
            warns.append(("outside_universe", {"n": len(outside), "system": system.id,
                                               "types": ", ".join(types),
                                               "codes": ", ".join(outside[:10])}))
        if not_evaluated:  # one notice: the rows left blank, and what that leaves
            warns.append(("not_evaluated.universe", {
                "n": not_evaluated, "present": len(inside), "size": len(universe)}))
        elif universe and len(inside) / len(universe) < COVERAGE_THRESHOLD:
            warns.append(("universe_coverage", {"present": len(inside), "size": len(universe),
                                                "share": len(inside) / len(universe)}))
    elif not_evaluated:
        warns.append(("not_evaluated", {"n": not_evaluated}))
    out["_warnings"] = warns
    return out


def _finish(system, file, problems, warnings, raise_errors, vintage=None,
            resolver=None) -> IngestResult:
    res = IngestResult(data=pd.DataFrame(index=pd.Index([], name="code")),
                       extra=pd.DataFrame(), file=file, problems=problems, warnings=warnings,
                       vintage=vintage or Vintage(None, "current"), resolver=resolver)
    if raise_errors:
        res.raise_for_problems()
    return res


__all__ = ["IngestResult", "ingest", "ingest_frame", "map_columns", "parse_number",
           "MISSING_TOKENS", "PREFECTURE_CITY_TYPES"]
