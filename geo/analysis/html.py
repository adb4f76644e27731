"""A self-contained HTML report: findings, tables, maps and charts as data URIs.

Self-contained because policymakers open it on networks without CDN access and forward it by
mail; no script, no external asset. Every string from data or user input goes through
``html.escape`` (city names, column names, file names can all come from a user's file).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from geo.analysis._common import write_text_atomic

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


def render_html(report: dict, images: dict[str, bytes] | None = None) -> str:
    """The report as one HTML string (maps/charts from ``images``: name -> PNG bytes)."""
    images = images or {}
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(report['title'])}</title>"
             f"<style>{_CSS}</style></head><body>", f"<h1>{_e(report['title'])}</h1>"]
    if report.get("synthetic"):
        parts.append('<p class="banner">SYNTHETIC DATA (模拟数据): values are simulated for demonstration '
                     'and describe no real city.</p>')
    parts.append(f'<p class="note">{_e(report["n_analysed"])} of {_e(report["n_units"])} units analysed; '
                 f'weights {_e(report["weights"]["method"])} on {_e(report["weights"]["crs"])}; '
                 f'{_e(report["permutations"])} permutations; seed {_e(report["seed"])}; generated '
                 f'{_e(report["generated"])} by {_e(report["software"])}.</p>')
    parts.append("<h2>Findings</h2><ul>" + "".join(f"<li>{_e(s)}</li>" for s in report["findings"]) + "</ul>")

    gm = report["global_moran"]
    parts.append("<h2>Spatial autocorrelation</h2>")
    parts.append(_table(["statistic", "value"], [[_e(k), _f(gm[k], 4)] for k in ("I", "expected_I", "z", "p")]
                        + [["permutations", _e(gm["permutations"])]]))
    for name, alt in (("lisa_clusters", "LISA cluster map"), ("lisa_significance", "LISA significance map"),
                      ("getis_ord", "Getis-Ord Gi* map")):
        if name in images:
            parts.append(_img(images[name], alt))
    s = report["local_moran"]["summary"]
    parts.append(_table(["LISA cluster", "count", "units"],
                        [[_e(k), _e(v["count"]), _e(", ".join(u["name"] for u in v["units"]))]
                         for k, v in s.items() if k != "not significant"]))

    ranked = sorted(report["units"], key=lambda u: -(u["value"] if u["value"] is not None else float("-inf")))
    shown = ranked if len(ranked) <= 50 else ranked[:10] + ranked[-10:]
    parts.append("<h3>Highest and lowest units</h3>" if len(ranked) > 50 else "<h3>Units</h3>")
    parts.append(_table(["unit", "id", "value", "LISA", "pseudo p", "Gi*"],
                        [[_e(u["name"]), _e(u["id"]), _f(u["value"], 2), _e(u["lisa_label"]), _f(u["lisa_p"], 3),
                          _e(u.get("gi_label", "–"))] for u in shown], left=2))

    g = report.get("gradients", {})
    if g.get("available"):
        parts.append("<h2>Gradients</h2>")
        rows = []
        for key, label in (("east_west", "east-west (per 10° longitude)"), ("south_north", "south-north (per 10° latitude)")):
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
        parts.append("<h2>Regional disparity</h2>")
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
        parts.append("<h3>Provinces</h3>")
        parts.append(_table(["province", "n", "mean", "gap vs national", "95% CI", "CV %"],
                            [[_e(r["name"]), _e(r["n"]), _f(r["mean"], 2),
                              _f(r["gap_rate_pp"] if r["gap_rate_pp"] is not None else r["gap_points"], 2),
                              _ci(r["gap_rate_pp_ci95"] or r["gap_points_ci95"]), _f(r["cv_percent"], 1)]
                             for r in prov["groups"]]))

    cl = report.get("clusters", {})
    if cl.get("available"):
        parts.append("<h2>City clusters</h2>")
        rows = []
        for c in cl["clusters"]:
            if not c.get("available"):
                continue
            cp = c.get("core_periphery", {})
            slope = (cp.get("fit") or {}).get("slope_per_100km") or {}
            rows.append([_e(c["name"]), _e(c["scored_members"]), _f(c["mean"], 2), _f(c["gap_vs_national"], 2),
                         _ci(c["gap_vs_national_ci95"]), _f(c.get("gap_vs_rest_of_provinces"), 2),
                         _ci(c.get("gap_vs_rest_of_provinces_ci95")), _f(c["intra"]["cv_percent"], 1),
                         _f(slope.get("coef"), 2), _ci(slope.get("ci95"))])
        parts.append(_table(["cluster", "n", "mean", "vs national", "95% CI", "vs rest of provinces", "95% CI",
                             "CV %", "per 100 km from core", "95% CI"], rows))

    if "zones" in images:
        parts.append("<h2>Governance zones</h2>" + _img(images["zones"], "governance zones map"))

    sp = report.get("spillover", {})
    dd = sp.get("distance_decay", {})
    models = sp.get("models", {})
    if dd.get("available") or (isinstance(models, dict) and any(
            isinstance(m, dict) and m.get("available") for m in models.values())):
        parts.append("<h2>Spillover</h2>")
        if dd.get("statement"):
            parts.append(f"<p>{_e(dd['statement'])}</p>")
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
        hc = sp.get("hub_column") or {}
        if hc.get("effect_on_others_ci95"):
            parts.append(f"<p>Hub {_e(hc['hub'])}: a unit increase in {_e(hc['variable'])} changes the other units by "
                         f"{_f(hc['effect_on_others_total'])} in total, 95% interval "
                         f"{_ci(hc['effect_on_others_ci95'], 3)}.</p>")
        if "hub_effects" in images:
            parts.append(_img(images["hub_effects"], "hub effect map"))

    w = report["weights"]
    parts.append("<h2>Spatial weights</h2>")
    parts.append(f'<p class="note">mean neighbours {_f(w["mean_neighbours"], 2)}; '
                 f'{_e(w["components_before_fix"])} connected component(s) before fixing.</p>')
    if w["fixed"]:
        parts.append(_table(["unit", "reason", "linked to", "distance km"],
                            [[_e(f["unit"]), _e(f["reason"]), _e(f["attached_to"]), _f(f["distance_m"] / 1000, 0)]
                             for f in w["fixed"]]))
    parts.append("</body></html>")
    return "\n".join(parts)


def report_images(report: dict, gdf, *, id_column: str | None = None, lon: str = "lon",
                  lat: str = "lat") -> dict[str, bytes]:
    """Maps of the report plus the gradient chart: {name: PNG bytes}."""
    import pandas as pd

    from geo.analysis.gradients import gradient_chart
    from geo.analysis.maps import report_maps

    images = dict(report_maps(gdf, report, id_column=id_column))
    if report.get("gradients", {}).get("available"):
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
        images["gradients"] = gradient_chart(frame.dropna(), name, title=f"Gradients of {report['value']}",
                                             synthetic=bool(report.get("synthetic")))
    return images


def write_html(report: dict, out_path: str | Path, gdf=None, *, id_column: str | None = None) -> Path:
    """Render maps (when ``gdf`` is given) and the gradient chart, and write the HTML atomically."""
    images = report_images(report, gdf, id_column=id_column) if gdf is not None else {}
    out = Path(out_path)
    write_text_atomic(out, render_html(report, images))
    return out
