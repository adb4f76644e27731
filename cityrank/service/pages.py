"""Query parameters -> the context of a map page (viewer, embed, region and cluster pages).

Shared by ``/``, ``/embed/<dataset>`` and the group pages so all draw the same map with the
same client: parameter checking (errors in the page's language), the client's config
(:func:`cityrank.service.mapclient.config`), the title, source note and the accessible
summary. Nothing here classifies or draws: the browser does (``classify.js``), so the first
page needs neither mapclassify nor matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityrank.errors import NotFoundError, ParameterError
from cityrank.i18n import t
from cityrank.service import catalog, geometry, mapclient
from cityrank.service.classes import K_RANGE, METHODS
from cityrank.service.vendor import client_assets
from cityrank.web import i18n


@dataclass
class MapParams:
    dataset: str
    indicator: str
    classification: str
    k: int
    lang: str
    dark: bool | None  # None: follow the reader's prefers-color-scheme
    intervals: bool = False  # the map's rank-interval view (total only)

    def query(self) -> dict:
        """The parameters a permalink keeps (dataset goes in the path of embeds)."""
        q = {"indicator": self.indicator, "classification": self.classification, "k": self.k,
             "lang": self.lang}
        if self.intervals:
            q["intervals"] = 1
        return q


def parse_params(site, args, dataset_id: str | None = None) -> MapParams:
    """Check the map parameters; ParameterError / NotFoundError in the page's language."""
    lang = i18n.norm_lang(args.get("lang"))
    wanted = dataset_id or args.get("dataset")
    try:
        ds = site.dataset(wanted)
    except NotFoundError:
        raise NotFoundError(t("mapclient.error_dataset", lang, dataset=str(wanted))) from None
    try:
        k = int(args.get("k", 5))
    except ValueError:
        k = None
    if k not in K_RANGE:
        raise ParameterError(t("mapclient.error_k", lang, k=str(args.get("k")), low=K_RANGE.start,
                               high=K_RANGE.stop - 1))
    method = args.get("classification", "quantiles")
    if method not in METHODS:
        raise ParameterError(t("mapclient.error_classification", lang, value=method,
                               known=", ".join(i18n.t(m, lang) + f" ({m})" for m in METHODS)))
    indicator = args.get("indicator") or "total"
    offered = {i["id"] for i in mapclient.indicators(ds, lang)}
    if indicator not in offered:
        raise ParameterError(t("mapclient.error_indicator", lang, indicator=indicator,
                               dataset=i18n.plain_title(ds, lang)))
    if method == "published" and not mapclient.published_allowed(ds, indicator):
        raise ParameterError(t("mapclient.error_published", lang,
                               indicator=catalog.indicator_label(ds, indicator, lang)))
    flags = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
    dark = flags.get(str(args.get("dark", "")).lower())
    intervals = bool(flags.get(str(args.get("intervals", "")).lower())) and indicator == "total"
    return MapParams(dataset=ds.id, indicator=indicator, classification=method, k=k, lang=lang, dark=dark,
                     intervals=intervals)


def source_note(ds, lang: str) -> str:
    note = f"{i18n.t('source', lang)}: {i18n.source_text(ds, lang)}"
    if ds.synthetic:
        note += " · " + i18n.t("synthetic_note", lang)
    return note


def finding(ds, indicator: str, lang: str, label: str) -> str:
    """One sentence for screen readers: the map's extremes, mean and regional pattern (the
    client writes the same sentence, from the same catalogue strings, after a recolour)."""
    s = ds.scores().dropna(subset=[indicator])
    if s.empty:
        return ""
    top = s.loc[s[indicator].idxmax()]
    bottom = s.loc[s[indicator].idxmin()]
    text = i18n.t("finding", lang, indicator=label, top=top["name"], top_value=f"{top[indicator]:.1f}",
                  bottom=bottom["name"], bottom_value=f"{bottom[indicator]:.1f}", n=len(s),
                  mean=f"{s[indicator].mean():.1f}")
    if "region" in s.columns and s["region"].notna().any():
        means = s.groupby("region")[indicator].mean().sort_values(ascending=False)
        parts = ("，" if lang == "zh" else ", ").join(f"{i18n.t(r, lang)} {v:.1f}" for r, v in means.items())
        text += " " + i18n.t("regional_finding", lang, parts=parts)
    return text


def client_urls(site, p: MapParams, *, root: str, values_url: str, city_url: str | None,
                png_url: str | None, pdf_url: str | None, pinyin: bool = True) -> dict:
    """The URLs the client fetches and links (server pages; ``cityrank publish`` writes its own).
    ``names`` (the English names, :func:`geometry.names_file`) for English pages and, with
    ``pinyin``, for pages whose search finds a city by its pinyin (all but the embeds)."""
    names = geometry.names_file("en") if pinyin or p.lang == "en" else None
    return {"values": values_url, "topology": f"{root}/geo/{geometry.topology_name()}",
            "names": f"{root}/geo/{names[0]}" if names else None,
            "city": city_url, "png": png_url,
            "pdf": pdf_url}


def map_context(site, p: MapParams, *, mode: str, urls: dict, root: str = "", group: dict | None = None) -> dict:
    """Everything ``_mapblock.html`` and the map pages show; ``root`` is the app's mount point."""
    ds = site.dataset(p.dataset)
    label = catalog.indicator_label(ds, p.indicator, p.lang)
    cfg = mapclient.config(site, p, mode=mode, urls=urls, group=group)
    return {
        "p": p, "ds": ds, "lang": p.lang, "indicator_label": label, "mode": mode,
        "config_json": mapclient.config_json(cfg), "config": cfg,
        "source_note": source_note(ds, p.lang), "finding": finding(ds, p.indicator, p.lang, label),
        "indicators": cfg["indicators"], "datasets": _with(site.datasets(), ds),
        "classifications": METHODS, "k_range": K_RANGE,
        "assets": client_assets(root),
    }


def _with(datasets: list, ds) -> list:
    """The dataset choice includes the shown one (an upload is not in the catalog)."""
    return datasets if any(d.id == ds.id for d in datasets) else datasets + [ds]


def region_members(site, region_id: str) -> tuple[list[str], list[str]]:
    """(member codes, partial codes) of a region: the units of its provinces (none partial)."""
    from cityrank.geo.regions import load_regions

    spec = load_regions()["regions"].get(region_id)
    if spec is None:
        return [], []
    prefixes = {c[:2] for c in spec["provinces"]}
    return sorted(c for c in geometry.names_zh(site) if c[:2] in prefixes), []


def cluster_members(site, cluster_id: str) -> tuple[list[str], list[str]]:
    """(member codes, partial codes) of a city cluster (``config/clusters.yaml``)."""
    from cityrank.service.groups import cluster

    cl = cluster(site, cluster_id)
    return [m.code for m in cl.members], [m.code for m in cl.members if m.partial]
