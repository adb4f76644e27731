"""Regions (config/regions.yaml) and city clusters (config/clusters.yaml): their members'
means against the national ones, and the context of the groups, region, cluster and
cluster-comparison pages.

A cluster page is a planner's page: its hubs (the plan's central cities) are shown even when
they are outside the dataset's scored universe (北京 and 天津 in 京津冀, 上海 in the 2016 Yangtze
River Delta, 香港 and 澳门 in the Greater Bay Area), with their data when the dataset has it;
its members with their ranks and rank intervals (:func:`cityrank.service.uncertainty.by_code`,
the one cached analysis); its internal disparity and its
core-periphery profile (``geo.analysis.clusters``). :func:`compare_context` puts clusters (or a
cluster and the rest of its provinces) side by side per indicator with the gaps and their
bootstrap intervals.
"""

from __future__ import annotations

from cityrank.errors import NotFoundError, ParameterError
from cityrank.jsonsafe import num
from cityrank.service import uncertainty
from cityrank.service.catalog import indicator_label
from cityrank.web import i18n

SEED = 12345
BOOT = 999
REST = "rest:"
"""A comparison group ``rest:<cluster id>``: the scored cities of the cluster's provinces that
are not members (is the cluster above its own provinces, or just their richer half?)."""
MAX_COMPARED = 6


def regions() -> list[str]:
    """Region ids in the order of ``config/regions.yaml`` (East, Central, West, Northeast)."""
    from cityrank.geo.regions import load_regions

    return list(load_regions()["regions"])


def clusters(site) -> dict:
    from cityrank.geo.regions import load_clusters

    return site.cache.get_or_build(None, "clusters", (), load_clusters)


def member_code(member) -> str:
    return member.code if hasattr(member, "code") else member[0]


def clusters_of(site, code: str) -> dict[str, list[str]]:
    """Cluster id -> member codes, for every cluster ``code`` belongs to."""
    out = {}
    for cid, cl in clusters(site).items():
        members = [member_code(m) for m in cl.members]
        if code in members:
            out[cid] = members
    return out


def cluster(site, cluster_id: str):
    cl = clusters(site).get(cluster_id)
    if cl is None:
        known = ", ".join(clusters(site))
        raise NotFoundError(f"unknown cluster {cluster_id!r}; known: {known}", msg="errors.cluster_unknown",
                            params={"cluster": cluster_id, "known": known})
    return cl


def cluster_info(site, cluster_id: str) -> dict:
    cl = cluster(site, cluster_id)
    return {"id": cluster_id, "name": cl.name, "name_en": cl.name_en,
            "checked": bool(getattr(cl, "checked", False))}


def group_summary(site, dataset_id: str | None, codes: list[str] | None = None,
                  region: str | None = None) -> dict:
    """Count, means of the total and first-level indicators (vs national) and members."""
    ds = site.dataset(dataset_id)
    s = ds.scores()
    sub = s[s["region"] == region] if region else s[s["code"].isin(codes or [])]
    ids = [i for i in ["total"] + list(ds.system.first_level) if i in s.columns]
    return {
        "dataset": ds.id, "synthetic": bool(ds.synthetic), "count": int(len(sub)),
        "means": {i: num(sub[i].mean(), 4) for i in ids},
        "national_means": {i: num(s[i].mean(), 4) for i in ids},
        "members": sub[[c for c in ("code", "name", "province", "total", "rank") if c in sub.columns]
                       ].to_dict("records"),
    }


# -- page contexts --------------------------------------------------------------------------
def words(lang: str) -> dict[str, dict[str, str]]:
    """Labels the group pages pick by a value (plan level, tier, unit type), in ``lang``."""
    from cityrank.i18n import keys

    return {part: {k: i18n.t(f"group.{part}.{k}", lang) for k in keys(f"group.{part}")}
            for part in ("level", "tier", "unit_type")}


def groups_context(site, lang: str) -> dict:
    cls = clusters(site)
    return {"regions": regions(), "words": words(lang),
            "clusters": [(cid, i18n.label(c, lang)) for cid, c in cls.items()],
            "cluster_objs": cls,
            "unchecked_clusters": {cid for cid, c in cls.items() if not c.checked},
            "datasets": [(d.id, i18n.plain_title(d, lang)) for d in site.datasets()],
            "default_dataset": site.default_id}


def _group(site, dataset_id, lang, title, **sel) -> dict:
    ds = site.dataset(dataset_id)
    summary = group_summary(site, ds.id, **sel)
    labels = {nid: indicator_label(ds, nid, lang) for nid in ["total", *ds.system.first_level]}
    return {"ds": ds, "title": title, "summary": summary, "labels": labels}


def region_context(site, dataset_id, name: str, lang: str) -> dict:
    if name not in regions():
        known = ", ".join(regions())
        raise NotFoundError(f"unknown region {name!r}; known: {known}", msg="errors.region_unknown",
                            params={"region": name, "known": known})
    return _group(site, dataset_id, lang, i18n.t(name, lang), region=name) | {"cluster": None}


def _units():
    from cityrank.scoring.units import load_units

    return load_units().set_index("code")


def cluster_context(site, dataset_id, cluster_id: str, lang: str) -> dict:
    """The cluster page: hubs (in or out of the scored universe), members with ranks and rank
    intervals, internal disparity, the core-periphery profile."""
    cl = cluster(site, cluster_id)
    codes = [member_code(m) for m in cl.members]
    ctx = _group(site, dataset_id, lang, i18n.label(cl, lang), codes=codes)
    ds = ctx["ds"]
    ctx["cluster"] = cl
    ctx["words"] = words(lang)
    ctx.update(site.cache.get_or_build(ds.id, "cluster_page", (cluster_id,),
                                       lambda: _cluster_details(site, ds, cl)))
    return ctx


def _cluster_details(site, ds, cl) -> dict:
    import numpy as np
    import pandas as pd

    from cityrank.geo.analysis.clusters import core_periphery
    from cityrank.geo.analysis.disparity import inequality_indices
    from cityrank.scoring.summary import cv_percent

    scores = ds.scores().set_index("code")
    units = _units()
    intervals = uncertainty.by_code(site, ds) or {}
    universe = set(scores.index)

    def row(m) -> dict:
        code = m.code
        unit = units.loc[code] if code in units.index else None
        scored = code in universe
        rec = {"code": code, "name": m.name, "partial": m.partial, "tier": m.tier, "note": m.note,
               "name_en": str(unit["name_en"]) if unit is not None else m.name,
               "hub": code in cl.cores, "scored": scored,
               "type": str(unit["type"]) if unit is not None else "",
               "province": str(unit["province"]) if unit is not None else "",
               "total": num(scores.at[code, "total"]) if scored else None,
               "rank": int(scores.at[code, "rank"]) if scored and pd.notna(scores.at[code, "rank"]) else None}
        iv = intervals.get(code)
        if iv:
            rec.update({"rank_p05": int(iv["rank_p05"]), "rank_p95": int(iv["rank_p95"]),
                        "rank_median": num(iv["rank_median"])})
        return rec

    members = sorted((row(m) for m in cl.members),
                     key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    hubs = [r for r in members if r["hub"]]
    vals = np.array([r["total"] for r in members if r["total"] is not None], dtype=float)
    disparity = None
    if vals.size >= 2:
        ineq = inequality_indices(vals, np.zeros(vals.size, dtype=int), n_boot=BOOT, seed=SEED)
        best = max((r for r in members if r["total"] is not None), key=lambda r: r["total"])
        worst = min((r for r in members if r["total"] is not None), key=lambda r: r["total"])
        disparity = {"n": int(vals.size), "mean": num(vals.mean()), "cv_percent": num(cv_percent(vals)),
                     "max": best, "min": worst, "spread": num(best["total"] - worst["total"]),
                     "gini": ineq.get("gini"), "theil": ineq.get("theil")}
    frame = units.reset_index()[["code", "name", "lon", "lat"]].copy()
    frame["total"] = frame["code"].map(scores["total"]) if "total" in scores.columns else None
    profile = core_periphery(frame, "total", [r["code"] for r in members], list(cl.cores))
    tiers = []
    for tid, desc in cl.tiers:
        t_vals = np.array([r["total"] for r in members if r["tier"] == tid and r["total"] is not None])
        tiers.append({"id": tid, "description": desc, "n": int(sum(r["tier"] == tid for r in members)),
                      "scored": int(t_vals.size), "mean": num(t_vals.mean()) if t_vals.size else None})
    return {"members": members, "hubs": hubs, "disparity": disparity, "profile": profile,
            "tiers": tiers, "has_intervals": bool(intervals),
            "unscored": [r for r in members if not r["scored"]]}


def compare_context(site, dataset_id, selected: list[str], lang: str) -> dict:
    """Clusters side by side: means per indicator (total and first level), each group's gap to
    the first with a seeded bootstrap 95% interval. ``selected``: cluster ids, or
    ``rest:<cluster id>`` for the rest of a cluster's provinces."""
    from cityrank.geo.analysis.clusters import compare_groups

    ds = site.dataset(dataset_id)
    cls = clusters(site)
    selected = [s for s in dict.fromkeys(s.strip() for s in selected) if s]
    if len(selected) > MAX_COMPARED:
        raise ParameterError(f"compare at most {MAX_COMPARED} groups at a time, got {len(selected)}")
    scores = ds.scores()
    scores["code"] = scores["code"].astype(str)
    units = _units()
    groups, names = {}, {}
    for sel in selected:
        cid = sel[len(REST):] if sel.startswith(REST) else sel
        if cid not in cls:
            raise NotFoundError(f"unknown cluster {cid!r}; known: {', '.join(cls)}", msg="errors.cluster_unknown",
                                params={"cluster": cid, "known": ", ".join(cls)})
        members = [member_code(m) for m in cls[cid].members]
        if sel.startswith(REST):
            provinces = {units.at[c, "province_code"] for c in members if c in units.index}
            in_prov = units.index[units["province_code"].isin(provinces)]
            groups[sel] = [c for c in in_prov if c not in set(members)]
            names[sel] = i18n.t("group.rest_of", lang, name=i18n.label(cls[cid], lang))
        else:
            groups[sel] = members
            names[sel] = i18n.label(cls[cid], lang)
    columns = [c for c in ["total", *ds.system.first_level] if c in scores.columns]
    labels = {c: indicator_label(ds, c, lang) for c in columns}
    result = None
    if len(groups) >= 2:
        result = site.cache.get_or_build(ds.id, "cluster_compare", tuple(groups), lambda: compare_groups(
            scores, columns, groups, n_boot=BOOT, seed=SEED))
    options = [(cid, i18n.label(c, lang)) for cid, c in cls.items()]
    return {"ds": ds, "selected": selected, "names": names, "result": result, "columns": columns,
            "labels": labels, "options": options, "rest": REST,
            "unchecked": {cid for cid, c in cls.items() if not c.checked},
            "any_unchecked": any(not cls[s.removeprefix(REST)].checked for s in selected),
            "datasets": [(d.id, i18n.plain_title(d, lang)) for d in site.datasets()]}
