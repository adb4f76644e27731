"""The map client's files and data: ``/assets/<version>/<name>`` (our ES modules and CSS, and
the npm files they use), ``/geo/<name>`` (the content-hashed TopoJSON) -- both immutable -- and
``/api/v1/datasets/<id>/map?indicator=`` (one indicator's values, ETag'd). Services:
:mod:`cityrank.service.vendor`, :mod:`cityrank.service.geometry`, :mod:`cityrank.service.mapclient`."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, abort

from cityrank.service import geometry, mapclient
from cityrank.service.response import IMMUTABLE_CACHE, representation
from cityrank.service.vendor import client_path, client_version
from cityrank.web.assets import vendor_dir
from cityrank.web.respond import args, respond, site

bp = Blueprint("maps", __name__)


@bp.route("/assets/<version>/<path:name>")
def asset(version: str, name: str):
    path = client_path(name, vendor_dir())
    if version != client_version(vendor_dir()) or path is None or not path.is_file():
        abort(404, description=f"no map client file {name!r} of version {version!r}")
    mimetype = "text/javascript" if name.endswith(".js") else mimetypes.guess_type(name)[0] or "text/plain"
    return respond(site().cache.get_or_build(None, "asset", (version, name), lambda: representation(
        path.read_bytes(), mimetype + ("; charset=utf-8" if mimetype.startswith("text/") else ""),
        cache_control=IMMUTABLE_CACHE)))


@bp.route("/geo/<name>")
def geo(name: str):
    return respond(geometry.geo_file(site(), name))


@bp.route("/api/v1/datasets/<dataset>/map")
def values(dataset: str):
    return respond(mapclient.values(site(), dataset, args()))
