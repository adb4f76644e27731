"""OGC API - Features routes under ``/ogc``; payloads come from ``service.ogc``."""

from __future__ import annotations

from flask import Blueprint, Response, url_for

from cityrank.service import ogc
from cityrank.service.api import dumps
from cityrank.web.respond import args, respond, site

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


def _base() -> str:
    return url_for("ogc.landing", _external=True).rstrip("/")


def _out(body: dict, mimetype: str = ogc.JSON) -> Response:
    return Response(dumps(body), mimetype=mimetype)


@bp.route("", strict_slashes=False)
def landing():
    return _out(ogc.landing(_base()))


@bp.route("/conformance")
def conformance():
    return _out(ogc.conformance())


@bp.route("/collections")
def collections():
    return _out(ogc.collections(site(), _base()))


@bp.route("/collections/<cid>")
def collection(cid: str):
    return _out(ogc.collection(site(), cid, _base()))


@bp.route("/collections/<cid>/items")
def items(cid: str):
    return respond(ogc.items(site(), cid, args(), _base()))


@bp.route("/collections/<cid>/items/<fid>")
def item(cid: str, fid: str):
    return _out(ogc.item(site(), cid, fid, _base()), ogc.GEOJSON)
