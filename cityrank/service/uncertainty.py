"""Rank intervals on every surface: the ONE cached uncertainty analysis of a dataset.

Every surface that shows how firm a rank is -- the ranking page and its CSV/XLSX export, the
city page, the map's values (tooltip, data table, the interval toggle), the scores, city and
uncertainty APIs, the scored workbook and the cluster pages -- reads :func:`result`: the
Monte Carlo rank intervals and Sobol indices of :func:`cityrank.scoring.uncertainty.analyse`,
run on the table the dataset was scored from (``ds.raw()``, so uploads and added datasets get
them too), seeded, computed once per dataset revision and kept in ``site.cache`` (kind
``uncertainty``; dropped with the dataset). Nothing here runs per request.

The settings are the system's ``uncertainty:`` section (:class:`UncertaintyConfig`), with two
defaults of the web's own where the section is silent: :data:`RUNS` Monte Carlo runs and a
Sobol design of base :data:`SOBOL_BASE` (the city page says which choices move a rank most).
``bench/bench_rank_surfaces.py`` prints what they cost (the first request for a dataset waits
for them once; ``cityrank serve`` builds the default dataset's at start).
"""

from __future__ import annotations

from cityrank.errors import CityrankError
from cityrank.jsonsafe import jsonable
from cityrank.service.api import cache_control, dumps
from cityrank.service.response import Result, representation

RUNS = 1000
SOBOL_BASE = 256
LEVEL = 0.9  # the interval is the 5th-95th percentile of the replicate ranks
PER_UNIT = ("rank_median", "rank_p05", "rank_p95", "p_top10", "p_above_median", "tied",
            "tie_group", "tied_with", "overlaps", "overlap_with", "most_influential")
"""What the surfaces carry per unit beside its nominal rank (columns of ``result.ranks``;
``tied_with``/``overlap_with`` as lists of codes; ``p_top10`` is the probability of the top
``about()["top"]``, 10 unless the system's ``uncertainty.top`` says otherwise)."""


def config_for(system):
    """The web's :class:`~cityrank.scoring.uncertainty.UncertaintyConfig` for ``system``."""
    from cityrank.scoring.uncertainty import UncertaintyConfig

    mapping = dict(system.uncertainty or {})
    mapping.setdefault("runs", RUNS)
    mapping.setdefault("sobol_base", SOBOL_BASE)
    return UncertaintyConfig.from_mapping(mapping, where=f"{system.id}: uncertainty")


def result(site, ds):
    """The dataset's :class:`~cityrank.scoring.uncertainty.UncertaintyResult` (cached per
    revision), or None when it cannot be computed (gaps without a filling policy, a single
    indicator, a bad ``uncertainty:`` section): surfaces then say so, never guess."""
    from cityrank.scoring.uncertainty import analyse
    from cityrank.service.cities import resolver

    try:
        config = config_for(ds.system)
    except CityrankError:
        return None

    def build():
        raw, extra, _ = ds.raw()
        gaps = bool(raw.isna().to_numpy().any())
        try:
            res = analyse(ds.system, raw, config=config, missing=ds.missing if gaps else None,
                          units=resolver(site).units, synthetic=bool(ds.synthetic), extra=extra)
        except (CityrankError, ValueError):
            return False
        res.replicate_ranks = None  # runs x units: not needed once summarised
        res.scores = None
        return res

    out = site.cache.get_or_build(ds.id, "uncertainty", (int(getattr(ds, "revision", 0)),
                                                         config.key()), build)
    return out or None


def _codes(value) -> list[str]:
    return [c for c in str(value or "").split(",") if c]


def by_code(site, ds) -> dict[str, dict] | None:
    """``{code: {PER_UNIT fields}}`` (lists of codes for ``tied_with``/``overlap_with``), or
    None without intervals."""
    res = result(site, ds)
    if res is None:
        return None

    def build():
        out = {}
        top = f"p_top{res.config.top}"
        for rec in res.ranks.to_dict("records"):
            rec["p_top10"] = rec[top]
            item = jsonable({k: rec.get(k) for k in PER_UNIT})
            item["tied_with"] = _codes(rec.get("tied_with"))
            item["overlap_with"] = _codes(rec.get("overlap_with"))
            item["rank_p05"], item["rank_p95"] = int(rec["rank_p05"]), int(rec["rank_p95"])
            out[str(rec["code"])] = item
        return out

    return site.cache.get_or_build(ds.id, "uncertainty_units", res.key, build)


TABLE_FIELDS = ("tied", "tie_group", "tied_with", "rank_median", "rank_p05", "rank_p95",
                "p_top10", "p_above_median", "overlaps", "overlap_with")
"""The columns a table of ranks carries beside ``rank`` (ranking page and export, the scores
API in JSON and CSV), in this order."""


def table_columns(units: dict[str, dict], codes) -> dict[str, list]:
    """:data:`TABLE_FIELDS` as columns for the rows ``codes`` (lists of codes joined with
    commas, as the core's tables have them)."""
    import pandas as pd

    out = {}
    for col in TABLE_FIELDS:
        vals = [units.get(str(c), {}).get(col) for c in codes]
        out[col] = [",".join(v) if isinstance(v, list) else v for v in vals]
    out["tie_group"] = pd.array([pd.NA if v is None else v for v in out["tie_group"]], dtype="Int64")
    return out


def about(res) -> dict:
    """How the intervals were computed: runs, seed, level, the choices varied, top N."""
    return {"runs": res.config.runs, "seed": res.config.seed, "level": LEVEL,
            "top": res.config.top, "factors": list(res.factors),
            "sobol_base": res.config.sobol_base or None}


def factor_names(factors, lang: str) -> str:
    """The uncertain choices in words, joined in ``lang``."""
    from cityrank.i18n import t

    return ("、" if lang == "zh" else ", ").join(t(f"uncertainty.factor_{f}", lang) for f in factors)


def rank_cell(rank, tied: bool, lang: str) -> str:
    """A rank as a table shows it: ``7``, or ``并列第7`` / ``tied 7th`` when tied."""
    from cityrank.i18n import t
    from cityrank.scoring.uncertainty import ordinal_en

    return t("ranks.cell_tied", lang, rank=int(rank), rank_en=ordinal_en(rank)) if tied else str(int(rank))


def namer(site, scores, lang: str):
    """code -> the city's name in ``lang`` as plain text (pinyin on English pages), for
    sentences and titles that list tied or overlapping cities."""
    from cityrank.service import geometry

    zh = dict(zip(scores["code"].astype(str), scores["name"], strict=True))
    en = geometry.names_en(site) if lang == "en" else {}
    return lambda code: str(en.get(code) or zh.get(code) or code)


def unit(site, ds, code: str) -> dict | None:
    """One unit's interval, probabilities and Sobol indices (the city page and API), or None."""
    res = result(site, ds)
    units = by_code(site, ds)
    if res is None or not units or code not in units:
        return None
    out = dict(units[code])
    sobol = None
    if res.sensitivity is not None:
        rows = res.sensitivity[res.sensitivity["code"].astype(str) == code]
        sobol = jsonable([{"factor": r["factor"], "S1": r["S1"], "ST": r["ST"]}
                          for r in rows.to_dict("records")])
        sobol.sort(key=lambda s: -(s["ST"] if s["ST"] is not None else -1))
    return jsonable(out | {"sobol": sobol, "about": about(res)})


def payload(site, dataset_id: str) -> dict:
    """``/api/v1/datasets/<id>/uncertainty``: the analysis's JSON (``UncertaintyResult.to_json``)
    with the dataset, or ``available: false`` and why."""
    ds = site.dataset(dataset_id)
    res = result(site, ds)
    head = {"dataset": ds.id, "synthetic": bool(ds.synthetic), "level": LEVEL}
    if res is None:
        return head | {"available": False,
                       "reason": "rank intervals cannot be computed for this dataset (gaps "
                                 "without a filling policy, or too few indicators)"}
    body = res.to_json()
    body.pop("key", None)
    return head | {"available": True} | body


def document(site, dataset_id: str) -> Result:
    """:func:`payload` as a cached JSON ``Result`` (ETag, gzip once)."""
    ds = site.dataset(dataset_id)
    return site.cache.get_or_build(ds.id, "uncertainty_json", (), lambda: representation(
        dumps(payload(site, ds.id)), "application/json", cache_control=cache_control(ds.id)))
