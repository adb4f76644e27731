"""The analysis report as HTML: ONE Jinja template (``templates/report.html``) for the CLI's
self-contained file (``cityrank analyze --html``) and the viewer's ``/analysis/<dataset>`` page.

The template extends a ``layout``: ``standalone.html`` here (inline CSS, maps and charts as data
URIs: policymakers open it on networks without CDN access and forward it by mail; no script,
no external asset), the viewer's ``base.html`` in ``cityrank.web`` (which adds its form through
the ``heading`` and ``controls`` blocks and links city names). Autoescaping is on: every string
from data or user input (city names, column names, file names) is escaped.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

from cityrank.atomic import write_text_atomic
from cityrank.geo.analysis.findings import report_findings, sentence
from cityrank.geo.regions import UNCHECKED_NOTE, region_names
from cityrank.i18n import lookup

LANGS = ("zh", "en")
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE = "report.html"
IMAGE_NAMES = ("lisa_clusters", "lisa_significance", "getis_ord", "zones", "hub_effects", "gradients")

# key: (simplified Chinese, English). Read through ``tx(key)`` in the template, never as
# ``T.key``: Jinja resolves attributes before items, so ``T.update`` was dict.update.
_TEXT = {
    "title": ("空间分析", "Spatial analysis"),
    "findings": ("主要发现", "Findings"),
    "moran": ("空间自相关（全局 Moran's I）", "Spatial autocorrelation (global Moran's I)"),
    "lisa": ("局部空间自相关（LISA）与热点", "Local autocorrelation (LISA) and hot spots"),
    "gradients": ("东西、南北梯度", "East-west and south-north gradients"),
    "regions": ("四大区域差异", "Regional disparity"),
    "provinces": ("省份", "Provinces"),
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
    "unit": ("单元", "unit"),
    "unit_id": ("代码", "id"),
    "unit_value": ("数值", "value"),
    "extremes": ("最高与最低的单元", "Highest and lowest units"),
    "all_units": ("全部单元", "Units"),
    "east_west": ("东西", "East-west"),
    "south_north": ("南北", "South-north"),
    "slope": ("每 10° 斜率", "slope / 10°"),
    "ci_ols": ("95% 置信区间（OLS）", "95% CI (OLS)"),
    "ci_hac": ("95% 置信区间（空间 HAC）", "95% CI (spatial HAC)"),
    "p_hac": ("p（空间 HAC）", "p (HAC)"),
    "caveat": ("OLS 区间假定误差相互独立；得分存在空间自相关时区间偏窄（见上方 Moran's I）。"
               "空间 HAC 区间（Kelejian-Prucha，spreg）允许相邻单元的误差相关。", None),
    "region": ("区域", "Region"),
    "province": ("省份", "Province"),
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
    "term": ("变量", "term"),
    "coef": ("系数", "coef"),
    "se": ("标准误", "se"),
    "impact": ("效应", "impact"),
    "estimate": ("估计值", "estimate"),
    "sd": ("标准差", "sd"),
    "interval": ("95% 区间", "95% interval"),
    "direct": ("直接", "direct"),
    "indirect": ("间接（溢出）", "indirect (spillover)"),
    "total": ("总", "total"),
    "draws_note": ("效应区间来自参数渐近分布的 {n} 次抽样（{r} 次因 rho 超出稳定范围被舍弃）。",
                   "Impact intervals from {n} draws of the asymptotic distribution ({r} rejected for rho "
                   "outside the stable range)."),
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
    "banner": ("模拟数据（SYNTHETIC DATA）：数值为演示用的模拟数据，不描述任何真实城市。",
               "SYNTHETIC DATA (模拟数据): values are simulated for demonstration and describe no real city."),
    "meta": ("分析单元 {a} / {n} 个；空间权重 {w}（{crs}）；{p} 次置换；随机种子 {seed}；生成于 {gen}，{sw}。",
             "{a} of {n} units analysed; weights {w} on {crs}; {p} permutations; seed {seed}; generated {gen} by {sw}."),
}


def _t(key: str, lang: str, **fmt) -> str:
    return lookup(_TEXT, key, lang, **fmt)


def translator(lang: str):
    """``tx(key, **fmt)`` for the template: the string in ``lang`` (English falls back to
    Chinese only where no English text exists, e.g. a caveat the report already has in English)."""
    def tx(key: str, **fmt) -> str:
        return _t(key, lang, **fmt)

    return tx


@cache
def environment():
    """The core's Jinja environment (autoescape on; undefined names are errors)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)


def _plain_unit(code, name) -> str:
    return str(name if name is not None else code)


def report_context(report: dict, lang: str = "zh", images: dict[str, str] | None = None,
                   unit=None, province=None) -> dict:
    """What ``report.html`` needs: the report, ``tx``, findings and sentences in ``lang``,
    region and indicator names, ``images`` (name -> ``src``: a data URI or a URL),
    ``unit(code, name)`` (how a unit is shown: plain text here, a link in the viewer) and
    ``province(name)`` (as in the report here; the viewer translates it on English pages)."""
    if lang not in LANGS:
        raise ValueError(f"render_html: unknown language {lang!r}; choose zh or en")
    from cityrank.geo.analysis.maps import indicator_name, lisa_label, text

    regions = report.get("disparity", {}).get("regions") or {}
    ranked = sorted(report["units"], key=lambda u: -(u["value"] if u["value"] is not None else float("-inf")))
    models = (report.get("spillover") or {}).get("models") or {}
    return {
        "report": report, "lang": lang, "tx": translator(lang),
        "title": report.get("title_zh") if lang == "zh" and report.get("title_zh") else report["title"],
        "findings": report_findings(report, lang),
        "distance_decay": sentence(report, "distance_decay", lang),
        "hub_total": sentence(report, "hub", lang),
        "regions": regions,
        "provinces": report.get("disparity", {}).get("provinces") or {},
        "clusters": [c for c in (report.get("clusters") or {}).get("clusters", []) if c.get("available")],
        "models": {k: m for k, m in models.items() if isinstance(m, dict) and m.get("available")},
        "models_reason": models.get("reason", "") if isinstance(models, dict) else "",
        "region_name": region_names(lang),
        "name": lambda col: indicator_name(report, col, lang),
        "units_shown": ranked if len(ranked) <= 50 else ranked[:10] + ranked[-10:],
        "units_all": len(ranked) <= 50,
        "images": dict(images or {}),
        "lisa": lambda u: lisa_label(u["lisa_cluster"], lang) if u.get("lisa_cluster") is not None else "–",
        "gi": lambda u: text(str(u["gi_label"]).replace(" ", "_"), lang)
        if u.get("gi_label") else "–",
        "unit": unit or _plain_unit,
        "province": province or str,
    }


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(report: dict, images: dict[str, bytes] | None = None, lang: str = "zh") -> str:
    """The report as one self-contained HTML string (maps/charts from ``images``: name -> PNG
    bytes, embedded as data URIs). ``lang`` (zh, the default, or en) selects the findings,
    headings and table labels."""
    ctx = report_context(report, lang, {k: data_uri(v) for k, v in (images or {}).items()})
    return environment().get_template(TEMPLATE).render(layout="standalone.html", **ctx)


def report_images(report: dict, gdf, *, id_column: str | None = None, lon: str = "lon",
                  lat: str = "lat", only=None, lang: str = "zh") -> dict[str, bytes]:
    """Maps of the report plus the gradient chart: {name: PNG bytes} (only those in ``only``);
    map titles and legends in ``lang``."""
    import pandas as pd

    from cityrank.geo.analysis.gradients import gradient_chart
    from cityrank.geo.analysis.maps import indicator_name, report_maps

    images = dict(report_maps(gdf, report, id_column=id_column, only=only, lang=lang))
    if (only is None or "gradients" in only) and report.get("gradients", {}).get("available"):
        vals = {u["id"]: u["value"] for u in report["units"]}
        key = id_column or ("code" if "code" in gdf.columns else None)
        ids = gdf[key].astype(str) if key else pd.Series([str(i) for i in gdf.index], index=gdf.index)
        name = report["value"] if report["value"] not in (lon, lat) else "value"
        frame = pd.DataFrame({name: ids.map(vals)})
        if lon in gdf.columns and lat in gdf.columns:
            frame["lon"], frame["lat"] = gdf[lon].to_numpy(), gdf[lat].to_numpy()
        else:
            pts = gdf.geometry.representative_point()
            if gdf.crs is not None:
                pts = pts.to_crs(4326)
            frame["lon"], frame["lat"] = pts.x.to_numpy(), pts.y.to_numpy()
        v = indicator_name(report, report["value"], lang)
        title = f"{v}：东西、南北梯度" if lang != "en" else f"Gradients of {v}"
        images["gradients"] = gradient_chart(frame.dropna(), name, title=title,
                                             synthetic=bool(report.get("synthetic")))
    return images


def write_html(report: dict, out_path: str | Path, gdf=None, *, id_column: str | None = None,
               lang: str = "zh") -> Path:
    """Render maps (when ``gdf`` is given) and the gradient chart, and write the HTML atomically."""
    images = report_images(report, gdf, id_column=id_column, lang=lang) if gdf is not None else {}
    out = Path(out_path)
    write_text_atomic(out, render_html(report, images, lang=lang))
    return out
