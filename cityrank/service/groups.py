"""Regions (config/regions.yaml) and city clusters (config/clusters.yaml): their members'
means against the national ones, and the context of the groups, region and cluster pages."""

from __future__ import annotations

from cityrank.errors import NotFoundError
from cityrank.jsonsafe import num
from cityrank.service.catalog import indicator_label
from cityrank.web import i18n


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
        raise NotFoundError(f"unknown cluster {cluster_id!r}; known: {', '.join(clusters(site))}")
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
def groups_context(site, lang: str) -> dict:
    cls = clusters(site)
    return {"regions": regions(),
            "clusters": [(cid, i18n.label(c, lang)) for cid, c in cls.items()],
            "unchecked_clusters": {cid for cid, c in cls.items() if not c.checked}}


def _group(site, dataset_id, lang, title, **sel) -> dict:
    ds = site.dataset(dataset_id)
    summary = group_summary(site, ds.id, **sel)
    labels = {nid: indicator_label(ds, nid, lang) for nid in ["total", *ds.system.first_level]}
    return {"ds": ds, "title": title, "summary": summary, "labels": labels}


def region_context(site, dataset_id, name: str, lang: str) -> dict:
    if name not in regions():
        raise NotFoundError(f"unknown region {name!r}; known: {', '.join(regions())}")
    return _group(site, dataset_id, lang, i18n.t(name, lang), region=name) | {"cluster": None}


def cluster_context(site, dataset_id, cluster_id: str, lang: str) -> dict:
    cl = cluster(site, cluster_id)
    ctx = _group(site, dataset_id, lang, i18n.label(cl, lang),
                 codes=[member_code(m) for m in cl.members])
    ctx["cluster"] = cl
    return ctx
