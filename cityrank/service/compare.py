"""Years compared, for the API (``/api/v1/compare?from=A&to=B``), the ``/change`` page and
``cityrank compare``: two comparable datasets (one indicator system) -> the change table, rank
mobility, σ/β-convergence and the regional gap over time (:mod:`cityrank.geo.analysis.change`).

Results are cached in ``site.cache`` under the ``from`` dataset with both revisions in the key,
so replacing or deleting either dataset never serves a stale comparison. The change map is the
one map client given another value column (``change`` or ``rank_change``) over the ``to``
dataset's layer (``/api/v1/compare/map``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cityrank.errors import ParameterError
from cityrank.service import catalog, geometry
from cityrank.web import i18n

VALUES = ("change", "rank_change")
DEFAULT_PERMUTATIONS = 499


@dataclass
class CompareParams:
    from_id: str
    to_id: str
    value: str
    lang: str
    k: int = 5
    dark: bool = False


def pair(site, args: dict):
    """The two datasets named by ``from`` and ``to`` (defaults: the oldest and the newest
    comparable year of the default dataset's system), checked to be comparable."""
    a_id, b_id = args.get("from"), args.get("to")
    if not a_id or not b_id:
        base = site.dataset(a_id or b_id)
        years = catalog.years(site, base)
        if len(years) < 2:
            raise ParameterError("name two datasets to compare: from=<id>&to=<id> "
                                 f"(dataset {base.id!r} has no other year)")
        a_id = a_id or (years[0]["id"] if years[0]["id"] != b_id else years[-2]["id"])
        b_id = b_id or (years[-1]["id"] if years[-1]["id"] != a_id else years[1]["id"])
    a, b = site.dataset(a_id), site.dataset(b_id)
    if a.id == b.id:
        raise ParameterError(f"from and to name the same dataset {a.id!r}")
    if not catalog.comparable(a, b):
        raise ParameterError(f"{a.id!r} ({a.system.id}) and {b.id!r} ({b.system.id}) are scored "
                             "on different indicator systems and cannot be compared")
    return a, b


def parse_params(site, args: dict) -> CompareParams:
    a, b = pair(site, args)
    value = args.get("value", "change")
    if value not in VALUES:
        raise ParameterError(f"unknown value {value!r}; choose one of {', '.join(VALUES)}")
    try:
        k = int(args.get("k", 5))
    except ValueError as exc:
        raise ParameterError(f"k must be an integer, got {args.get('k')!r}") from exc
    return CompareParams(a.id, b.id, value, i18n.norm_lang(args.get("lang")), k,
                         args.get("dark") in ("1", "true", "yes"))


def weights(site, codes: list[str]):
    """Queen contiguity over ``codes`` on the web layer (coverage-simplified: shared borders
    stay shared), islands attached to their nearest city and listed; cached per code set."""
    from cityrank.geo.analysis.weights import build_weights

    key = tuple(sorted(codes))

    def make():
        layer = geometry.layer(site, geometry.WEB_LAYER)
        sub = layer[layer["code"].isin(key)].reset_index(drop=True)
        return build_weights(sub, "queen", ids=list(sub["code"].astype(str)))

    return site.cache.get_or_build(None, "compare_weights", key, make)


def result(site, a, b):
    """The :class:`~cityrank.geo.analysis.change.ChangeResult` of ``a`` -> ``b`` (cached)."""
    from cityrank.geo.analysis.change import change_table, compare

    def make():
        sa, sb = a.scores(), b.scores()
        table, _, _ = change_table(sa, sb)
        sw = weights(site, list(table["code"])) if len(table) >= 3 else None
        if sw is not None and len(sw.ids) != len(table):
            sw = None  # cities without a polygon: no spatial statistics rather than wrong ones
        return compare(sa, sb, year_from=a.year, year_to=b.year,
                       total_max=catalog.total_max(b.system), weights=sw,
                       permutations=site.analysis_permutations or DEFAULT_PERMUTATIONS,
                       columns=tuple(b.system.first_level))

    return site.cache.get_or_build(a.id, "compare", (b.id, a.revision, b.revision), make)


def payload(site, args: dict) -> dict:
    """``/api/v1/compare``: the comparison as JSON (both languages' findings)."""
    a, b = pair(site, args)
    res = result(site, a, b)
    out = {"from": _info(a), "to": _info(b), "synthetic": bool(a.synthetic or b.synthetic),
           "system": b.system.id}
    out.update(res.to_json())
    return out


def _info(ds) -> dict:
    return {"id": ds.id, "title": ds.title, "title_en": ds.title_en, "year": ds.year,
            "synthetic": bool(ds.synthetic), "revision": int(ds.revision)}


class _Pair:
    """What the map block reads of a dataset, for the pair: the ``to`` dataset's title, and
    the simulated mark when either year is simulated."""

    def __init__(self, a, b):
        self._b = b
        self.synthetic = bool(a.synthetic or b.synthetic)

    def __getattr__(self, name):
        return getattr(self._b, name)


def value_label(p: CompareParams, a, b) -> str:
    return i18n.t(f"compare.value_{p.value}", p.lang, a=a.year or a.id, b=b.year or b.id)


def change_values(site, a, b, value: str) -> dict:
    """The map client's values payload of ``value`` (a column of the change table) over the
    ``to`` dataset's layer: cities scored in one year only are no data, not a change."""
    from cityrank.scoring.aggregate import rank_desc
    from cityrank.service import mapclient

    if value not in VALUES:
        raise ParameterError(f"unknown value {value!r}; choose one of {', '.join(VALUES)}")
    table = result(site, a, b).table
    rows = table.loc[table[value].notna(), ["code", "name", value]]
    return mapclient.payload_of(site, b, value, rows, rank_desc(rows[value]),
                                synthetic=bool(a.synthetic or b.synthetic))


def values(site, args: dict):
    """``/api/v1/compare/map?from=A&to=B&value=``: :func:`change_values`, cached with an ETag
    under both revisions."""
    from cityrank.service.api import cache_control, dumps
    from cityrank.service.response import representation

    a, b = pair(site, args)
    value = args.get("value", "change")
    return site.cache.get_or_build(a.id, "change_values", (b.id, a.revision, b.revision, value),
                                   lambda: representation(
                                       dumps(change_values(site, a, b, value)), "application/json",
                                       cache_control=cache_control(b.id)))


def map_context(site, p: CompareParams, a, b, res, root: str = "") -> dict:
    """The context of ``_mapblock.html``: the one map client over the ``to`` dataset's layer,
    given the change (or the rank change) as its values; switching between them fetches
    :func:`values` and recolours without a page load."""
    from urllib.parse import urlencode

    from cityrank.service import mapclient, pages
    from cityrank.service.vendor import client_assets

    mp = pages.MapParams(b.id, "total", "quantiles", p.k, p.lang, p.dark)
    query = urlencode({"from": a.id, "to": b.id})
    urls = pages.client_urls(site, mp, root=root, city_url=f"{root}/city/__CODE__?dataset={b.id}&lang={p.lang}",
                             values_url=f"{root}/api/v1/compare/map?{query}&value={{indicator}}",
                             png_url=None, pdf_url=None)
    cfg = mapclient.config(site, mp, mode="change", urls=urls)
    labels = {v: value_label(CompareParams(a.id, b.id, v, p.lang), a, b) for v in VALUES}
    cfg.update(indicator=p.value, classification="quantiles",
               indicators=[{"id": v, "label": labels[v], "level": 0, "published": False} for v in VALUES],
               values=change_values(site, a, b, p.value))
    cfg["dataset"]["synthetic"] = bool(a.synthetic or b.synthetic)
    note = f"{pages.source_note(a, p.lang)} | {pages.source_note(b, p.lang)}"
    return {"p": p, "ds": _Pair(a, b), "lang": p.lang, "indicator_label": labels[p.value],
            "mode": "change", "config": cfg, "config_json": mapclient.config_json(cfg),
            "source_note": note,
            "finding": res.findings[p.lang][0] if res.findings.get(p.lang) else "",
            "assets": client_assets(root)}


def page_context(site, args: dict, root: str = "") -> dict:
    """Everything ``change.html`` shows: selectors, findings, the change map, the tables."""
    p = parse_params(site, args)
    a, b = site.dataset(p.from_id), site.dataset(p.to_id)
    res = result(site, a, b)
    labels = catalog.indicator_labels(b, p.lang)
    return {"p": p, "a": a, "b": b, "stats": res.stats, "findings": res.findings[p.lang],
            "rows": res.table.to_dict(orient="records"), "years": catalog.years(site, b),
            "first_level": [(c, labels[c]) for c in b.system.first_level
                            if f"change_{c}" in res.table.columns],
            "ctx": map_context(site, p, a, b, res, root),
            "values": {v: value_label(CompareParams(a.id, b.id, v, p.lang), a, b) for v in VALUES},
            "synthetic": bool(a.synthetic or b.synthetic)}
