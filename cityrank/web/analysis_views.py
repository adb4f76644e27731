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
from cityrank.geo.regions import UNCHECKED_NOTE
from cityrank.i18n import lookup

bp = Blueprint("analysis", __name__, template_folder="templates")

PERMUTATIONS = 499
"""Permutations for the interactive viewer (shown on the page). 499 gives pseudo p-values
down to 0.002, enough for the 5% and 1% maps, in about half the time of the CLI's 999."""
SEED = 12345
DEFAULT_HUB = "330100"  # Hangzhou: the reports' example of a city radiating to its neighbours
_CODE = re.compile(r"^\d{6}$")
_CACHE_SIZE = 16
_IMAGE_CACHE_SIZE = 6 * _CACHE_SIZE
_lock = threading.RLock()

IMAGE_NAMES = ("lisa_clusters", "lisa_significance", "getis_ord", "zones", "hub_effects", "gradients")

# key: (simplified Chinese, English). Read through ``tx(key)`` in the template, never as
# ``T.key``: Jinja resolves attributes before items, so ``T.update`` was dict.update.
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
    "hub": ("中心城市（代码）", "Hub city (code)"),
    "value": ("分析指标", "Indicator"),
    "regressor": ("解释变量", "Regressor"),
    "submit": ("更新", "Update"),
    "none": ("（无）", "(none)"),
    "permutations": ("置换次数", "permutations"),
    "permutation_note": ("本页使用 {n} 次置换计算伪 p 值（命令行 cityrank analyze 默认 999 次）。",
                         "Pseudo p-values on this page use {n} permutations (cityrank analyze defaults to 999)."),
    "pseudo_p": ("伪 p 值", "pseudo p"),
    "count": ("数量", "n"),
    "east_west": ("东西", "East-west"),
    "south_north": ("南北", "South-north"),
    "slope": ("每 10° 斜率", "slope / 10°"),
    "ci_ols": ("95% 置信区间（OLS）", "95% CI (OLS)"),
    "ci_hac": ("95% 置信区间（空间 HAC）", "95% CI (spatial HAC)"),
    "caveat": ("OLS 区间假定误差相互独立；得分存在空间自相关时区间偏窄（见上方 Moran's I）。"
               "空间 HAC 区间（Kelejian-Prucha，spreg）允许相邻单元的误差相关。", None),
    "mean": ("均值", "mean"),
    "score_rate": ("得分率 %", "score rate %"),
    "gap_pp": ("与全国差距（百分点）", "gap (pp)"),
    "ci95": ("95% 置信区间", "95% CI"),
    "cv": ("差异系数 %", "CV %"),
    "rate_cv": ("得分率 % / 差异系数 %", "score rate % / CV %"),
    "national": ("全国", "national"),
    "ratio": ("最高 / 最低", "highest / lowest"),
    "theil": ("泰尔指数 T {T} {Tci}；区域间占 {b}% {bci}；基尼系数 {G} {Gci}。",
              "Theil T {T} {Tci}; between regions {b}% {bci}; Gini {G} {Gci}."),
    "cluster": ("城市群", "cluster"),
    "cluster_unchecked": UNCHECKED_NOTE,
    "vs_national": ("与全国均值差", "vs national"),
    "vs_rest": ("与所在省其余城市差", "vs rest of provinces"),
    "per_100km": ("距核心每 100 公里", "per 100 km from core"),
    "model": ("空间{kind}模型（{est}），rho = {rho}", "Spatial {kind} model ({est}), rho = {rho}"),
    "lag": ("滞后", "lag"),
    "durbin": ("杜宾", "Durbin"),
    "impact": ("效应", "impact"),
    "estimate": ("估计值", "estimate"),
    "sd": ("标准差", "sd"),
    "interval": ("95% 区间", "95% interval"),
    "direct": ("直接", "direct"),
    "indirect": ("间接（溢出）", "indirect (spillover)"),
    "total": ("总", "total"),
    "weights_line": ("{method} · {crs} · 修正前 {n} 个连通分量。", "{method} · {crs} · {n} component(s) before fixing."),
    "island (no neighbours)": ("孤岛，无相邻单元", "island (no neighbours)"),
    "disconnected component": ("不连通的分区", "disconnected component"),
    "no_x": ("选择一个解释变量后，可估计空间滞后 / 杜宾模型及其直接、间接效应。",
             "Choose a regressor to fit the spatial lag / Durbin models and their direct and indirect impacts."),
    "alt_lisa": ("LISA 聚类图", "LISA cluster map"),
    "alt_sig": ("LISA 显著性图", "LISA significance map"),
    "alt_gi": ("Getis-Ord Gi* 热点图", "Getis-Ord Gi* map"),
    "alt_gradients": ("梯度图", "gradient chart"),
    "alt_zones": ("治理分区图", "governance zones map"),
    "alt_hub": ("中心城市影响图", "hub effect map"),
}


def _tx(lang: str):
    """``tx(key, **fmt)`` for the template: the string in ``lang`` (English falls back to Chinese
    only where no English text exists, e.g. a caveat the report already has in English)."""
    def tx(key: str, **fmt) -> str:
        return lookup(TEXT, key, lang, **fmt)

    return tx


def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "zh"


def _svc():
    return current_app.extensions["cityrank"]


def _params(dataset_id: str | None):
    """Validated (dataset, value, hub, x) from the URL and query string."""
    from cityrank.geo.analysis.service import analysable_columns

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
    """(report, gdf) from the per-app LRU cache, computing on a miss.

    The spatial weights are kept per dataset across values (they depend on the units, not
    on the value), so switching the indicator does not rebuild contiguity.
    """
    from cityrank.geo.analysis.service import dataset_report

    cache: OrderedDict = current_app.extensions.setdefault("cityrank_analysis", OrderedDict())
    weights: dict = current_app.extensions.setdefault("cityrank_analysis_weights", {})
    key = (ds.id, value, hub, xs)
    with _lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        perms = int(current_app.config.get("ANALYSIS_PERMUTATIONS", PERMUTATIONS))
        draws = int(current_app.config.get("ANALYSIS_DRAWS", 1000))
        result = dataset_report(ds, value=value, x_columns=xs, hub=hub, permutations=perms, seed=SEED, draws=draws,
                                weights_cache=weights.setdefault(ds.id, {}))
        cache[key] = result
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
        return result


def _image(ds, value, hub, xs, name: str) -> bytes | None:
    """One PNG, drawn when it is first requested (the page's six images are independent)."""
    cache: OrderedDict = current_app.extensions.setdefault("cityrank_analysis_png", OrderedDict())
    lang = _lang()
    key = (ds.id, value, hub, xs, name, lang)
    with _lock:
        if key not in cache:
            from cityrank.geo.analysis.html import report_images

            report, gdf = _report(ds, value, hub, xs)
            cache[key] = report_images(report, gdf, id_column="code", only={name}, lang=lang).get(name)
            while len(cache) > _IMAGE_CACHE_SIZE:
                cache.popitem(last=False)
        return cache[key]


def _labels(ds, lang: str) -> dict[str, str]:
    """Indicator id -> name in the page language (total and every node)."""
    from cityrank.web.i18n import label, t

    return {"total": t("total", lang)} | {nid: label(n, lang) for nid, n in ds.system.nodes.items()}


@bp.route("/analysis/")
@bp.route("/analysis/<dataset_id>")
def page(dataset_id: str | None = None):
    from cityrank.geo.analysis.findings import report_findings, sentence
    from cityrank.geo.analysis.service import analysable_columns

    ds, value, hub, xs = _params(dataset_id)
    report, _ = _report(ds, value, hub, xs)
    lang = _lang()
    q = {"value": value, "hub": hub or "", "x": list(xs)}
    images = {name: url_for("analysis.image", dataset_id=ds.id, name=name, lang=lang, **q)
              for name in IMAGE_NAMES}
    labels = _labels(ds, lang)
    levels = {"total": 0} | {nid: n.level for nid, n in ds.system.nodes.items()}
    return render_template(
        "analysis.html", report=report, ds=ds, lang=lang, tx=_tx(lang),
        images=images, value=value, hub=hub, xs=xs, labels=labels,
        columns=[(c, labels.get(c, c), levels.get(c, 0)) for c in analysable_columns(ds)],
        findings=report_findings(report, lang),
        distance_decay=sentence(report, "distance_decay", lang), hub_total=sentence(report, "hub", lang),
        json_url=url_for("analysis.report_json", dataset_id=ds.id, **q),
        clusters=[c for c in report["clusters"].get("clusters", []) if c.get("available")],
        regions=(report["disparity"].get("regions") or {}),
    )


@bp.route("/analysis/<dataset_id>/<name>.png")
def image(dataset_id: str, name: str):
    if name not in IMAGE_NAMES:
        raise NotFoundError(f"no analysis image {name!r}; available: {', '.join(IMAGE_NAMES)}")
    ds, value, hub, xs = _params(dataset_id)
    png = _image(ds, value, hub, xs, name)
    if png is None:
        raise NotFoundError(f"image {name!r} is not available for this report (e.g. no hub or regressor)")
    resp = Response(png, mimetype="image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


@bp.route("/api/v1/datasets/<dataset_id>/analysis")
def report_json(dataset_id: str):
    ds, value, hub, xs = _params(dataset_id)
    report, _ = _report(ds, value, hub, xs)
    return jsonify(report)
