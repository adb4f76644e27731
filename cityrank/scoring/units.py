"""The one resolver from what people type (codes, names, old names) to today's 6-digit codes.

Spreadsheets name cities in many ways: ``330100``, ``156330100``, ``杭州``, ``杭州市``, ``杭州 市``,
``杭州市``, or in traditional characters; 2017 data still has 莱芜, merged into 济南 in 2019.
Every layer (ingestion, geo joins, the web API) resolves through :class:`UnitResolver` so they
agree on what a key means. Historical units map to today's unit *with a warning*, never
silently, because the merged unit's data now speaks for a larger territory.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from cityrank import paths
from cityrank.errors import ConfigError, NotFoundError, UnknownUnitError
from cityrank.i18n import t

from .messages import Notice, term
from .messages import render as render_message
from .problems import Problem

UNIT_COLUMNS = ("code", "name", "short_name", "name_en", "type", "province_code", "province",
                "region", "lon", "lat", "aliases")
PREFECTURE_CITY_TYPES = ("副省级市", "地级市")
"""The 293 sub-provincial and prefecture-level cities: the 2017 assessment's universe."""
PREFECTURE_LEVEL_TYPES = ("直辖市", "副省级市", "地级市", "自治州", "地区", "盟")
"""Every prefecture-level unit type with a region (not HK, Macao, Taiwan, county-level units)."""
SAR_TYPE = "特别行政区"
"""Type of Hong Kong and Macao (never styled as foreign territory, no region)."""
TAIWAN_CODE = "710000"
"""Taiwan Province: a province on every map, "台湾省资料暂缺" when it has no data."""
HMT_TYPES = (SAR_TYPE, "台湾省")
"""Types of Hong Kong, Macao and Taiwan: outside the evaluated universes."""
# Longest first, so 自治州 is stripped before 州.
_SUFFIXES = ("特别行政区", "土家族苗族自治州", "自治州", "地区", "林区", "市", "州", "盟", "区")
_CODE9 = re.compile(r"^156(\d{6})$")
_CODE6 = re.compile(r"^\d{6}$")


def load_units(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``config/admin_units.csv`` keeping codes as strings (leading zeros never occur, but
    float parsing of codes would turn ``330100`` into ``330100.0`` in joins)."""
    path = Path(path) if path else paths.ADMIN_UNITS_CSV
    if not path.exists():
        raise NotFoundError(f"{path}: admin units table not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in ("code", "name", "province") if c not in df.columns]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}")
    for col in ("lon", "lat"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    bad = df.loc[~df["code"].str.fullmatch(r"\d{6}"), "code"]
    if len(bad):
        raise ConfigError(f"{path}: code {bad.iloc[0]!r} (row {bad.index[0] + 2}) is not 6 digits")
    return df


def prefecture_cities(units: pd.DataFrame | None = None) -> pd.DataFrame:
    """The 293 prefecture-level cities (副省级市 + 地级市) that the 2017 assessment ranks."""
    units = load_units() if units is None else units
    return units[units["type"].isin(PREFECTURE_CITY_TYPES)].reset_index(drop=True)


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def normalise_name(text) -> str:
    """NFKC (full-width digits/brackets -> ASCII), drop all whitespace, traditional -> simplified."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s)
    return _t2s().convert(s) if s else s


def strip_suffix(name: str) -> str:
    """Drop one administrative type suffix (市, 地区, 州, 盟, 自治州 ...) if something remains."""
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)]
    return name


def normalise_code(text) -> str | None:
    """Return a 6-digit code for ``330100``, ``156330100``, ``330100.0`` or None if not a code."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".")[0]
    if _CODE6.match(s):
        return s
    m = _CODE9.match(s)
    return m.group(1) if m else None


@dataclass(frozen=True)
class UnitMatch:
    code: str
    name: str
    method: str  # code, code9, name, short_name, historical_code, historical_name
    warning: str | None = None  # English line; ``notice`` has its kind and parameters
    notice: Notice | None = None


def _unknown(msg: str, **params) -> UnknownUnitError:
    """An UnknownUnitError that also carries its catalogue key and parameters, so a problem
    built from it can be shown in Chinese."""
    exc = UnknownUnitError(render_message(msg, params, "en"))
    exc.msg, exc.params = msg, params  # type: ignore[attr-defined]
    return exc


def load_changes(path: str | Path | None = None) -> list[dict]:
    """Read ``config/admin_changes.yaml`` (:func:`scoring.vintage.load_changes`)."""
    from .vintage import load_changes as load

    return load(path)


class UnitResolver:
    """Resolve codes and names to today's units.

    >>> r = UnitResolver()                       # doctest: +SKIP
    >>> r.resolve("萊蕪").code, r.resolve("萊蕪").warning is not None  # doctest: +SKIP
    ('370100', True)
    """

    def __init__(self, units: pd.DataFrame | None = None, changes: list[dict] | None = None):
        self.units = load_units() if units is None else units
        self.changes = load_changes() if changes is None else changes
        self._by_code = {r.code: r for r in self.units.itertuples(index=False)}
        self._by_name: dict[str, list[str]] = {}
        self._by_short: dict[str, list[str]] = {}
        for r in self.units.itertuples(index=False):
            full = normalise_name(r.name)
            self._add(self._by_name, full, r.code)
            short = normalise_name(getattr(r, "short_name", "") or "") or strip_suffix(full)
            self._add(self._by_short, short, r.code)
            self._add(self._by_short, strip_suffix(full), r.code)
            # Other names people use (伊犁州, 博州): config/unit_names.yaml via the aliases column.
            for alias in str(getattr(r, "aliases", "") or "").split("|"):
                self._add(self._by_short, normalise_name(alias), r.code)
        self._old_code: dict[str, dict] = {}
        self._old_name: dict[str, list[dict]] = {}
        self._old_full: dict[str, list[dict]] = {}
        for ch in self.changes:
            if ch.get("old_code"):
                self._old_code[normalise_code(ch["old_code"]) or ch["old_code"]] = ch
            if ch.get("old_name"):
                old = normalise_name(ch["old_name"])
                self._old_full.setdefault(old, []).append(ch)
                for key in {old, strip_suffix(old)}:
                    self._old_name.setdefault(key, []).append(ch)

    @staticmethod
    def _add(index: dict, key: str, code: str) -> None:
        if key:
            lst = index.setdefault(key, [])
            if code not in lst:
                lst.append(code)

    def _province_filter(self, codes: list[str], province: str | None) -> list[str]:
        if not province or len(codes) <= 1:
            return codes
        p = normalise_name(province)
        pcode = normalise_code(p)
        keep = []
        for c in codes:
            r = self._by_code[c]
            names = {normalise_name(r.province), strip_suffix(normalise_name(r.province))}
            if p in names or strip_suffix(p) in names or pcode == getattr(r, "province_code", None):
                keep.append(c)
        return keep or codes

    def _match(self, code: str, method: str, notice: Notice | None = None) -> UnitMatch:
        return UnitMatch(code, self._by_code[code].name, method,
                         str(notice) if notice is not None else None, notice)

    def _historical(self, ch: dict, key: str, method: str) -> UnitMatch:
        new = ch["new_code"]
        kind = ch.get("kind") or "changed"
        if kind == "split":  # no single unit of this list speaks for it
            names = "、".join(f"{s['name']}（{s['code']}）" for s in ch.get("successors", []))
            raise _unknown("unknown_unit.split", key=key, old=ch.get("old_name") or key,
                           old_code=ch.get("old_code") or "?", date=str(ch.get("approved") or ""),
                           successors=names)
        if new not in self._by_code:
            raise _unknown("unknown_unit.bad_change", key=key, new_code=new)
        eff = ch.get("approved")
        src = ch.get("document") or ch.get("source")
        old = {lang: t("scoring.old_unit", lang, name=ch.get("old_name") or "",
                       code=ch.get("old_code") or "?").strip() for lang in ("en", "zh")}
        when = {lang: t("scoring.change_when", lang, date=eff) if eff else "" for lang in ("en", "zh")}
        source = {lang: t("scoring.change_source", lang, source=src) if src else ""
                  for lang in ("en", "zh")}
        params = {"key": key, "old": old["en"], "old_zh": old["zh"], "change": kind,
                  "date": str(eff or ""),
                  "change_zh": term("change", kind, "zh"),
                  "when_en": when["en"], "when_zh": when["zh"],
                  "new_name": self._by_code[new].name, "new_code": new,
                  "source_en": source["en"], "source_zh": source["zh"]}
        return self._match(new, method, Notice.make(
            "later_unit" if kind == "later" else "admin_change", params))

    def resolve(self, key, province: str | None = None) -> UnitMatch:
        """Map one code or name to today's unit; raise :class:`UnknownUnitError` if none fits."""
        raw = "" if key is None else str(key)
        code = normalise_code(raw)
        if code:
            method = "code9" if len(re.sub(r"\D", "", raw.split(".")[0])) == 9 else "code"
            if code in self._by_code:
                return self._match(code, method)
            if code in self._old_code:
                return self._historical(self._old_code[code], raw, "historical_code")
            raise _unknown("unknown_unit.code", key=raw)
        name = normalise_name(raw)
        if not name:
            raise _unknown("unknown_unit.empty")
        # Exact names first (today's, then former), then names with the suffix stripped, so
        # 那曲地区 is reported as the former 地区 rather than quietly read as 那曲市.
        stripped = strip_suffix(name)
        steps = ((self._by_name, name, "name"), (self._old_full, name, "historical_name"),
                 (self._by_short, name, "short_name"), (self._by_short, stripped, "short_name"),
                 (self._old_name, stripped, "historical_name"))
        for index, candidate, method in steps:
            found = index.get(candidate)
            if not found:
                continue
            if method == "historical_name":
                return self._historical(found[0], raw, method)
            codes = self._province_filter(found, province)
            if len(codes) > 1:
                names = ", ".join(f"{self._by_code[c].name} ({c})" for c in codes)
                raise _unknown("unknown_unit.ambiguous", key=raw, candidates=names)
            return self._match(codes[0], method)
        raise _unknown("unknown_unit", key=raw, normalised=name)

    def resolve_column(self, values, *, file: str = "", column: str = "",
                       first_row: int = 2, provinces=None, rows=None):
        """Resolve a column of keys; returns (codes with None for failures, problems, warnings).

        ``first_row`` is the spreadsheet row of ``values[0]`` (2 under a header row);
        ``rows`` gives each value's row instead (when blank rows were skipped).
        """
        codes: list[str | None] = []
        problems: list[Problem] = []
        warnings: list[Notice] = []
        provinces = list(provinces) if provinces is not None else None
        for i, v in enumerate(values):
            row = rows[i] if rows is not None else first_row + i
            prov = provinces[i] if provinces is not None else None
            if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "":
                codes.append(None)
                problems.append(Problem.make(file, row, column, "missing_key"))
                continue
            try:
                m = self.resolve(v, province=prov if isinstance(prov, str) and prov else None)
            except UnknownUnitError as exc:
                codes.append(None)
                problems.append(Problem(file, row, column, "unknown_unit", str(exc),
                                        params=dict(getattr(exc, "params", {})),
                                        msg=getattr(exc, "msg", None)))
                continue
            codes.append(m.code)
            if m.notice is not None:
                warnings.append(Notice.make(m.notice.kind, m.notice.params, file=file or None,
                                            row=row, column=column))
        return codes, problems, warnings
