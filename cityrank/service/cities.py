"""One city: found by any code or name the ONE resolver accepts, with its scores, national,
regional and cluster means, its neighbours, and the context of the city page."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from cityrank.errors import NotFoundError, UnknownUnitError
from cityrank.jsonsafe import num
from cityrank.scoring.missing import imputed_by_code
from cityrank.service import covariates, geometry, groups, uncertainty
from cityrank.service.catalog import indicator_labels, total_max
from cityrank.web import i18n


def resolver(site):
    """The unit resolver (``scoring.units.UnitResolver``), built once per site."""
    from cityrank.scoring.units import UnitResolver

    return site.cache.get_or_build(None, "resolver", (), UnitResolver)


def resolve(site, key: str):
    """A code or name (杭州, 杭州市, 杭州市 in traditional characters, 156330100, historical
    371200) -> ``UnitMatch``; unknown -> NotFoundError."""
    try:
        return resolver(site).resolve(key)
    except UnknownUnitError as exc:
        raise NotFoundError(str(exc), msg="errors.city_unknown", params={"city": key}) from exc


def city(site, dataset_id: str | None, key: str) -> dict:
    """The city API's payload (``/api/v1/datasets/<id>/cities/<code>``)."""
    ds = site.dataset(dataset_id)
    match = resolve(site, key)
    code = match.code
    scores = ds.scores()
    row = scores[scores["code"] == code]
    if row.empty:
        units = geometry.layer(site)
        if code in set(units["code"]):
            raise NotFoundError(f"city {code} has no scores in dataset {ds.id!r}", msg="errors.city_not_scored",
                                params={"city": f"{match.name} ({code})", "dataset": ds.id})
        raise NotFoundError(f"unknown city code {code!r} (use the 6-digit administrative code)",
                            msg="errors.city_unknown", params={"city": key})
    r = row.iloc[0]
    ids = ["total"] + list(ds.system.nodes)
    ids = [i for i in ids if i in scores.columns]
    region = r.get("region")
    reg = scores[scores["region"] == region] if region else scores.iloc[0:0]
    member_of = groups.clusters_of(site, code)
    comparisons = []
    for nid in ids:
        item = {"id": nid, "value": num(r[nid], 4), "national_mean": num(scores[nid].mean(), 4),
                "regional_mean": num(reg[nid].mean(), 4) if len(reg) else None}
        for cid, members in member_of.items():
            sub = scores[scores["code"].isin(members)]
            item[f"cluster_mean:{cid}"] = num(sub[nid].mean(), 4) if len(sub) else None
        comparisons.append(item)
    return {
        "dataset": ds.id, "synthetic": bool(ds.synthetic), "code": code,
        "name": r["name"], "province": r.get("province"),
        "province_en": geometry.province_names_en(site).get(str(r.get("province"))), "region": region,
        "rank": int(r["rank"]), "total": num(r["total"], 4), "n_ranked": int(len(scores)),
        "scores": {nid: num(r[nid], 4) for nid in ids},
        "comparisons": comparisons, "clusters": list(member_of),
        # Unchecked memberships were compiled from plan summaries; clients must be able to say so.
        "cluster_info": [groups.cluster_info(site, cid) for cid in member_of],
        "neighbours": neighbours(site, ds.id, code),
        "resolved_from": key if key != code else None, "warning": match.warning,
        "uncertainty": uncertainty.unit(site, ds, code),
        # the values a missing-value policy filled for this city: indicator, method, value
        "imputed": imputed_by_code(scores).get(code, []),
        "profile": site.cache.get_or_build(ds.id, "city_profile", code, lambda: profile(
            ds, scores, code, region, member_of)),
        "covariates": covariates.of_city(ds, code),
    }


def profile(ds, scores, code: str, region, member_of: dict[str, list[str]]) -> dict:
    """Strengths and weaknesses (:func:`cityrank.scoring.profile.city_profile`): the city's
    rank on every indicator and the gap to the best of its region (``region:<id>``) and of
    each cluster it belongs to (``cluster:<id>``); member lists left out."""
    from cityrank.scoring.profile import city_profile

    scores = scores.copy(deep=False)
    scores.attrs = {}  # pandas deep-copies attrs on every operation: 100x slower here
    sel = {}
    if region:
        sel[f"region:{region}"] = scores.loc[scores["region"] == region, "code"].astype(str).tolist()
    for cid, members in member_of.items():
        sel[f"cluster:{cid}"] = members
    out = city_profile(scores, ds.system, code, sel)
    return {k: out[k] for k in ("strengths", "weaknesses", "indicators")} | {"groups": list(sel)}


def neighbours(site, dataset_id: str | None, code: str) -> list[dict]:
    gdf = geometry.joined(site, dataset_id)
    me = gdf[gdf["code"] == code]
    if me.empty:
        return []
    geom = me.geometry.iloc[0].buffer(0.01)
    near = gdf[gdf.geometry.intersects(geom) & (gdf["code"] != code)]
    return [{"code": c, "name": n, "total": num(t, 4), "rank": None if pd.isna(rk) else int(rk)}
            for c, n, t, rk in zip(near["code"], near["name"], near["total"], near["rank"], strict=True)]


def city_context(site, dataset_id: str | None, code: str, lang: str) -> dict:
    """The city page: scores with their labels, levels and maxima, cluster names."""
    ds = site.dataset(dataset_id)
    detail = city(site, ds.id, code)
    labels = indicator_labels(ds, lang)
    levels = {"total": 0} | {nid: n.level for nid, n in ds.system.nodes.items()}
    maxima = {"total": total_max(ds.system)}
    maxima.update({nid: n.max_points for nid, n in ds.system.nodes.items()})
    cls = groups.clusters(site)
    cluster_names = {cid: i18n.label(cls[cid], lang) if cid in cls else cid for cid in detail["clusters"]}
    unchecked = {cid for cid in detail["clusters"] if cid in cls and not cls[cid].checked}
    imputed = {c["indicator"]: c | {"method_label": i18n.t(f"terms.policy.{c['method']}", lang)}
               for c in detail["imputed"]}
    methods = sorted({c["method"] for c in detail["imputed"]})
    sep = "、" if lang == "zh" else ", "
    return {"ds": ds, "city": detail, "labels": labels, "levels": levels, "maxima": maxima,
            "cluster_names": cluster_names, "unchecked_clusters": unchecked, "imputed": imputed,
            "imputed_names": sep.join(labels.get(i, i) for i in imputed),
            "imputed_method": sep.join(i18n.t(f"terms.policy.{m}", lang) for m in methods),
            **firmness(site, ds, detail, labels, cluster_names, lang)}


def firmness(site, ds, detail: dict, labels: dict, cluster_names: dict, lang: str) -> dict:
    """The city page's rank sections in words: the rank (ties stated), its interval, P(top N),
    its tied and overlapping neighbours, the Sobol indices of the uncertain choices (largest
    total index first) and the strengths/weaknesses table (group names, best cities' names)."""
    from cityrank.scoring.uncertainty import ordinal_en, rank_label, ties

    scores = ds.scores()
    name = uncertainty.namer(site, scores, lang)
    sep = "、" if lang == "zh" else ", "
    unc = detail["uncertainty"]
    tie = ties(scores).set_axis(scores["code"].astype(str)).loc[detail["code"]]
    tied = bool(tie["tied"])
    out = {"rank_text": rank_label(detail["rank"], tied, lang) if tied else str(detail["rank"]),
           "rank_en": ordinal_en(detail["rank"]), "tied": tied,
           "tied_names": sep.join(name(c) for c in str(tie["tied_with"]).split(",") if c),
           "unc": unc, "overlap_names": "", "sobol": [], "factors": ""}
    if unc:
        out["overlap_names"] = sep.join(name(c) for c in unc["overlap_with"])
        out["factors"] = uncertainty.factor_names(unc["about"]["factors"], lang)
        out["sobol"] = [s | {"label": i18n.t(f"uncertainty.factor_{s['factor']}", lang)}
                        for s in unc["sobol"] or [] if s["ST"] is not None]
    prof = detail["profile"]
    group_names = {g: i18n.t(g.split(":", 1)[1], lang) if g.startswith("region:")
                   else cluster_names.get(g.split(":", 1)[1], g) for g in prof["groups"]}
    rows = []
    for ind in prof["indicators"]:
        gaps = []
        for g in prof["groups"]:
            gap = ind["gaps"].get(g) or {}
            best = gap.get("best_code") or ""
            gaps.append({"gap": gap.get("gap"), "best": name(best) if best else "",
                         "is_best": best == detail["code"] or gap.get("gap") == 0})
        rows.append({"id": ind["indicator"], "rank": ind["rank"], "n": ind["n"], "gaps": gaps})
    out["profile"] = {"strengths": prof["strengths"], "weaknesses": prof["weaknesses"],
                      "groups": [group_names[g] for g in prof["groups"]], "rows": rows,
                      "by_id": {r["id"]: r for r in rows}}
    return out


def display_name(site, code, name, lang: str) -> Markup:
    """A city's name for a page: in English the pinyin with the Chinese name beside it
    (readers abroad need both to match our tables with Chinese sources)."""
    en = geometry.names_en(site).get(str(code)) if lang == "en" else None
    if not en:
        return Markup("{}").format(name if name is not None else code)
    return Markup('{} <span class="cr-zh-name" lang="zh-CN">{}</span>').format(en, name)
