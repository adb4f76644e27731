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
from cityrank.geo.analysis._common import p_text
from cityrank.geo.analysis.findings import link_reason, report_findings, sentence, unit_label
from cityrank.geo.regions import region_names
from cityrank.i18n import has, t

LANGS = ("zh", "en")
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE = "report.html"
from cityrank.geo.analysis._common import IMAGE_NAMES  # noqa: E402,F401  (re-exported)


def translator(lang: str):
    """``tx(key, **fmt)`` for the template: ``report.<key>`` of the catalogue in ``lang``
    (cityrank/i18n/report.yaml). Read as ``tx('key')``, never ``T.key``: Jinja resolves
    attributes before items."""
    def tx(key: str, **fmt) -> str:
        return t(f"report.{key}", lang, **fmt)

    return tx


def _reason_text(section: dict | None, lang: str) -> str:
    """Why a section was not computed, in ``lang`` (its catalogue key), else its English reason."""
    section = section or {}
    key = section.get("reason_key")
    if not key:
        return str(section.get("reason") or "")
    params = {k: v[lang] if isinstance(v, dict) else v for k, v in (section.get("params") or {}).items()}
    return t(key, lang, **params)


def _weights_method(weights: dict, lang: str) -> str:
    """The weights in plain words with the technical name in brackets (queen contiguity ...)."""
    method = weights.get("method", "")
    key = f"report.weights_method.{method}"
    params = weights.get("params") or {}
    return t(key, lang, k=params.get("k", 6)) if has(key) else method


def _models_reason(models: dict, lang: str) -> str:
    """Why no spatial model is shown: the section's reason, or each refused model's."""
    if not isinstance(models, dict):
        return ""
    if "reason_key" in models or "reason" in models:
        return _reason_text(models, lang)
    return " ".join(_reason_text(m, lang) for m in models.values()
                    if isinstance(m, dict) and not m.get("available"))


def _zones_method(method: str, lang: str) -> str:
    key = f"report.zones_method.{method}"
    return t(key, lang) if has(key) else method


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
    reg_names = region_names(lang) if regions.get("nbs", True) else {}
    return {
        "report": report, "lang": lang, "tx": translator(lang),
        "tk": lambda key, **fmt: t(key, lang, **fmt),
        "pval": p_text,
        "reason_text": lambda section: _reason_text(section, lang),
        "weights_method": _weights_method(report.get("weights") or {}, lang),
        "zones_method": _zones_method((report.get("zones") or {}).get("method", ""), lang),
        "link_reason": lambda reason: link_reason(reason, lang),
        "unit_label": lambda uid: unit_label(report, uid, lang),
        "small_sample": (report.get("small_sample") or {}).get("small", False),
        "title": report.get("title_zh") if lang == "zh" and report.get("title_zh") else report["title"],
        "findings": report_findings(report, lang),
        "distance_decay": sentence(report, "distance_decay", lang),
        "hub_total": sentence(report, "hub", lang),
        "regions": regions,
        "provinces": report.get("disparity", {}).get("provinces") or {},
        "clusters": [c for c in (report.get("clusters") or {}).get("clusters", []) if c.get("available")],
        "models": {k: m for k, m in models.items() if isinstance(m, dict) and m.get("available")},
        "models_reason": _models_reason(models, lang),
        "region_name": reg_names,
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
