"""Viewer pages: national map, ranking table (+CSV/XLSX), city, region and cluster pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from cityrank.service import cities, geometry, groups, pages, ranking
from cityrank.web import i18n
from cityrank.web.i18n import norm_lang
from cityrank.web.respond import args, cached_page, respond, site

bp = Blueprint("viewer", __name__)


def _lang() -> str:
    return norm_lang(request.args.get("lang"))


@bp.app_context_processor
def _title_helpers():
    """Dataset titles with the simulated-data mark shown once (see web.i18n)."""
    return {"plain_title": i18n.plain_title, "marked_title": i18n.marked_title, "label": i18n.label,
            "source_text": i18n.source_text,
            "province_name": lambda name, lang: geometry.province_name(site(), name, lang),
            "city_name": lambda code, name, lang: cities.display_name(site(), code, name, lang)}


@bp.app_context_processor
def _lang_switch():
    query = request.args.to_dict() if request else {}
    query["lang"] = "zh" if query.get("lang") == "en" else "en"
    try:
        return {"lang_url": url_for(request.endpoint, **{**query, **(request.view_args or {})})}
    except Exception:  # error pages for unknown routes have no endpoint
        return {"lang_url": "?lang=" + query["lang"]}


def map_urls(p: pages.MapParams, mode: str = "viewer") -> dict:
    """The URLs the map client fetches and links for dataset ``p.dataset`` (``__CODE__`` is a
    city's code; the client adds the current parameters to the print links)."""
    return pages.client_urls(
        site(), p, root=request.script_root, pinyin=mode != "embed",
        values_url=url_for("maps.values", dataset=p.dataset),
        city_url=url_for("viewer.city", code="__CODE__", dataset=p.dataset, lang=p.lang),
        png_url=url_for("embed.embed_png", dataset=p.dataset),
        pdf_url=url_for("embed.embed_pdf", dataset=p.dataset))


def map_page(template: str, dataset_id: str | None = None, mode: str = "viewer"):
    """``/`` and ``/embed/<dataset>``: the same map client, the page rendered once per URL."""
    p = pages.parse_params(site(), args(), dataset_id)
    q = p.query()
    return cached_page(p.dataset, lambda: render_template(
        template, ctx=pages.map_context(site(), p, mode=mode, urls=map_urls(p, mode), root=request.script_root),
        lang=p.lang,
        embed_url=url_for("embed.embed_page", dataset=p.dataset, **q),
        png_url=url_for("embed.embed_png", dataset=p.dataset, **q),
        data_url=url_for("viewer.ranking", dataset=p.dataset, lang=p.lang),
        host_js=url_for("static", filename="embed-host.js")))


def group_map(kind: str, group_id: str, codes: list[str], partial: list[str]) -> dict:
    """The map block of a region or cluster page: the members highlighted, partial ones marked."""
    p = pages.parse_params(site(), args())
    group = {"kind": kind, "id": group_id, "members": codes, "partial": partial}
    return {"map_ctx": pages.map_context(site(), p, mode="group", urls=map_urls(p),
                                         root=request.script_root, group=group)}


@bp.route("/")
def index():
    return map_page("index.html")


@bp.route("/ranking", endpoint="ranking")
def ranking_page():
    return cached_page(site().dataset(request.args.get("dataset")).id, lambda: render_template(
        "ranking.html", **ranking.ranking_context(site(), args()), lang=_lang()))


@bp.route("/ranking.<fmt>")
def ranking_export(fmt: str):
    return respond(ranking.export(site(), request.args.get("dataset"), fmt, request.args.get("lang")))


@bp.route("/city/<code>")
def city(code: str):
    return cached_page(site().dataset(request.args.get("dataset")).id, lambda: render_template(
        "city.html", **cities.city_context(site(), request.args.get("dataset"), code, _lang()), lang=_lang()))


@bp.route("/groups", endpoint="groups")
def groups_page():
    return render_template("groups.html", **groups.groups_context(site(), _lang()), lang=_lang())


@bp.route("/region/<name>")
def region(name: str):
    ctx = groups.region_context(site(), request.args.get("dataset"), name, _lang())
    return render_template("group.html", **ctx, **group_map("region", name, *pages.region_members(site(), name)),
                           lang=_lang())


@bp.route("/cluster/<cluster_id>")
def cluster(cluster_id: str):
    ctx = groups.cluster_context(site(), request.args.get("dataset"), cluster_id, _lang())
    return render_template("group.html", **ctx, **group_map("cluster", cluster_id, *pages.cluster_members(site(), cluster_id)),
                           lang=_lang())


@bp.route("/clusters/compare", endpoint="compare")
def compare_page():
    return render_template("compare.html", **groups.compare_context(site(), request.args.get("dataset"), request.args.getlist("c"), _lang()), lang=_lang())
