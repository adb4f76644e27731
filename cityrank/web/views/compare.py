"""Years compared: ``/change`` (the change page: year selectors, findings, the change map, the
table) and ``/api/v1/compare?from=A&to=B`` (JSON). The logic is
:mod:`cityrank.service.compare`."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from cityrank.service import compare
from cityrank.web.respond import args, respond, site

bp = Blueprint("compare", __name__)


@bp.route("/change")
def change():
    # Rendered per request (a few ms): the comparison and the change map's values are cached
    # with BOTH datasets' revisions in their keys, which a page cached under one id could not be.
    ctx = compare.page_context(site(), args(), root=request.script_root)
    return render_template("change.html", **ctx, lang=ctx["p"].lang)


@bp.route("/api/v1/compare/map")
def api_compare_map():
    return respond(compare.values(site(), args()))


@bp.route("/api/v1/compare")
def api_compare():
    return respond(compare.payload(site(), args()))
