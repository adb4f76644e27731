"""Viewer pages: national map, ranking table (+CSV/XLSX), city, region and cluster pages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from markupsafe import Markup

from cityrank.web import i18n, pages, tables
from cityrank.web.i18n import norm_lang

bp = Blueprint("viewer", __name__)


def _svc():
    return current_app.extensions["cityrank"]


def _lang() -> str:
    return norm_lang(request.args.get("lang"))


@bp.app_context_processor
def _title_helpers():
    """Dataset titles with the simulated-data mark shown once (see web.i18n)."""
    return {"plain_title": i18n.plain_title, "marked_title": i18n.marked_title, "label": i18n.label,
            "source_text": i18n.source_text,
            "province_name": lambda name, lang: _svc().province_name(name, lang),
            "city_name": _city_name}


def _city_name(code, name, lang: str) -> Markup:
    """A city's name for the page: in English the pinyin with the Chinese name beside it
    (readers abroad need both to match our tables with Chinese sources)."""
    en = _svc().names_en().get(str(code)) if lang == "en" else None
    if not en:
        return Markup("{}").format(name if name is not None else code)
    return Markup('{} <span class="cr-zh-name" lang="zh-CN">{}</span>').format(en, name)


@bp.app_context_processor
def _lang_switch():
    args = request.args.to_dict() if request else {}
    args["lang"] = "zh" if args.get("lang") == "en" else "en"
    try:
        return {"lang_url": url_for(request.endpoint, **{**args, **(request.view_args or {})})}
    except Exception:  # error pages for unknown routes have no endpoint
        return {"lang_url": "?lang=" + args["lang"]}


@bp.route("/")
def index():
    p = pages.parse_params(_svc(), request.args)
    q = {"indicator": p.indicator, "classification": p.classification, "k": p.k, "lang": p.lang}
    return render_template(
        "index.html", ctx=pages.map_context(_svc(), p), lang=p.lang,
        embed_url=url_for("embed.embed_page", dataset=p.dataset, **q),
        png_url=url_for("embed.embed_png", dataset=p.dataset, **q),
        host_js=url_for("static", filename="embed-host.js"),
    )


@bp.route("/ranking")
def ranking():
    return render_template("ranking.html", **tables.ranking_context(_svc(), request.args), lang=_lang())


@bp.route("/ranking.<fmt>")
def ranking_export(fmt: str):
    return tables.export(_svc(), request.args.get("dataset"), fmt)


@bp.route("/city/<code>")
def city(code: str):
    return render_template("city.html", **tables.city_context(_svc(), request.args.get("dataset"), code, _lang()), lang=_lang())


@bp.route("/groups")
def groups():
    return render_template("groups.html", **tables.groups_context(_svc(), _lang()), lang=_lang())


@bp.route("/region/<name>")
def region(name: str):
    return render_template("group.html", **tables.region_context(_svc(), request.args.get("dataset"), name, _lang()), lang=_lang())


@bp.route("/cluster/<cluster_id>")
def cluster(cluster_id: str):
    return render_template("group.html", **tables.cluster_context(_svc(), request.args.get("dataset"), cluster_id, _lang()), lang=_lang())
