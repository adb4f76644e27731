"""Front-end assets served by the app itself, never from a CDN.

Government networks and mainland readers often cannot reach public CDNs, so every JS/CSS file
a page needs is installed from the npm registry (``npm ci`` in ``scripts/setup.sh``), copied
into the package (``cityrank/web/static/vendor``, by ``scripts/build_assets.py``, so wheels
carry it) and served by the web adapter under ``/vendor/<path>``. Only files on the allow-list
below are copied and served. Folium's own CDN asset lists are rewritten to these URLs.
"""

from __future__ import annotations

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
