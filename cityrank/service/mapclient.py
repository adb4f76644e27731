"""What the map client (``web/static/map/cityrank-map.js``) is given: one config per page and
small JSON of values per dataset and indicator.

The browser draws the map itself: the geometry is one immutable file
(:func:`cityrank.service.geometry.topology_name`), the classes are computed in the browser
(``classify.js``, equal to ``geo.classify``), so changing the indicator, the classification or
the number of classes recolours the map without loading a page. The server's part:

* :func:`values` -- ``/api/v1/datasets/<id>/map?indicator=``: ``codes`` (by rank), ``values``,
  ``ranks`` of the indicator, the units with ``no_data``, ``names`` only where the dataset
  names a unit otherwise than the boundary layer, and for the total its rank ``intervals``
  (:func:`intervals`) and what the what-if weights need (:func:`whatif`); compact, cached,
  ETag'd;
* :func:`config` -- the page's configuration (embedded in the HTML as JSON, so the first view
  needs no extra request): dataset, indicator, classification, the indicators offered (with
  whether the published bins apply), colours, neutral styles, the client's strings in the page
  language (from the catalogue: no string lives in the JavaScript), URLs, the first values.

No string of data reaches HTML here: the client sets every name with ``textContent``.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np

from cityrank.i18n import keys as catalogue_keys
from cityrank.i18n import t
from cityrank.scoring.aggregate import rank_desc
from cityrank.scoring.bins import PUBLISHED_BINS, band_labels, published_bins_apply
from cityrank.scoring.units import TAIWAN_CODE
from cityrank.service import catalog, geometry
from cityrank.service.api import cache_control, dumps
from cityrank.service.classes import K_RANGE, METHODS, PALETTES, status_styles
from cityrank.service.response import Result, representation
from cityrank.web import i18n

# Strings of other domains the client shows (the map client's own are ``mapclient.*``).
WEB_KEYS = ("city", "province", "rank", "total", "source", "synthetic", "synthetic_note",
            "not_evaluated", "no_data", "hmt", "taiwan_no_data", "scs_hint", "data_table",
            "finding", "regional_finding", "map_of", *METHODS)


def strings(lang: str) -> dict[str, str]:
    """The client's words in ``lang``: ``mapclient.*``, the web keys above, region names and the
    inset's title."""
    out = {k: t(f"mapclient.{k}", lang) for k in catalogue_keys("mapclient") if not k.startswith("error_")}
    out |= {k: i18n.t(k, lang) for k in WEB_KEYS}
    out |= {f"region.{r}": i18n.t(r, lang) for r in _region_ids()}
    out["inset_title"] = t("map.inset_title", lang)
    out |= {k: t(f"ranks.{k}", lang) for k in catalogue_keys("ranks") if k.startswith("map_")}
    return out


STATUS_KEYS = ("not_evaluated", "no_data", "hmt")
"""Strings the client reads by a computed key (``S[status]``); ``region.*`` likewise."""


@cache
def client_keys() -> frozenset[str]:
    """The keys the client's modules read (``S.key`` in ``static/map/*.js``) and
    :data:`STATUS_KEYS`: an embed carries only these (no controls, no search)."""
    import re

    from cityrank.service.vendor import MAP_SOURCES

    src = "".join(p.read_text(encoding="utf-8") for p in sorted(MAP_SOURCES.glob("*.js")))
    return frozenset(re.findall(r"\bS\.(\w+)", src)) | frozenset(STATUS_KEYS)


def embed_strings(lang: str) -> dict[str, str]:
    """:func:`strings` without the words of the viewer's controls (:func:`client_keys`)."""
    keys = client_keys()
    return {k: v for k, v in strings(lang).items() if k in keys or k.startswith("region.")}


def _region_ids() -> tuple[str, ...]:
    from cityrank.geo.regions import region_ids

    return region_ids()


def province_regions() -> dict[str, str]:
    """Province code prefix (2 digits) -> region id (``config/regions.yaml``)."""
    from cityrank.geo.regions import load_regions

    return {code[:2]: rid for rid, spec in load_regions()["regions"].items() for code in spec["provinces"]}


def published_allowed(ds, indicator: str) -> bool:
    """The published bands exist for the 100-point total only."""
    return indicator == "total" and published_bins_apply(catalog.total_max(ds.system))


def indicators(ds, lang: str) -> list[dict]:
    """The indicators a map of ``ds`` offers: only those with scores; published bins flagged."""
    cols = set(ds.scores().columns)
    return [{"id": i["id"], "label": catalog.indicator_label(ds, i["id"], lang), "level": i["level"],
             "published": published_allowed(ds, i["id"])}
            for i in catalog.indicators(ds) if i["id"] in cols]


def values_payload(site, dataset_id: str, indicator: str) -> dict:
    """The values of one indicator for the map: ranks by :func:`scoring.aggregate.rank_desc`."""
    ds = site.dataset(dataset_id)
    indicator = catalog.check_indicator(ds, indicator)
    s = ds.scores()
    s = s[s[indicator].notna()]
    ranks = s["rank"].to_numpy() if indicator == "total" and "rank" in s.columns else rank_desc(s[indicator])
    out = payload_of(site, ds, indicator, s, ranks)
    out["whatif"] = whatif(ds.system, s, out["codes"]) if indicator == "total" else None
    return out


def payload_of(site, ds, indicator: str, s, ranks, *, synthetic: bool | None = None) -> dict:
    """The map client's values payload of the rows ``s`` (``code``, ``name``, ``indicator``;
    no missing value) ranked by ``ranks``, drawn over the layer of ``ds`` (its units without a
    value are ``no_data``). Shared by the dataset maps and the change map of two years."""
    order = np.lexsort((s["code"].astype(str).to_numpy(), np.asarray(ranks, dtype=float)))
    codes = [str(c) for c in s["code"].to_numpy()[order]]
    vals = [round(float(v), 2) for v in s[indicator].to_numpy()[order]]
    rks = [int(r) for r in np.asarray(ranks)[order]]
    units = geometry.names_zh(site)
    names = {c: str(n) for c, n in zip(s["code"].astype(str), s["name"], strict=True)
             if isinstance(n, str) and units.get(c) != n}
    joined = geometry.joined(site, ds.id)
    valued = set(codes)
    no_data = sorted(str(c) for c in joined.loc[joined["display"].isin(("no_data", "scored")), "code"]
                     if str(c) not in valued)
    hmt = sorted(str(c) for c in joined.loc[joined["display"] == "hmt", "code"])
    return {"dataset": ds.id, "indicator": indicator,
            "synthetic": bool(ds.synthetic if synthetic is None else synthetic),
            "n": len(codes), "codes": codes, "values": vals, "ranks": rks, "no_data": no_data, "hmt": hmt,
            "names": names, "intervals": intervals(site, ds, codes) if indicator == "total" else None}


def intervals(site, ds, codes: list[str]) -> dict | None:
    """The total's rank intervals beside ``codes`` (:mod:`cityrank.service.uncertainty`, the
    one cached analysis): ``p05``, ``p95``, ``median``, ``tied`` (0/1), ``p_top`` per code,
    and ``top``, ``runs``, ``seed``, ``level``; None without intervals. The client's tooltip,
    data table and interval view read them; values without them (e.g. what-if totals given to
    ``setValues``) show none."""
    from cityrank.service import uncertainty

    units = uncertainty.by_code(site, ds)
    res = uncertainty.result(site, ds)
    if not units or res is None or any(c not in units for c in codes):
        return None
    about = uncertainty.about(res)
    return {"p05": [units[c]["rank_p05"] for c in codes], "p95": [units[c]["rank_p95"] for c in codes],
            "median": [units[c]["rank_median"] for c in codes],
            "tied": [1 if units[c]["tied"] else 0 for c in codes],
            "p_top": [round(units[c]["p_top10"], 3) for c in codes],
            **{k: about[k] for k in ("top", "runs", "seed", "level")}}


# Aggregations whose total the browser can recompute from the first-level scores alone (Copeland
# compares every pair of units on every indicator: not from the first level).
WHATIF_AGGREGATIONS = ("arithmetic", "geometric")


def whatif(system, scores, codes: list[str]) -> dict | None:
    """What the map client's what-if weights (``static/map/whatif.js``) recompute the total
    from, aligned with ``codes``; None when the total cannot be recomputed from the first
    level (Copeland, or a first-level area not scored).

    A first-level area's published weight is the share of the total it was scored with
    (the flat weights of ``scores.attrs["weights"]`` summed under it, i.e. ``max / total_max``
    under the published weighting), in points of ``total_max``; its rate is its score over
    that weight. With the reader's weights ``w`` (renormalised to sum 1, as
    :func:`cityrank.scoring.weighting.compute_weights` does with ``user`` weights for the first
    level) the total is, as :func:`cityrank.scoring.aggregate.aggregate` computes it:
    arithmetic ``total_max * sum(w_f * rate_f)``, geometric ``total_max * exp(sum(w_f *
    log(e + (1 - e) * rate_f)))`` with the geometric offset ``e``; then the deduction items
    (``deductions``, never below zero: :func:`cityrank.scoring.aggregate.deduct`).
    """
    agg = scores.attrs.get("aggregation") or system.aggregation
    if agg not in WHATIF_AGGREGATIONS:
        return None
    ids = [f for f in system.first_level if not system.nodes[f].deduction]
    deductions = [f for f in system.first_level if system.nodes[f].deduction and f in scores.columns]
    if not ids or any(f not in scores.columns for f in ids):
        return None
    flat = {w["indicator"]: float(w["weight"]) for w in scores.attrs.get("weights") or []}
    share = dict.fromkeys(ids, 0.0)
    for g, w in flat.items():
        n = g
        while n is not None and system.nodes[n].parent is not None:
            n = system.nodes[n].parent
        if n in share:
            share[n] += w
    if not flat or sum(share.values()) <= 0:  # no record of the weights: the system's maxima
        share = {f: float(system.nodes[f].max_points) for f in ids}
    total = sum(share.values())
    total_max = catalog.total_max(system)
    weights = {f: total_max * share[f] / total for f in ids}
    if any(w <= 0 for w in weights.values()):
        return None
    rows = scores.set_index(scores["code"].astype(str)).loc[codes]

    def column(col):
        return [float(v) for v in np.round(np.nan_to_num(rows[col].to_numpy(dtype=float)), 10)]

    return {"ids": ids, "weights": [round(weights[f], 10) for f in ids], "total_max": total_max,
            "aggregation": agg, "offset": float(system.geometric_offset or 0.0),
            "points": [column(f) for f in ids], "deductions": [column(f) for f in deductions]}


def values(site, dataset_id: str, args: dict) -> Result:
    """``/api/v1/datasets/<id>/map?indicator=``: :func:`values_payload`, cached with an ETag."""
    ds = site.dataset(dataset_id)
    indicator = catalog.check_indicator(ds, args.get("indicator"))
    return site.cache.get_or_build(ds.id, "map_values", indicator, lambda: representation(
        dumps(values_payload(site, ds.id, indicator)), "application/json",
        cache_control=cache_control(ds.id)))


def scs_box() -> list[float]:
    """``[lon0, lat0, lon1, lat1]`` the inset shows (:data:`geo.extent.SOUTH_CHINA_SEA`, as the
    print map's and ``geo.inset``'s)."""
    from cityrank.geo.extent import SOUTH_CHINA_SEA as b

    return [b.lon_min, b.lat_min, b.lon_max, b.lat_max]


def config(site, p, *, mode: str, urls: dict, group: dict | None = None) -> dict:
    """The page's configuration for the map client (see the module docstring). An embed has no
    controls: it goes without the choices of the viewer's selectors."""
    ds = site.dataset(p.dataset)
    cfg = {
        "mode": mode, "lang": p.lang, "dark": p.dark,
        "dataset": {"id": ds.id, "title": i18n.plain_title(ds, p.lang), "synthetic": bool(ds.synthetic)},
        "indicator": p.indicator, "classification": p.classification, "k": p.k,
        # an embed shows one indicator (no control changes it): it carries that one's label only
        "indicators": [i for i in indicators(ds, p.lang) if mode != "embed" or i["id"] == p.indicator],
        "classifications": list(METHODS), "k_range": [K_RANGE.start, K_RANGE.stop - 1],
        "published": {"bins": list(PUBLISHED_BINS), "labels": list(band_labels(PUBLISHED_BINS, p.lang))},
        "palettes": {str(k): v for k, v in PALETTES.items()},
        "status": status_styles(),
        "regions": province_regions(),
        "taiwan": TAIWAN_CODE,
        "bounds": geometry.main_bounds(),
        "inset_box": geometry.inset_anchor(),
        "scs_box": scs_box(),
        "strings": embed_strings(p.lang) if mode == "embed" else strings(p.lang),
        "urls": urls,
        "values": values_payload(site, ds.id, p.indicator),
        "group": group,
        "intervals": bool(p.intervals),
    }
    if mode == "embed":
        del cfg["classifications"], cfg["k_range"]
        if p.classification != "published":
            del cfg["published"]
    return cfg


def config_json(cfg: dict) -> str:
    """The config as JSON safe inside ``<script type="application/json">``: ``<``, ``>`` and
    ``&`` escaped, so no data string can close the element."""
    text = json.dumps(cfg, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
