"""Front-end assets served by the app itself, never from a CDN.

Government networks and mainland readers often cannot reach public CDNs, so every JS/CSS file
a page needs is installed from the npm registry (``npm ci`` in ``scripts/setup.sh``), copied
into the package (``cityrank/web/static/vendor``, by ``scripts/build_assets.py``, so wheels
carry it) and served through the ``/vendor/<path>`` route. Only files on the allow-list below
are copied and served. Folium's own CDN asset lists are rewritten to these URLs.
"""

from __future__ import annotations

import mimetypes
import os
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, url_for

from cityrank import paths

# url path under /vendor/ (and file under static/vendor/) -> path inside node_modules
VENDOR_FILES: dict[str, str] = {
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "jquery/jquery.min.js": "jquery/dist/jquery.min.js",
    "bootstrap/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "bootstrap/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "d3/d3.min.js": "d3/dist/d3.min.js",
    "topojson-client/topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
}

# folium / branca asset names -> our vendor path. Names not listed here are refused at render
# time (see ``localise_assets``) so a new folium plugin cannot silently pull from a CDN.
FOLIUM_ASSETS: dict[str, str | None] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "jquery": None,  # only folium's non-embedded GeoJson uses it; our maps embed their data
    "bootstrap": None,  # the map does not use Bootstrap's JS
    "bootstrap_css": None,  # pages include their own Bootstrap CSS; the embed needs none
    "glyphicons_css": None,
    "awesome_markers": None,
    "awesome_markers_css": None,
    "awesome_markers_font_css": None,
    "awesome_rotate_css": None,
    "d3": "d3/d3.min.js",
}

bp = Blueprint("vendor", __name__)


def vendor_dir() -> Path:
    return Path(current_app.config.get("VENDOR_DIR") or os.environ.get("CITYRANK_VENDOR_DIR") or paths.VENDOR_DIR)


@bp.route("/vendor/<path:name>")
def vendor(name: str):
    target = VENDOR_FILES.get(name)
    if target is None:
        abort(404, description=f"no vendored asset {name!r}")
    root = vendor_dir()
    if not (root / name).is_file():
        abort(404, description=f"{name} missing in {root}: run scripts/setup.sh (npm ci, then scripts/build_assets.py)")
    data, etag = _read(str(root / name))
    if request.if_none_match.contains(etag):
        return Response(status=304)
    resp = Response(data, mimetype=mimetypes.guess_type(target)[0] or "application/octet-stream")
    resp.set_etag(etag)
    resp.cache_control.public = True
    resp.cache_control.max_age = 86400
    return resp


@lru_cache(maxsize=64)
def _read(path: str) -> tuple[bytes, str]:
    """Buffered (not streamed) so the gzip hook can compress Leaflet and friends too."""
    import hashlib

    data = Path(path).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def vendor_url(name: str) -> str:
    if name not in VENDOR_FILES:
        raise KeyError(f"{name!r} is not a vendored asset")
    return url_for("vendor.vendor", name=name)


def localise_assets(root_element) -> None:
    """Point every JS/CSS link of a folium element tree at ``/vendor`` (or drop it).

    Walks the whole tree because plugins carry their own ``default_js``; raises KeyError for
    an asset with no local copy, so a CDN URL can never reach a page.
    """
    stack = [root_element]
    while stack:
        el = stack.pop()
        for attr in ("default_js", "default_css"):
            links = getattr(el, attr, None)
            if links is None:
                continue
            local = []
            for name, _url in links:
                if name not in FOLIUM_ASSETS:
                    raise KeyError(f"folium asset {name!r} has no local copy (add it to web/assets.py)")
                if FOLIUM_ASSETS[name] is not None:
                    local.append((name, vendor_url(FOLIUM_ASSETS[name])))
            setattr(el, attr, local)  # instance attribute: the class default stays untouched
        stack.extend(getattr(el, "_children", {}).values())
