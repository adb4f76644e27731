"""Viewer pages for the spatial analysis report of a dataset (blueprint ``analysis``).

Routes (registered by ``web.app.create_app`` when this module exists):

* ``/analysis/`` and ``/analysis/<dataset>`` -- the report page: findings, Moran's I, LISA
  and Gi* maps, gradient chart, regional gaps, YRD/GBA and other clusters, spillover;
* ``/analysis/<dataset>/<name>.png`` -- the maps and the gradient chart;
* ``/api/v1/datasets/<dataset>/analysis`` -- the same report as JSON.

Query parameters: ``value`` (total or an indicator id), ``hub`` (6-digit code), ``x``
(regressor, repeatable), ``lang``. The computation lives in :mod:`geo.analysis.service`;
this module only parses, caches (reports take seconds, the page needs them many times) and
renders. Values from the query are validated against the dataset before use.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from cityrank.errors import DataError, NotFoundError

bp = Blueprint("analysis", __name__, template_folder="templates")

PERMUTATIONS = 999
SEED = 12345
DEFAULT_HUB = "330100"  # Hangzhou: the reports' example of a city radiating to its neighbours
_CODE = re.compile(r"^\d{6}$")
_CACHE_SIZE = 16
_lock = threading.RLock()

IMAGE_NAMES = ("lisa_clusters", "lisa_significance", "getis_ord", "zones", "hub_effects", "gradients")

TEXT = {
    "title": ("空间分析", "Spatial analysis"),
    "findings": ("主要发现", "Findings"),
    "moran": ("空间自相关（全局 Moran's I）", "Spatial autocorrelation (global Moran's I)"),
    "lisa": ("局部空间自相关（LISA）与热点", "Local autocorrelation (LISA) and hot spots"),
    "gradients": ("东西、南北梯度", "East-west and south-north gradients"),
    "regions": ("四大区域差异", "Regional disparity"),
    "clusters": ("城市群比较", "City clusters"),
    "zones": ("数据驱动的治理分区", "Data-driven governance zones"),
    "spillover": ("中心城市溢出效应", "Hub spillover"),
    "weights": ("空间权重", "Spatial weights"),
    "json": ("JSON 报告", "JSON report"),
    "hub": ("中心城市", "Hub city"),
    "value": ("分析指标", "Value"),
    "regressor": ("解释变量", "Regressor"),
    "update": ("更新", "Update"),
    "none": ("（无）", "(none)"),
}


def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "zh"


def _svc():
    return current_app.extensions["cityrank"]


def _params(dataset_id: str | None):
    """Validated (dataset, value, hub, x) from the URL and query string."""
    from geo.analysis.service import analysable_columns

    ds = _svc().dataset(dataset_id)
    allowed = analysable_columns(ds)
    value = request.args.get("value", "total")
    if value not in allowed:
        raise NotFoundError(f"dataset {ds.id} has no indicator {value!r}")
    xs = tuple(x for x in request.args.getlist("x") if x)
    for x in xs:
        if x not in allowed or x == value:
            raise DataError(f"regressor {x!r} is not an indicator of {ds.id} (or is the value itself)")
    hub = request.args.get("hub", DEFAULT_HUB) or None
    if hub is not None and not _CODE.match(hub):
        raise DataError(f"hub must be a 6-digit code, got {hub!r}")
    return ds, value, hub, xs


def _report(ds, value: str, hub: str | None, xs: tuple[str, ...]):
    """(report, gdf) from the per-app LRU cache, computing on a miss."""
    from geo.analysis.service import dataset_report

    cache: OrderedDict = current_app.extensions.setdefault("cityrank_analysis", OrderedDict())
    key = (ds.id, value, hub, xs)
    with _lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        perms = int(current_app.config.get("ANALYSIS_PERMUTATIONS", PERMUTATIONS))
        draws = int(current_app.config.get("ANALYSIS_DRAWS", 1000))
        result = dataset_report(ds, value=value, x_columns=xs, hub=hub, permutations=perms, seed=SEED, draws=draws)
        cache[key] = result
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
        return result


def _images(ds, value, hub, xs) -> dict[str, bytes]:
    cache: OrderedDict = current_app.extensions.setdefault("cityrank_analysis_png", OrderedDict())
    key = (ds.id, value, hub, xs)
    with _lock:
        if key not in cache:
            from geo.analysis.html import report_images

            report, gdf = _report(ds, value, hub, xs)
            cache[key] = report_images(report, gdf, id_column="code")
            while len(cache) > _CACHE_SIZE:
                cache.popitem(last=False)
        return cache[key]


@bp.route("/analysis/")
@bp.route("/analysis/<dataset_id>")
def page(dataset_id: str | None = None):
    ds, value, hub, xs = _params(dataset_id)
    report, _ = _report(ds, value, hub, xs)
    lang = _lang()
    q = {"value": value, "hub": hub or "", "x": list(xs)}
    images = {name: url_for("analysis.image", dataset_id=ds.id, name=name, **q) for name in IMAGE_NAMES}
    from geo.analysis.service import analysable_columns

    return render_template(
        "analysis.html", report=report, ds=ds, lang=lang, T={k: v[1 if lang == "en" else 0] for k, v in TEXT.items()},
        images=images, value=value, hub=hub, xs=xs, columns=analysable_columns(ds),
        json_url=url_for("analysis.report_json", dataset_id=ds.id, **q),
        clusters=[c for c in report["clusters"].get("clusters", []) if c.get("available")],
        regions=(report["disparity"].get("regions") or {}),
    )


@bp.route("/analysis/<dataset_id>/<name>.png")
def image(dataset_id: str, name: str):
    if name not in IMAGE_NAMES:
        raise NotFoundError(f"no analysis image {name!r}; available: {', '.join(IMAGE_NAMES)}")
    ds, value, hub, xs = _params(dataset_id)
    images = _images(ds, value, hub, xs)
    if name not in images:
        raise NotFoundError(f"image {name!r} is not available for this report (e.g. no hub or regressor)")
    resp = Response(images[name], mimetype="image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


@bp.route("/api/v1/datasets/<dataset_id>/analysis")
def report_json(dataset_id: str):
    ds, value, hub, xs = _params(dataset_id)
    report, _ = _report(ds, value, hub, xs)
    return jsonify(report)
