"""Join a scores table to boundaries: by code first, then through the one unit resolver.

Every unit of the layer comes back with a ``status``:

* ``scored`` -- a row of the table matched it and its value is present;
* ``no_data`` -- the unit is in the evaluation's universe but the table has nothing for it
  (or only an empty value);
* ``not_evaluated`` -- the unit is outside the universe (the 2017 assessment ranked only the
  293 副省级市/地级市, so municipalities, 自治州, HK, Macao and Taiwan are *not evaluated*,
  which a map must not confuse with "no data").

Rows of the table that match nothing are returned in ``unmatched`` with the reason; nothing is
dropped silently. Names, 9-digit codes, traditional characters and historical units (莱芜 ->
济南) go through :class:`scoring.units.UnitResolver`, the same resolver scoring ingestion
uses, so a file that scores also maps.

Former units (a 2017 file on its own year's list has 莱芜; a 2010 file has 巢湖) are drawn on
today's boundaries through an explicit crosswalk, ``config/admin_changes.yaml`` read by
:mod:`scoring.vintage`, and every one of them is reported in ``JoinResult.former`` with what
happened to it (nothing is dropped silently):

* merged, upgraded or renamed to a new code (莱芜 -> 济南, 那曲地区 -> 那曲市): when the
  successor has no row of its own, the former unit's row is drawn on the successor's polygon
  (``drawn_on_successor``); when it has one, the successor keeps its own value and the former
  unit is noted on its polygon with its value (``noted_on_successor``). Averaging two
  composite scores has no defensible meaning (the weights would be population, area or
  nothing, and each answer changes the ranking), so we never aggregate;
* split (巢湖 -> 合肥/芜湖/马鞍山, 2011): a composite score cannot be divided, so the former
  unit is drawn on none of its successors; each successor's polygon carries a note with the
  former unit's value and the share of it that went there (``split_noted``; shares and what
  they measure are in the config).

The notes are in ``gdf["former_note"]`` (Chinese) and ``gdf["former_note_en"]``.

Other conflicts -- two rows naming the same unit of today -- are an error by default
(:class:`~cityrank.errors.DataError` naming both rows). The caller may choose
``on_conflict="prefer_current"``: the row that names today's unit wins and the other row goes
to ``unmatched`` with the reason, and a warning says so.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from cityrank.errors import ConfigError, DataError, UnknownUnitError
from cityrank.scoring import columns
from cityrank.scoring.units import PREFECTURE_CITY_TYPES, UnitResolver, normalise_code

BUILTIN_LAYERS = ("prefecture", "prefecture_web")
DEFAULT_UNIVERSE = PREFECTURE_CITY_TYPES  # the 293-city universe of the 2017 assessment
STATUSES = ("scored", "no_data", "not_evaluated")
FORMER_COLUMNS = ("source_row", "code", "name", "kind", "date", "successors", "shares", "value",
                  "action")
FORMER_ACTIONS = ("drawn_on_successor", "noted_on_successor", "split_noted")
# Methods meaning "the key names today's unit" (vs. a former one).
_CURRENT_METHODS = {"code", "code9", "id", "name", "short_name"}


@dataclass
class JoinResult:
    """Outcome of :func:`join_scores`.

    ``gdf``: every unit of the layer, score columns, ``status`` and ``match_method``.
    ``unmatched``: rows of the scores table that matched no unit, with ``source_row``
    (spreadsheet row, header = 1) and ``problem``. ``warnings``: human-readable notes
    (historical mappings, fallbacks, units without data).
    """

    gdf: gpd.GeoDataFrame
    unmatched: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    former: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(FORMER_COLUMNS)))
    """One row per former unit of the table: ``FORMER_COLUMNS`` (action: drawn_on_successor,
    noted_on_successor or split_noted)."""

    @property
    def counts(self) -> dict[str, int]:
        vc = self.gdf["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in STATUSES} | {"unmatched": len(self.unmatched)}

    def codes(self, status: str) -> list[str]:
        """Codes of the units with the given status (``no_data`` is the usual question)."""
        if status not in STATUSES:
            raise ConfigError(f"unknown status {status!r}; known: {', '.join(STATUSES)}")
        return self.gdf.loc[self.gdf["status"] == status, "code"].tolist()


def _resolver_for(layer_gdf: gpd.GeoDataFrame, builtin: bool) -> UnitResolver:
    if builtin:
        return _default_resolver()
    units = pd.DataFrame(
        {
            "code": layer_gdf["code"].astype(str).to_numpy(),
            "name": layer_gdf["name"].astype(str).to_numpy()
            if "name" in layer_gdf
            else layer_gdf["code"].astype(str).to_numpy(),
            "short_name": layer_gdf["short_name"].astype(str).to_numpy()
            if "short_name" in layer_gdf
            else [_user_short_name(n) for n in layer_gdf.get("name", layer_gdf["code"]).astype(str)],
            "province": layer_gdf["province"].astype(str).to_numpy()
            if "province" in layer_gdf
            else "",
            "province_code": layer_gdf["province_code"].astype(str).to_numpy()
            if "province_code" in layer_gdf
            else "",
        }
    )
    return UnitResolver(units=units)


# Suffixes of sub-prefecture units, so 新安 finds 新安街道 as 杭州 finds 杭州市.
_USER_SUFFIXES = ("街道办事处", "街道", "社区居委会", "社区", "自治县", "镇", "乡", "区", "县", "市")


def _user_short_name(name: str) -> str:
    from cityrank.scoring.units import normalise_name

    name = normalise_name(name)
    for suffix in _USER_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


_RESOLVER: UnitResolver | None = None


def _default_resolver() -> UnitResolver:
    global _RESOLVER
    if _RESOLVER is None:
        _RESOLVER = UnitResolver()
    return _RESOLVER


def _load(layer) -> tuple[gpd.GeoDataFrame, bool]:
    if isinstance(layer, gpd.GeoDataFrame):
        if "code" not in layer.columns:
            raise DataError(
                "boundary layer has no 'code' column; read it with "
                "cityrank.geo.user_boundaries.read_boundaries(path, id_column=...)"
            )
        gdf = layer.copy()
        gdf["code"] = gdf["code"].astype(str)
        dup = gdf["code"][gdf["code"].duplicated()]
        if len(dup):
            raise DataError(f"boundary layer has duplicate codes: {', '.join(dup.unique()[:10])}")
        return gdf, False
    from cityrank.geo.boundaries import load_layer

    return load_layer(layer), layer in BUILTIN_LAYERS


def _is_blank(value) -> bool:
    if value is None:
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        return False
    return str(value).strip() == ""


def _former_index() -> tuple[dict[str, dict], dict[str, dict]]:
    """Former units of the crosswalk by old code and by normalised old name (full and short)."""
    from cityrank.scoring.units import normalise_name, strip_suffix
    from cityrank.scoring.vintage import former_units

    by_code, by_name = {}, {}
    for ch in former_units():
        by_code[ch["old_code"]] = ch
        if ch.get("old_name"):
            name = normalise_name(ch["old_name"])
            by_name.setdefault(name, ch)
            by_name.setdefault(strip_suffix(name), ch)
    return by_code, by_name


def _former_of(key_code, key_name, index) -> tuple[dict, str] | None:
    """(change, method) when the row names a former unit (by code, else by name)."""
    from cityrank.scoring.units import normalise_name

    by_code, by_name = index
    if not _is_blank(key_code):
        code = normalise_code(unicodedata.normalize("NFKC", str(key_code)).strip())
        if code is not None:
            return (by_code[code], "historical_code") if code in by_code else None
    if not _is_blank(key_name):
        name = normalise_name(key_name)
        if name in by_name:
            return by_name[name], "historical_name"
    return None


def _former_note(ch: dict, value, share: float | None, lang: str) -> str:
    from cityrank.i18n import t
    from cityrank.scoring.messages import term

    shown = t("scoring.crosswalk_value", lang, value=f"{value:.1f}") if value is not None else t(
        "scoring.crosswalk_no_value", lang)
    params = {"name": ch.get("old_name") or "", "code": ch["old_code"], "date": str(ch["approved"]),
              "change": term("change", ch["kind"], lang), "value": shown}
    if share is not None:
        return t("scoring.crosswalk_split", lang, share=f"{share:.0%}",
                 measure=term("share_measure", ch.get("shares_measure") or "assumed", lang), **params)
    return t("scoring.crosswalk_merged", lang, **params)


def _crosswalk(former_rows, scores, value_column, keep, layer_codes, source) -> tuple[list, dict, list]:
    """Decide for each former unit: drawn on its successor, noted on it, or split-noted."""
    records, notes, warnings = [], {}, []
    for pos, ch, method in former_rows:
        raw = scores.iloc[pos][value_column] if value_column else None
        value = None if raw is None or _is_blank(raw) else float(raw)
        succ = [x for x in ch["successors"] if x["code"] in layer_codes]
        where = f"{source}, row {pos + 2}"
        if ch["kind"] == "split":
            action = "split_noted"
            for x in succ:
                notes.setdefault(x["code"], []).append((ch, value, x["share"]))
            warnings.append(f"{where}: {ch.get('old_name')} ({ch['old_code']}) was split on "
                            f"{ch['approved']} among " + ", ".join(
                                f"{x['name']} ({x['code']}, {x['share']:.0%})" for x in succ)
                            + "; a composite score cannot be divided, so it is noted on each "
                              "successor's polygon, not drawn")
        elif succ and succ[0]["code"] not in keep:
            action = "drawn_on_successor"
            keep[succ[0]["code"]] = (pos, method)
            notes.setdefault(succ[0]["code"], []).append((ch, value, None))
            warnings.append(f"{where}: {ch.get('old_name')} ({ch['old_code']}), {ch['kind']} on "
                            f"{ch['approved']}, is drawn on today's {succ[0]['name']} "
                            f"({succ[0]['code']}), which has no row of its own")
        else:
            action = "noted_on_successor"
            for x in succ[:1]:
                notes.setdefault(x["code"], []).append((ch, value, None))
            warnings.append(f"{where}: {ch.get('old_name')} ({ch['old_code']}), {ch['kind']} on "
                            f"{ch['approved']}, is noted on today's " + ", ".join(
                                f"{x['name']} ({x['code']})" for x in succ)
                            + ", which has its own row (its value is drawn)")
        records.append({"source_row": pos + 2, "code": ch["old_code"], "name": ch.get("old_name"),
                        "kind": ch["kind"], "date": str(ch["approved"]),
                        "successors": ";".join(x["code"] for x in ch["successors"]),
                        "shares": ";".join(f"{x['share']:.3f}" for x in ch["successors"]),
                        "value": value, "action": action})
    return records, notes, warnings


def _match_row(key_code, key_name, province, resolver, layer_codes):
    """Return (code, method, warning, problem) for one row."""
    problems = []
    if not _is_blank(key_code):
        text = unicodedata.normalize("NFKC", str(key_code)).strip()
        code = normalise_code(text)
        if code in layer_codes:
            return code, ("code9" if len(text) == 9 else "code"), None, None
        if text in layer_codes:  # user layers may use non-numeric ids (grids: "G0012")
            return text, "id", None, None
        try:
            m = resolver.resolve(text)
            if m.code in layer_codes:
                return m.code, m.method, m.warning, None
            problems.append(f"code {text!r} resolves to {m.code}, which is not in the layer")
        except UnknownUnitError as exc:
            problems.append(str(exc))
    if not _is_blank(key_name):
        text = unicodedata.normalize("NFKC", str(key_name)).strip()
        if text in layer_codes:  # an id typed into the name column
            return text, "id", None, None
        try:
            m = resolver.resolve(str(key_name), province=None if _is_blank(province) else str(province))
        except UnknownUnitError as exc:
            problems.append(str(exc))
        else:
            if m.code in layer_codes:
                warning = m.warning
                if problems:
                    note = f"{problems[0]}; matched by name {key_name!r} instead"
                    warning = f"{note}; {warning}" if warning else note
                return m.code, m.method, warning, None
            problems.append(f"name {key_name!r} resolves to {m.code}, which is not in the layer")
    if not problems:
        problems.append("no code or name given")
    return None, None, None, "; ".join(problems)


def join_scores(
    scores: pd.DataFrame,
    layer="prefecture",
    universe_types=DEFAULT_UNIVERSE,
    *,
    value_column: str | None = "total",
    key_column: str | None = None,
    name_column: str | None = None,
    province_column: str | None = None,
    on_conflict: str = "error",
    source: str = "<scores>",
) -> JoinResult:
    """Join a scores table to a boundary layer (a layer name or a user GeoDataFrame).

    ``universe_types`` applies when the layer has a ``type`` column (the built-in layers);
    ``None`` puts every unit in the universe. ``value_column``: a matched row whose value is
    empty counts as ``no_data`` (``None``: any matched row is ``scored``). ``source`` names
    the file in warnings and problems.
    """
    if on_conflict not in ("error", "prefer_current"):
        raise ConfigError(f"on_conflict must be 'error' or 'prefer_current', got {on_conflict!r}")
    if not isinstance(scores, pd.DataFrame):
        raise DataError(f"{source}: scores must be a table, got {type(scores).__name__}")
    layer_gdf, builtin = _load(layer)
    layer_codes = set(layer_gdf["code"])
    resolver = _resolver_for(layer_gdf, builtin)

    # the unit key: the one alias list of scoring.columns
    code_col = key_column or columns.find_column(scores.columns, columns.CODE)
    name_col = name_column or columns.find_column(scores.columns, columns.NAME)
    prov_col = province_column or columns.find_column(scores.columns, columns.PROVINCE)
    for label, col in (("key_column", key_column), ("name_column", name_column),
                       ("province_column", province_column)):
        if col is not None and col not in scores.columns:
            raise DataError(f"{source}: no column {col!r} ({label}); columns: {list(scores.columns)}")
    if code_col is None and name_col is None:
        raise DataError(
            f"{source}: no key column; expected one of {columns.CODE + columns.NAME}, "
            f"got {list(scores.columns)}"
        )
    if value_column is not None and value_column not in scores.columns:
        value_column = None

    warnings: list[str] = []
    rows = []  # (position, code, method)
    unmatched_pos: list[int] = []
    unmatched_problem: list[str] = []
    former_index = _former_index() if builtin else ({}, {})
    former_rows = []  # (position, change, method): through the crosswalk below
    for pos in range(len(scores)):
        rec = scores.iloc[pos]
        row_no = pos + 2
        former = _former_of(rec[code_col] if code_col else None, rec[name_col] if name_col else None,
                            former_index)
        if former is not None:
            former_rows.append((pos, *former))
            continue
        code, method, warning, problem = _match_row(
            rec[code_col] if code_col else None,
            rec[name_col] if name_col else None,
            rec[prov_col] if prov_col else None,
            resolver,
            layer_codes,
        )
        where = f"{source}, row {row_no}"
        if problem:
            unmatched_pos.append(pos)
            unmatched_problem.append(problem)
            continue
        if warning:
            warnings.append(f"{where}: {warning}")
        rows.append((pos, code, method))

    # Conflicts: several rows on one unit.
    by_code: dict[str, list[tuple[int, str]]] = {}
    for pos, code, method in rows:
        by_code.setdefault(code, []).append((pos, method))
    keep: dict[str, tuple[int, str]] = {}
    for code, hits in by_code.items():
        if len(hits) == 1:
            keep[code] = hits[0]
            continue
        current = [h for h in hits if h[1] in _CURRENT_METHODS]
        described = ", ".join(f"row {p + 2} ({m})" for p, m in hits)
        if on_conflict == "prefer_current" and len(current) == 1:
            keep[code] = current[0]
            for p, m in hits:
                if (p, m) != current[0]:
                    unmatched_pos.append(p)
                    unmatched_problem.append(
                        f"superseded: maps to {code} by {m}, and row {current[0][0] + 2} "
                        "names that unit directly (on_conflict='prefer_current')"
                    )
            warnings.append(
                f"{source}: {described} all map to {code}; kept row {current[0][0] + 2}"
            )
            continue
        raise DataError(
            f"{source}: {described} all map to unit {code}; a table may have one row per unit. "
            "Remove one of the rows or join with on_conflict='prefer_current'"
        )
    former_records, former_notes, former_warnings = _crosswalk(
        former_rows, scores, value_column, keep, layer_codes, source)
    warnings += former_warnings

    # Assemble the joined table: the layer's columns win over same-named score columns.
    positions = [p for p, _ in keep.values()]
    matched = scores.iloc[positions].copy()
    matched.insert(0, "__code", list(keep.keys()))
    matched["match_method"] = [m for _, m in keep.values()]
    drop = [c for c in matched.columns if c in layer_gdf.columns and c != "code"]
    drop += [c for c in (code_col, name_col) if c and c in matched.columns and c not in drop]
    matched = matched.drop(columns=[c for c in drop if c != "__code"])
    matched = matched.rename(columns={"__code": "code"})
    gdf = layer_gdf.merge(matched, on="code", how="left", validate="one_to_one")
    gdf = gpd.GeoDataFrame(gdf, geometry=layer_gdf.geometry.name, crs=layer_gdf.crs)

    has_row = gdf["match_method"].notna()
    has_value = has_row & (gdf[value_column].notna() if value_column else True)
    if universe_types is not None and "type" in gdf.columns:
        in_universe = gdf["type"].isin(list(universe_types))
    else:
        in_universe = pd.Series(True, index=gdf.index)
    status = pd.Series("not_evaluated", index=gdf.index, dtype=object)
    status[in_universe] = "no_data"
    status[has_value] = "scored"
    gdf["status"] = status

    outside = gdf[has_value & ~in_universe]
    if len(outside):
        names = ", ".join(f"{n} ({t})" for n, t in zip(outside["name"], outside["type"], strict=True))
        warnings.append(
            f"{source}: {len(outside)} scored unit(s) outside the universe {list(universe_types)}: {names}"
        )
    empty = gdf[has_row & ~has_value]
    if len(empty):
        warnings.append(
            f"{source}: {len(empty)} matched row(s) without a {value_column!r} value: "
            + ", ".join(empty["name"].astype(str).head(20))
        )
    no_data = gdf[gdf["status"] == "no_data"]
    if len(no_data):
        label = no_data["name"] if "name" in no_data else no_data["code"]
        warnings.append(
            f"{source}: {len(no_data)} unit(s) in the universe have no data: "
            + ", ".join(label.astype(str).head(30))
            + (" ..." if len(no_data) > 30 else "")
        )
    if unmatched_pos:
        warnings.append(f"{source}: {len(unmatched_pos)} row(s) matched no unit (see unmatched)")

    order = sorted(range(len(unmatched_pos)), key=lambda k: unmatched_pos[k])
    unmatched = scores.iloc[[unmatched_pos[k] for k in order]].copy()
    unmatched.insert(0, "source_row", [unmatched_pos[k] + 2 for k in order])
    unmatched["problem"] = [unmatched_problem[k] for k in order]
    unmatched = unmatched.reset_index(drop=True)

    gdf["former_note"] = [_notes(former_notes.get(c), "zh") for c in gdf["code"]]
    gdf["former_note_en"] = [_notes(former_notes.get(c), "en") for c in gdf["code"]]
    gdf.attrs = dict(getattr(scores, "attrs", {}) or {})
    gdf.attrs.setdefault("synthetic", False)
    former = pd.DataFrame(former_records, columns=list(FORMER_COLUMNS))
    return JoinResult(gdf=gdf, unmatched=unmatched, warnings=warnings, former=former)


def _notes(items, lang: str) -> str | None:
    if not items:
        return None
    sep = "；" if lang == "zh" else "; "
    return sep.join(_former_note(ch, value, share, lang) for ch, value, share in items)
