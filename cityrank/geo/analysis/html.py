"""A self-contained HTML report: findings, tables, maps and charts as data URIs.

Self-contained because policymakers open it on networks without CDN access and forward it by
mail; no script, no external asset. Every string from data or user input goes through
``html.escape`` (city names, column names, file names can all come from a user's file).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from cityrank.atomic import write_text_atomic
from cityrank.geo.analysis.findings import report_findings, sentence
from cityrank.geo.regions import UNCHECKED_NOTE
from cityrank.i18n import lookup

LANGS = ("zh", "en")
_TEXT = {  # key: (simplified Chinese, English)
    "findings": ("主要发现", "Findings"),
    "moran": ("空间自相关", "Spatial autocorrelation"),
    "statistic": ("统计量", "statistic"),
    "value": ("数值", "value"),
    "permutations": ("置换次数", "permutations"),
    "lisa_cluster": ("LISA 类型", "LISA cluster"),
    "count": ("数量", "count"),
    "units": ("单元", "units"),
    "extremes": ("最高与最低的单元", "Highest and lowest units"),
    "all_units": ("全部单元", "Units"),
    "gradients": ("东西、南北梯度", "Gradients"),
    "ew": ("东西（每 10° 经度）", "east-west (per 10° longitude)"),
    "sn": ("南北（每 10° 纬度）", "south-north (per 10° latitude)"),
    "regions": ("四大区域差异", "Regional disparity"),
    "provinces": ("省份", "Provinces"),
    "clusters": ("城市群比较", "City clusters"),
    "cluster_unchecked": UNCHECKED_NOTE,
    "zones": ("数据驱动的治理分区", "Governance zones"),
    "spillover": ("溢出效应", "Spillover"),
    "weights": ("空间权重", "Spatial weights"),
    "weights_note": ("平均相邻单元数 {m}；修正前有 {c} 个连通分量。",
                     "mean neighbours {m}; {c} connected component(s) before fixing."),
    "banner": ("模拟数据（SYNTHETIC DATA）：数值为演示用的模拟数据，不描述任何真实城市。",
               "SYNTHETIC DATA (模拟数据): values are simulated for demonstration and describe no real city."),
    "meta": ("分析单元 {a} / {n} 个；空间权重 {w}（{crs}）；{p} 次置换；随机种子 {seed}；生成于 {gen}，{sw}。",
             "{a} of {n} units analysed; weights {w} on {crs}; {p} permutations; seed {seed}; generated {gen} by {sw}."),
}


def _t(key: str, lang: str, **fmt) -> str:
    return lookup(_TEXT, key, lang, **fmt)

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}.banner{background:#fff3cd;border:2px solid #d39e00;padding:.6em;font-weight:bold}
figure{margin:1em 0}img{max-width:100%}.note{color:#555;font-size:.85em}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _f(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return _e(value)


def _ci(pair, digits: int = 2) -> str:
    if not pair or pair[0] is None:
        return "–"
    return f"[{_f(pair[0], digits)}, {_f(pair[1], digits)}]"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'


def _table(headers: list[str], rows: list[list], left: int = 1) -> str:
    head = "".join(f'<th class="{"l" if i < left else ""}">{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td class="{"l" if i < left else ""}">{c}</td>' for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: dict, images: dict[str, bytes] | None = None, lang: str = "zh") -> str:
    """The report as one HTML string (maps/charts from ``images``: name -> PNG bytes).

    ``lang`` (zh, the default, or en) selects the findings and the headings; the tables'
    technical column names stay as they are in the JSON report.
    """
    if lang not in LANGS:
        raise ValueError(f"render_html: unknown language {lang!r}; choose zh or en")
    images = images or {}
    html_lang = "en" if lang == "en" else "zh-CN"
    title = report.get("title_zh") if lang == "zh" and report.get("title_zh") else report["title"]
    parts = [f"<!doctype html><html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><title>{_e(title)}"
             f"</title><style>{_CSS}</style></head><body>", f"<h1>{_e(title)}</h1>"]
    if report.get("synthetic"):
        parts.append(f'<p class="banner">{_e(_t("banner", lang))}</p>')
    parts.append('<p class="note">' + _e(_t(
        "meta", lang, a=report["n_analysed"], n=report["n_units"], w=report["weights"]["method"],
        crs=report["weights"]["crs"], p=report["permutations"], seed=report["seed"], gen=report["generated"],
        sw=report["software"])) + "</p>")
    parts.append(f'<h2>{_t("findings", lang)}</h2><ul id="findings">'
                 + "".join(f"<li>{_e(s)}</li>" for s in report_findings(report, lang)) + "</ul>")

    gm = report["global_moran"]
    parts.append(f'<h2>{_t("moran", lang)}</h2>')
    parts.append(_table([_t("statistic", lang), _t("value", lang)],
                        [[_e(k), _f(gm[k], 4)] for k in ("I", "expected_I", "z", "p")]
                        + [[_e(_t("permutations", lang)), _e(gm["permutations"])]]))
    for name, alt in (("lisa_clusters", "LISA cluster map"), ("lisa_significance", "LISA significance map"),
                      ("getis_ord", "Getis-Ord Gi* map")):
        if name in images:
            parts.append(_img(images[name], alt))
    s = report["local_moran"]["summary"]
    parts.append(_table([_t("lisa_cluster", lang), _t("count", lang), _t("units", lang)],
                        [[_e(k), _e(v["count"]), _e(", ".join(u["name"] for u in v["units"]))]
                         for k, v in s.items() if k != "not significant"]))

    ranked = sorted(report["units"], key=lambda u: -(u["value"] if u["value"] is not None else float("-inf")))
    shown = ranked if len(ranked) <= 50 else ranked[:10] + ranked[-10:]
    parts.append(f'<h3>{_t("extremes" if len(ranked) > 50 else "all_units", lang)}</h3>')
    parts.append(_table(["unit", "id", "value", "LISA", "pseudo p", "Gi*"],
                        [[_e(u["name"]), _e(u["id"]), _f(u["value"], 2), _e(u["lisa_label"]), _f(u["lisa_p"], 3),
                          _e(u.get("gi_label", "–"))] for u in shown], left=2))

    g = report.get("gradients", {})
    if g.get("available"):
        parts.append(f'<h2>{_t("gradients", lang)}</h2>')
        rows = []
        for key, label in (("east_west", _t("ew", lang)), ("south_north", _t("sn", lang))):
            sl = g[key]["slope"]
            h = (g[key].get("hac") or {}).get("coefficients", {}).get("lon" if key == "east_west" else "lat", {})
            rows.append([_e(label), _f(sl["coef"], 3), _ci(sl["ci95"], 3), _f(sl["p"], 4),
                         _ci(h.get("ci95"), 3), _f(h.get("p"), 4), _f(g[key]["r2"], 3)])
        parts.append(_table(["gradient", "slope", "95% CI (OLS)", "p", "95% CI (spatial HAC)", "p (HAC)", "R²"],
                            rows))
        parts.append(f'<p class="note">{_e(g["caveat"])}</p>')
        if "gradients" in images:
            parts.append(_img(images["gradients"], "gradient chart"))

    reg = report["disparity"].get("regions", {})
    if reg.get("available"):
        parts.append(f'<h2>{_t("regions", lang)}</h2>')
        rows = [[_e(r["name"]), _e(r["n"]), _f(r["mean"], 2), _f(r["score_rate_percent"], 1),
                 _f(r["gap_rate_pp"] if r["gap_rate_pp"] is not None else r["gap_points"], 2),
                 _ci(r["gap_rate_pp_ci95"] or r["gap_points_ci95"]), _f(r["cv_percent"], 1)]
                for r in reg["groups"]]
        parts.append(_table(["region", "n", "mean", "score rate %", "gap vs national", "95% CI", "CV %"], rows))
        th = reg["inequality"].get("theil") or {}
        gi = reg["inequality"].get("gini") or {}
        parts.append(_table(["index", "value", "95% CI"], [
            ["Theil T", _f(th.get("T"), 4), _ci(th.get("T_ci95"), 4)],
            ["between-region share %", _f(th.get("between_share_percent"), 1), _ci(th.get("between_share_ci95"), 1)],
            ["Gini", _f(gi.get("G"), 4), _ci(gi.get("G_ci95"), 4)]]))
        rates = reg.get("score_rate_by_indicator_percent") or {}
        if rates:
            groups = [r["group"] for r in reg["groups"]]
            parts.append(_table(["indicator score rate %", "national"] + groups + ["highest / lowest"],
                                [[_e(k), _f(v.get("national"), 1)] + [_f(v.get(gr), 1) for gr in groups]
                                 + [_f(v.get("ratio_highest_to_lowest"), 2)] for k, v in rates.items()]))
        cv = reg.get("cv_by_indicator_percent") or {}
        if cv:
            groups = [r["group"] for r in reg["groups"]]
            parts.append(_table(["indicator CV %", "national"] + groups,
                                [[_e(k), _f(v.get("national"), 1)] + [_f(v.get(gr), 1) for gr in groups]
                                 for k, v in cv.items()]))

    prov = report["disparity"].get("provinces", {})
    if prov.get("available"):
        parts.append(f'<h3>{_t("provinces", lang)}</h3>')
        parts.append(_table(["province", "n", "mean", "gap vs national", "95% CI", "CV %"],
                            [[_e(r["name"]), _e(r["n"]), _f(r["mean"], 2),
                              _f(r["gap_rate_pp"] if r["gap_rate_pp"] is not None else r["gap_points"], 2),
                              _ci(r["gap_rate_pp_ci95"] or r["gap_points_ci95"]), _f(r["cv_percent"], 1)]
                             for r in prov["groups"]]))

    cl = report.get("clusters", {})
    if cl.get("available"):
        parts.append(f'<h2>{_t("clusters", lang)}</h2>')
        rows = []
        for c in cl["clusters"]:
            if not c.get("available"):
                continue
            cp = c.get("core_periphery", {})
            slope = (cp.get("fit") or {}).get("slope_per_100km") or {}
            mark = "" if c.get("checked", True) else "*"
            rows.append([_e(c["name_en"] if lang == "en" else c["name"]) + mark, _e(c["scored_members"]), _f(c["mean"], 2), _f(c["gap_vs_national"], 2),
                         _ci(c["gap_vs_national_ci95"]), _f(c.get("gap_vs_rest_of_provinces"), 2),
                         _ci(c.get("gap_vs_rest_of_provinces_ci95")), _f(c["intra"]["cv_percent"], 1),
                         _f(slope.get("coef"), 2), _ci(slope.get("ci95"))])
        parts.append(_table(["cluster", "n", "mean", "vs national", "95% CI", "vs rest of provinces", "95% CI",
                             "CV %", "per 100 km from core", "95% CI"], rows))
        if any(not c.get("checked", True) for c in cl["clusters"] if c.get("available")):
            parts.append(f'<p class="note">* {_t("cluster_unchecked", lang)}</p>')

    if "zones" in images:
        parts.append(f'<h2>{_t("zones", lang)}</h2>' + _img(images["zones"], "governance zones map"))

    sp = report.get("spillover", {})
    dd = sp.get("distance_decay", {})
    models = sp.get("models", {})
    if dd.get("available") or (isinstance(models, dict) and any(
            isinstance(m, dict) and m.get("available") for m in models.values())):
        parts.append(f'<h2>{_t("spillover", lang)}</h2>')
        dd_text = sentence(report, "distance_decay", lang)
        if dd_text:
            parts.append(f"<p>{_e(dd_text)}</p>")
        for kind, m in models.items():
            if not isinstance(m, dict) or not m.get("available"):
                continue
            parts.append(f"<h3>Spatial {_e(kind)} model ({_e(m['estimator'])}), rho = {_f(m['rho'])}</h3>")
            parts.append(_table(["term", "coef", "se", "95% CI"],
                                [[_e(t["name"]), _f(t["coef"]), _f(t["se"]), _ci(t["ci95"], 3)]
                                 for t in m["coefficients"]]))
            rows = []
            for var, imp in m["impacts"].items():
                for k in ("direct", "indirect", "total"):
                    rows.append([_e(f"{var} {k}"), _f(imp[k]["estimate"]), _f(imp[k]["mean"]),
                                 _f(imp[k]["sd"]), _ci(imp[k]["ci95"], 3)])
            parts.append(_table(["impact", "estimate", "sim. mean", "sim. sd", "95% interval"], rows))
            parts.append(f'<p class="note">{_e(m["draws"])} draws from the asymptotic distribution '
                         f'({_e(m["rejected_draws"])} rejected for rho outside the stable range); traces: '
                         f'{_e(m["traces"])}.</p>')
        hub_text = sentence(report, "hub", lang)
        if hub_text:
            parts.append(f"<p>{_e(hub_text)}</p>")
        if "hub_effects" in images:
            parts.append(_img(images["hub_effects"], "hub effect map"))

    w = report["weights"]
    parts.append(f'<h2>{_t("weights", lang)}</h2>')
    parts.append('<p class="note">' + _e(_t("weights_note", lang, m=_f(w["mean_neighbours"], 2),
                                             c=w["components_before_fix"])) + "</p>")
    if w["fixed"]:
        parts.append(_table(["unit", "reason", "linked to", "distance km"],
                            [[_e(f["unit"]), _e(f["reason"]), _e(f["attached_to"]), _f(f["distance_m"] / 1000, 0)]
                             for f in w["fixed"]]))
    parts.append("</body></html>")
    return "\n".join(parts)


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
