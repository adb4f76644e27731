"""Front-end assets served by the app itself, never from a CDN.

Government networks and mainland readers often cannot reach public CDNs, so every JS/CSS file
a page needs is installed from the npm registry (``npm ci`` in ``scripts/setup.sh``), copied
into the package (``cityrank/web/static/vendor``, by ``scripts/build_assets.py``, so wheels
carry it) and served by the web adapter under ``/vendor/<path>``. Only files on the allow-list
below are copied and served. Folium's own CDN asset lists are rewritten to these URLs.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

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


# The map client (viewer, embed, ``cityrank publish``): our ES modules and CSS under
# ``static/map`` and the npm files they use. Served together under ``/assets/<version>/``,
# where the version is a hash of all of them: the URLs change whenever a byte does, so the
# responses are immutable (a year of caching) and a page never mixes two versions.
CLIENT_FILES: tuple[str, ...] = ("map/cityrank-map.js", "map/classify.js", "map/whatif.js", "map/map.css")
CLIENT_VENDOR: tuple[str, ...] = (
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "topojson-client/topojson-client.min.js",
)
STATIC_DIR = paths.WEB_DIR / "static"


def client_path(name: str, vendor_dir: Path | None = None) -> Path | None:
    """The file behind ``/assets/<version>/<name>`` (``map/…`` or ``vendor/…``), or None."""
    if name in CLIENT_FILES:
        return STATIC_DIR / name
    if name.startswith("vendor/") and name[len("vendor/"):] in CLIENT_VENDOR:
        return Path(vendor_dir or paths.VENDOR_DIR) / name[len("vendor/"):]
    return None


def client_names() -> tuple[str, ...]:
    return CLIENT_FILES + tuple(f"vendor/{n}" for n in CLIENT_VENDOR)


@cache
def client_version(vendor_dir: Path | None = None) -> str:
    """A hash of every client file (names and bytes): the ``<version>`` of ``/assets/``."""
    h = hashlib.sha256()
    for name in client_names():
        path = client_path(name, vendor_dir)
        h.update(name.encode() + b"\0" + (path.read_bytes() if path and path.is_file() else b"missing") + b"\0")
    return h.hexdigest()[:12]


def asset_url(name: str, root: str = "", vendor_dir: Path | None = None) -> str:
    if client_path(name, vendor_dir) is None:
        raise KeyError(f"{name!r} is not a map client file")
    return f"{root.rstrip('/')}/assets/{client_version(vendor_dir)}/{name}"


def vendor_url(name: str, root: str = "") -> str:
    """URL of a vendored file; ``root`` is the application's mount point (``''`` at ``/``)."""
    if name not in VENDOR_FILES:
        raise KeyError(f"{name!r} is not a vendored asset")
    return f"{root.rstrip('/')}/vendor/{name}"


def localise_assets(root_element, root: str = "") -> None:
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
                    raise KeyError(f"folium asset {name!r} has no local copy (add it to service/vendor.py)")
                if FOLIUM_ASSETS[name] is not None:
                    local.append((name, vendor_url(FOLIUM_ASSETS[name], root)))
            setattr(el, attr, local)  # instance attribute: the class default stays untouched
        stack.extend(getattr(el, "_children", {}).values())
