"""Embeddable maps for media: ``/embed/<dataset>`` (HTML) and ``/embed/<dataset>.png``."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for

from cityrank.web import i18n, pages, png

bp = Blueprint("embed", __name__, url_prefix="/embed")


def _svc():
    return current_app.extensions["cityrank"]


@bp.route("/<dataset>")
def embed_page(dataset: str):
    p = pages.parse_params(_svc(), request.args, dataset)
    q = {"indicator": p.indicator, "classification": p.classification, "k": p.k, "lang": p.lang}
    return render_template(
        "embed.html", ctx=pages.map_context(_svc(), p), lang=p.lang,
        data_url=url_for("viewer.ranking", dataset=p.dataset, lang=p.lang),
        png_url=url_for("embed.embed_png", dataset=p.dataset, **q),
    )


@bp.route("/<dataset>.png")
def embed_png(dataset: str):
    svc = _svc()
    p = pages.parse_params(svc, request.args, dataset)
    ds = svc.dataset(p.dataset)
    label = svc.indicator_label(ds, p.indicator, p.lang)
    # geo.static_map adds the "source" prefix and the simulated-data mark itself: the title
    # goes without it, or the PNG would say "simulated" twice
    title = f"{i18n.plain_title(ds, p.lang)} · {label}"
    note = i18n.source_text(ds, p.lang)
    resp = Response(png.render_png(svc, p, note, title, label), mimetype="image/png")
    resp.cache_control.max_age = 3600
    return resp
