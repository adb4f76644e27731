"""Embeddable maps for media: ``/embed/<dataset>`` (HTML) and its print map ``.png`` / ``.pdf``."""

from __future__ import annotations

from flask import Blueprint

from cityrank.service import png
from cityrank.web.respond import args, respond, site
from cityrank.web.views.viewer import map_page

bp = Blueprint("embed", __name__, url_prefix="/embed")


@bp.route("/<dataset>")
def embed_page(dataset: str):
    return map_page("embed.html", dataset, mode="embed")


@bp.route("/<dataset>.png")
def embed_png(dataset: str):
    return respond(png.embed_png(site(), dataset, args()))


@bp.route("/<dataset>.pdf")
def embed_pdf(dataset: str):
    return respond(png.embed_png(site(), dataset, args(), fmt="pdf"))
