"""OGC API - Features routes under ``/ogc``; payloads come from ``web.ogc_service``."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request, url_for

from cityrank.web import ogc_service as ogc

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


def _svc():
    return current_app.extensions["cityrank"]


def _base() -> str:
    return url_for("ogc.landing", _external=True).rstrip("/")


def _out(body: dict, mimetype: str = ogc.JSON) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), mimetype=mimetype)


@bp.route("", strict_slashes=False)
def landing():
    return _out(ogc.landing(_base()))


@bp.route("/conformance")
def conformance():
    return _out(ogc.conformance())


@bp.route("/collections")
def collections():
    return _out(ogc.collections(_svc(), _base()))


@bp.route("/collections/<cid>")
def collection(cid: str):
    return _out(ogc.collection(_svc(), cid, _base()))


@bp.route("/collections/<cid>/items")
def items(cid: str):
    return _out(ogc.items(_svc(), cid, request.args, _base()), ogc.GEOJSON)


@bp.route("/collections/<cid>/items/<fid>")
def item(cid: str, fid: str):
    return _out(ogc.item(_svc(), cid, fid, _base()), ogc.GEOJSON)
