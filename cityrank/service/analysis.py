"""Spatial analysis reports of a dataset for the viewer: parameters, the report (JSON), its
maps and chart (PNG) and the page's context, all cached in ``site.cache`` under the dataset.

The computation is :func:`cityrank.geo.analysis.service.dataset_report` (the CLI's code
path); the page is the core's one report template (``geo.analysis.html``). Spatial weights
depend on the analysed units, not the value, so they are cached per dataset across values.
Query parameters: ``value`` (total or an indicator id), ``hub`` (6-digit code), ``x``
(regressor, repeatable), ``lang``. Values from the query are validated against the dataset.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from markupsafe import Markup

from cityrank.errors import DataError, NotFoundError
from cityrank.service import catalog, geometry
from cityrank.service.api import cache_control
from cityrank.service.response import IMAGE_CACHE, Result, representation
from cityrank.web import i18n

PERMUTATIONS = 499
"""Permutations for the interactive viewer (shown on the page). 499 gives pseudo p-values
down to 0.002, enough for the 5% and 1% maps, in about half the time of the CLI's 999."""
DRAWS = 1000
SEED = 12345
DEFAULT_HUB = "330100"  # Hangzhou: the reports' example of a city radiating to its neighbours
IMAGE_NAMES = ("lisa_clusters", "lisa_significance", "getis_ord", "zones", "hub_effects", "gradients")
_CODE = re.compile(r"^\d{6}$")


def params(site, dataset_id: str | None, args: dict):
    """Validated ``(dataset, value, hub, xs)`` from the URL and query (``x``: str or list)."""
    from cityrank.geo.analysis.service import analysable_columns

    ds = site.dataset(dataset_id)
    allowed = analysable_columns(ds)
    value = args.get("value", "total")
    if value not in allowed:
        raise NotFoundError(f"dataset {ds.id} has no indicator {value!r}")
    raw = args.get("x") or ()
    xs = tuple(x for x in ([raw] if isinstance(raw, str) else raw) if x)
    for x in xs:
        if x not in allowed or x == value:
            raise DataError(f"regressor {x!r} is not an indicator of {ds.id} (or is the value itself)")
    hub = args.get("hub", DEFAULT_HUB) or None
    if hub is not None and not _CODE.match(hub):
        raise DataError(f"hub must be a 6-digit code, got {hub!r}")
    return ds, value, hub, xs


def report(site, ds, value: str, hub: str | None, xs: tuple[str, ...]):
    """``(report, gdf)``, computed on a miss (seconds: PySAL, weights, SKATER)."""
    from cityrank.geo.analysis.service import dataset_report

    perms = int(site.analysis_permutations or PERMUTATIONS)
    draws = int(site.analysis_draws or DRAWS)
    return site.cache.get_or_build(ds.id, "analysis", (value, hub, xs, perms, draws), lambda: dataset_report(
        ds, value=value, x_columns=xs, hub=hub, permutations=perms, seed=SEED, draws=draws,
        weights_cache=site.cache.mapping(ds.id, "weights")))


def report_json(site, dataset_id: str | None, args: dict) -> dict:
    ds, value, hub, xs = params(site, dataset_id, args)
    return report(site, ds, value, hub, xs)[0]


def image(site, dataset_id: str, name: str, args: dict) -> Result:
    """One PNG, drawn when it is first requested (the page's six images are independent)."""
    from cityrank.service.png import RENDER_LOCK

    if name not in IMAGE_NAMES:
        raise NotFoundError(f"no analysis image {name!r}; available: {', '.join(IMAGE_NAMES)}")
    ds, value, hub, xs = params(site, dataset_id, args)
    lang = i18n.norm_lang(args.get("lang"))

    def make() -> Result | None:
        from cityrank.geo.analysis.html import report_images

        rep, gdf = report(site, ds, value, hub, xs)
        with RENDER_LOCK:
            png = report_images(rep, gdf, id_column="code", only={name}, lang=lang).get(name)
        return None if png is None else representation(png, "image/png",
                                                       cache_control=cache_control(ds.id, IMAGE_CACHE))

    result = site.cache.get_or_build(ds.id, "analysis_png", (value, hub, xs, name, lang), make)
    if result is None:
        raise NotFoundError(f"image {name!r} is not available for this report (e.g. no hub or regressor)")
    return result


def _query(value: str, hub: str | None, xs) -> list[tuple[str, str]]:
    return [("value", value), ("hub", hub or ""), *(("x", x) for x in xs)]


def page_context(site, dataset_id: str | None, args: dict, root: str = "") -> dict:
    """The viewer page: the core template's context plus the form's choices and links."""
    from cityrank.geo.analysis.html import report_context
    from cityrank.geo.analysis.service import analysable_columns
    from cityrank.service.cities import display_name

    ds, value, hub, xs = params(site, dataset_id, args)
    rep, _ = report(site, ds, value, hub, xs)
    lang = i18n.norm_lang(args.get("lang"))
    q = _query(value, hub, xs)
    img_q = urlencode([("lang", lang), *q])
    images = {name: f"{root}/analysis/{ds.id}/{name}.png?{img_q}" for name in IMAGE_NAMES}
    labels = catalog.indicator_labels(ds, lang)
    levels = {"total": 0} | {nid: n.level for nid, n in ds.system.nodes.items()}

    def unit(code, name) -> Markup:
        href = f"{root}/city/{code}?" + urlencode({"dataset": ds.id, "lang": lang})
        return Markup('<a href="{}">{}</a>').format(href, display_name(site, code, name, lang))

    def province(name) -> str:
        return geometry.province_name(site, name, lang)

    return report_context(rep, lang, images, unit, province) | {
        "ds": ds, "value": value, "hub": hub, "xs": xs, "labels": labels,
        "columns": [(c, labels.get(c, c), levels.get(c, 0)) for c in analysable_columns(ds)],
        "json_url": f"{root}/api/v1/datasets/{ds.id}/analysis?{urlencode(q)}",
        "layout": "base.html",
    }
