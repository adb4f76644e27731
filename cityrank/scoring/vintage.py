"""Vintages of the city list: which units existed on a date.

A dataset is scored on the city list of its own year. The 2017 assessment ranked the 293
prefecture-level cities of the end-2016 list, with 莱芜 (merged into 济南 in 2019) and
without 那曲 (still a 地区 until its approval was made public in October 2017); scored on
today's list, a real 2017 file loses 莱芜's row and its figures cannot be reproduced.

The list at a date is ``config/admin_units.csv`` (today's) with every change of
``config/admin_changes.yaml`` approved after that date undone: units created by it are
removed and the former units put back with their old name and type (other attributes from
the successor that took their seat). A change counts from its approval (``approved``); the
inauguration date is recorded beside it where it differs.

The vintage of a dataset (:func:`choose`): an explicit ``vintage`` (a date, ``"current"``);
else its ``year``: a dataset of year *Y* is scored on the list of the end of *Y-1*, the list
in force when the year's evaluation began (the 2017 assessment's 293 are the end-2016 list);
else, from a sidecar ``<file>.meta.json`` (``vintage`` or ``year``); else today's list.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from cityrank import paths
from cityrank.errors import ConfigError, ParameterError

YEARS = (1990, 2100)  # a dataset's year is a four-digit year in this range


def parse_year(value) -> int | None:
    """A data year as people type it (``2017``, ``2017年``, full-width digits; ``""`` -> None),
    for the upload form and the CLI's ``--year``; anything else is refused."""
    import re
    import unicodedata

    if value is None or str(value).strip() == "":
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年")
    if not re.fullmatch(r"\d{4}", text) or not YEARS[0] <= int(text) <= YEARS[1]:
        raise ParameterError(f"year must be a four-digit year between {YEARS[0]} and "
                             f"{YEARS[1]}, got {value!r}")
    return int(text)


CURRENT = "current"
"""The vintage of today's list (admin_units.csv as shipped)."""
KINDS = ("merged", "upgraded", "renamed", "split", "created", "alias")
ONE_TO_ONE = ("upgraded", "renamed")
"""Kinds whose later name can be read back as the earlier unit (那曲市 on the 2016 list)."""
MIN_YEAR, MAX_YEAR = 1949, 2100


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def load_changes(path: str | Path | None = None) -> list[dict]:
    """Read ``config/admin_changes.yaml``: a list of change dicts, codes and names as strings,
    ``approved``/``inaugurated`` as :class:`datetime.date`, successors as given."""
    path = Path(path) if path else paths.CONFIG_DIR / "admin_changes.yaml"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    raw = doc.get("changes", []) if isinstance(doc, dict) else doc
    out = []
    for i, ch in enumerate(raw or []):
        where = f"{path}: change #{i + 1}"
        if not isinstance(ch, dict) or not ch.get("new_code"):
            raise ConfigError(f"{where} needs at least new_code")
        rec = {k: (v if k in ("successors", "checked") or v is None else str(v))
               for k, v in ch.items()}
        kind = rec.setdefault("kind", "changed")
        if kind not in KINDS and kind != "changed":
            raise ConfigError(f"{where}: unknown kind {kind!r} (known: {', '.join(KINDS)})")
        for key in ("approved", "inaugurated"):
            if rec.get(key):
                rec[key] = _date(rec[key], where)
        if kind != "alias" and not rec.get("approved"):
            raise ConfigError(f"{where}: a {kind} change needs its approval date (approved)")
        if kind != "created" and not rec.get("old_code"):
            raise ConfigError(f"{where}: a {kind} change needs old_code")
        if kind == "split":
            succ = rec.get("successors") or []
            shares = [float(s.get("share", "nan")) for s in succ]
            if len(succ) < 2 or not abs(sum(shares) - 1.0) < 0.01:
                raise ConfigError(f"{where}: a split needs two or more successors whose shares "
                                  f"add up to 1 (got {shares})")
            rec["successors"] = [{"code": str(s["code"]), "name": str(s.get("name", "")),
                                  "share": float(s["share"]),
                                  "counties": [str(c) for c in s.get("counties", [])]}
                                 for s in succ]
        elif kind == "created":
            rec["successors"] = []
        else:
            rec["successors"] = [{"code": rec["new_code"], "name": rec.get("new_name") or "",
                                  "share": 1.0, "counties": []}]
        rec["checked"] = bool(rec.get("checked", False))
        out.append(rec)
    return out


def parse_vintage(value) -> dt.date | None:
    """``None``/``"current"`` -> None (today's list); a date or ``YYYY-MM-DD`` -> that date;
    ParameterError otherwise."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", CURRENT)):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ParameterError(f"vintage must be a date (YYYY-MM-DD) or {CURRENT!r}, "
                             f"got {value!r}") from None


def vintage_of_year(year) -> dt.date:
    """The list a dataset of ``year`` is scored on: the end of the year before."""
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be a number, got {year!r}") from None
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ParameterError(f"year must be between {MIN_YEAR} and {MAX_YEAR}, got {y}")
    return dt.date(y - 1, 12, 31)


@dataclass(frozen=True)
class Vintage:
    """The list chosen for a dataset: ``date`` (None = today's) and how it was chosen."""

    date: dt.date | None
    basis: str  # "vintage", "year", "meta", "current"
    year: int | None = None

    @property
    def label(self) -> str:
        return self.date.isoformat() if self.date else CURRENT

    def to_dict(self) -> dict:
        return {"vintage": self.label, "basis": self.basis, "year": self.year}


def meta_of(path) -> dict:
    """The sidecar ``<name>.meta.json`` of a data file ({} when there is none)."""
    if path is None:
        return {}
    p = Path(path)
    meta = p.with_name(p.stem + ".meta.json")
    if not meta.is_file():
        return {}
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return {}
    return doc if isinstance(doc, dict) else {}


def choose(*, year=None, vintage=None, path=None) -> Vintage:
    """The vintage for a dataset (see the module docstring for the order)."""
    if vintage is not None:
        return Vintage(parse_vintage(vintage), "vintage", int(year) if year is not None else None)
    if year is not None:
        return Vintage(vintage_of_year(year), "year", int(year))
    meta = meta_of(path)
    if meta.get("vintage") is not None:
        return Vintage(parse_vintage(meta["vintage"]), "meta", meta.get("year"))
    if meta.get("year") is not None:
        return Vintage(vintage_of_year(meta["year"]), "meta", int(meta["year"]))
    return Vintage(None, "current")


def in_force(change: dict, date: dt.date | None) -> bool:
    """Whether ``change`` had been approved by the end of ``date`` (None: today, always)."""
    return date is None or change.get("kind") == "alias" or change["approved"] <= date


def units_at(date: dt.date | None, units: pd.DataFrame | None = None,
             changes: list[dict] | None = None) -> pd.DataFrame:
    """The unit table (columns of admin_units.csv) as it was at the end of ``date``."""
    from .units import load_units

    units = load_units() if units is None else units
    changes = load_changes() if changes is None else changes
    if date is None:
        return units
    later = sorted((c for c in changes if not in_force(c, date)), key=lambda c: c["approved"],
                   reverse=True)
    table = units.set_index("code", drop=False)
    for ch in later:  # undo the newest first
        old, new = ch.get("old_code"), ch["new_code"]
        seat = table.loc[new] if new in table.index else None
        if (ch["kind"] in ONE_TO_ONE and old != new or ch["kind"] == "created") and new in table.index:
            table = table.drop(index=new)
        if old and seat is not None:
            row = seat.copy()
            row["code"], row["name"] = old, ch.get("old_name") or row["name"]
            row["short_name"] = ""
            if ch.get("old_type"):
                row["type"] = ch["old_type"]
            if "name_en" in row.index:
                row["name_en"] = ch.get("old_name_en") or (
                    row["name_en"] if ch["kind"] == "upgraded" else "")
            table = table.drop(index=old, errors="ignore")
            table.loc[old] = row
    return table.reset_index(drop=True).sort_values("code", kind="stable").reset_index(drop=True)


def changes_at(date: dt.date | None, changes: list[dict]) -> list[dict]:
    """The changes a resolver at ``date`` applies: those in force then, plus the later
    one-to-one changes read backwards (a later name -> the unit of that date)."""
    if date is None:
        return list(changes)
    out = [c for c in changes if in_force(c, date)]
    for c in changes:
        if not in_force(c, date) and c["kind"] in ONE_TO_ONE and c.get("old_code"):
            out.append({**c, "old_code": c["new_code"] if c["new_code"] != c["old_code"] else None,
                        "old_name": c.get("new_name"), "new_code": c["old_code"],
                        "new_name": c.get("old_name"), "kind": "later", "successors": [
                            {"code": c["old_code"], "name": c.get("old_name") or "", "share": 1.0,
                             "counties": []}]})
    return out


@lru_cache(maxsize=16)
def _resolver_at(date: dt.date | None):
    from .units import UnitResolver

    changes = load_changes()
    return UnitResolver(units_at(date, changes=changes), changes_at(date, changes))


def resolver_at(date: dt.date | None, base=None):
    """The one resolver for the list of ``date`` (cached per date). ``base`` (a resolver
    built on today's tables, e.g. the web's cached one) is returned for today's list."""
    if date is None:
        return base if base is not None else _resolver_at(None)
    return _resolver_at(date)


def former_units(date: dt.date | None = None, changes: list[dict] | None = None) -> list[dict]:
    """Changes that took a unit off the list after ``date`` (all of them when None): the
    crosswalk from a former unit to today's (merged, upgraded, renamed with a new code, split)."""
    changes = load_changes() if changes is None else changes
    return [c for c in changes if c["kind"] not in ("alias", "later") and c.get("old_code")
            and (c["old_code"] != c["new_code"] or c["kind"] == "split")
            and (date is None or not in_force(c, date))]
