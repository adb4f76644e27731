"""Query parameters -> the context a map page (viewer or embed) renders.

Shared by ``/`` and ``/embed/<dataset>`` so both draw the same map: parameter checking,
classification, the folium map, legend, source note and the accessible summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityrank.errors import ParameterError
from cityrank.service import catalog, geometry
from cityrank.service.classes import ClassificationError, classify
from cityrank.service.webmap import build_map, legend
from cityrank.web import i18n

CLASSIFICATIONS = ("quantiles", "natural_breaks", "equal_interval", "published")


@dataclass
class MapParams:
    dataset: str
    indicator: str
    classification: str
    k: int
    lang: str
    dark: bool


def parse_params(site, args, dataset_id: str | None = None) -> MapParams:
    ds = site.dataset(dataset_id or args.get("dataset"))
    try:
        k = int(args.get("k", 5))
    except ValueError as exc:
        raise ParameterError(f"k must be an integer, got {args.get('k')!r}") from exc
    method = args.get("classification", "quantiles")
    if method not in CLASSIFICATIONS:
        raise ParameterError(f"unknown classification {method!r}; choose one of {', '.join(CLASSIFICATIONS)}")
    return MapParams(
        dataset=ds.id,
        indicator=catalog.check_indicator(ds, args.get("indicator")),
        classification=method,
        k=k,
        lang=i18n.norm_lang(args.get("lang")),
        dark=args.get("dark") in ("1", "true", "yes"),
    )


def source_note(ds, lang: str) -> str:
    note = f"{i18n.t('source', lang)}: {i18n.source_text(ds, lang)}"
    if ds.synthetic:
        note += " · " + i18n.t("synthetic_note", lang)
    return note


def finding(ds, indicator: str, lang: str, label: str) -> str:
    """One sentence for screen readers: the map's extremes, mean and regional pattern."""
    s = ds.scores().dropna(subset=[indicator])
    if s.empty:
        return ""
    name = "name"
    top = s.loc[s[indicator].idxmax()]
    bottom = s.loc[s[indicator].idxmin()]
    text = i18n.t("finding", lang, indicator=label, top=top[name], top_value=f"{top[indicator]:.1f}",
                  bottom=bottom[name], bottom_value=f"{bottom[indicator]:.1f}", n=len(s),
                  mean=f"{s[indicator].mean():.1f}")
    if "region" in s.columns and s["region"].notna().any():
        means = s.groupby("region")[indicator].mean().sort_values(ascending=False)
        parts = ("，" if lang == "zh" else ", ").join(f"{i18n.t(r, lang)} {v:.1f}" for r, v in means.items())
        text += " " + i18n.t("regional_finding", lang, parts=parts)
    return text


def map_context(site, p: MapParams, height: str = "100%", root: str = "") -> dict:
    """Everything ``_mapblock.html`` and the map pages show; ``root`` is the app's mount point."""
    ds = site.dataset(p.dataset)
    gdf = geometry.map_layer(site, ds.id)
    label = catalog.indicator_label(ds, p.indicator, p.lang)
    values = gdf.loc[gdf["display"] == "scored", p.indicator]
    try:
        classes = classify(values.to_numpy(dtype=float), p.classification, p.k,
                           catalog.published_bins(ds, p.indicator, p.classification))
    except ClassificationError as exc:
        raise ParameterError(str(exc)) from exc
    # Building the folium map is the slow part of a request; its output has no per-request
    # content (inline scripts are allowed by their hashes), so it is cached per parameter set.
    key = (p.indicator, p.classification, p.k, p.lang, p.dark, height, root)
    rendered = site.cache.get_or_build(ds.id, "map", key, lambda: build_map(
        gdf, p.indicator, classes, lang=p.lang, indicator_label=label, dark=p.dark,
        lines=geometry.scs_lines(site), height=height, root=root,
        province_names=geometry.province_names_en(site) if p.lang == "en" else None))
    scores = ds.scores().sort_values("rank")
    name_col = "name"
    table = [{"rank": int(r), "name": n, "code": c, "value": None if v != v else round(float(v), 1)}
             for r, n, c, v in zip(scores["rank"], scores[name_col], scores["code"], scores[p.indicator], strict=True)]
    return {
        "p": p, "ds": ds, "lang": p.lang, "indicator_label": label, "map": rendered,
        "legend": legend(classes, p.lang, set(gdf["display"])),
        "source_note": source_note(ds, p.lang), "finding": finding(ds, p.indicator, p.lang, label),
        "table": table, "indicators": catalog.indicators(ds), "datasets": _with(site.datasets(), ds),
        "classifications": CLASSIFICATIONS,
    }


def _with(datasets: list, ds) -> list:
    """The dataset choice includes the shown one (an upload is not in the catalog)."""
    return datasets if any(d.id == ds.id for d in datasets) else datasets + [ds]
