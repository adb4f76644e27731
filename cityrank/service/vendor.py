"""Front-end assets served by the app itself, never from a CDN.

Government networks and mainland readers often cannot reach public CDNs, so every JS/CSS file
a page needs is installed from the npm registry (``npm ci`` in ``scripts/setup.sh``), copied
into the package (``cityrank/web/static/vendor``, by ``scripts/build_assets.py``, so wheels
carry it) and served by the web adapter under ``/vendor/<path>``. Only files on the allow-list
below are copied and served. Folium's own CDN asset lists are rewritten to these URLs.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from cityrank import paths
from cityrank.errors import ConfigError

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


# The map client (viewer, embed, ``cityrank publish``): ONE script and ONE stylesheet, built by
# ``scripts/build_assets.py`` (:func:`build_bundle`, esbuild from the npm registry) into
# ``static/vendor/map/`` under content-hashed names listed in its ``manifest.json``:
# ``static/map/entry.js`` and every ES module it imports (``cityrank-map.js``, ``classify.js``,
# and whatever they import) with Leaflet and topojson-client, minified; Leaflet's CSS without
# the rules of parts the client never uses (tiles, popups, markers' images, the layers and scale
# controls, old IE) followed by ``map.css``, minified. Served under ``/assets/<version>/``, where
# the version is a hash of both: the URLs change whenever a byte does, so the responses are
# immutable (a year of caching) and a page never mixes two versions.
STATIC_DIR = paths.WEB_DIR / "static"
MAP_SOURCES = STATIC_DIR / "map"
BUNDLE_ENTRY = "entry.js"
BUNDLE_DIR = "map"  # under the vendor dir
MANIFEST = "manifest.json"
LEAFLET_CSS = "leaflet/dist/leaflet.css"
LEAFLET_CSS_UNUSED = ("tile", "popup", "control-layers", "control-scale", "vml", "oldie", "marker-shadow",
                      "default-icon-path", "image-layer", "marker-draggable", "crosshair", "leaflet-safari",
                      "leaflet-retina", "leaflet-fade-anim", "div-icon", "attribution-flag", "pane img",
                      "tooltip-bottom", "tooltip-left", "tooltip-right")
"""Leaflet CSS selectors containing one of these are dropped from the bundle's stylesheet (the
client's tooltips open above the pointer: ``direction: "top"``)."""
MANGLE_PROPS, RESERVE_PROPS = "^_", "^_leaflet"
"""Properties whose names start with ``_`` (Leaflet's private ones) are shortened in the bundle,
except ``_leaflet…`` (Leaflet reads those by quoted name too). So no module of the client may
read a data key (JSON) or a DOM property whose name starts with ``_``."""
_BUNDLES: dict[tuple, dict] = {}
_BUNDLE_LOCK = threading.Lock()


def _source_files() -> list[Path]:
    return sorted(p for p in MAP_SOURCES.iterdir() if p.is_file() and p.suffix in (".js", ".css"))


def source_hash() -> str:
    """A hash of the client's own files (``static/map/*.js|css``) and of the build's settings:
    the manifest records the one it was built from, so a bundle older than its sources is never
    served."""
    h = hashlib.sha256(repr((LEAFLET_CSS_UNUSED, MANGLE_PROPS, RESERVE_PROPS)).encode())  # the build's settings
    for path in _source_files():
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def trim_css(css: str, unused: tuple[str, ...] = LEAFLET_CSS_UNUSED) -> str:
    r"""``css`` without the selectors containing one of ``unused`` (a rule whose selectors all go
    goes with them); at-rules (``@media print``) are kept whole. Comments are dropped.

    >>> trim_css(".a, .b-tile { x: 1 } .c-tile { y: 2 } @media print { .d { z: 3 } }", ("tile",))
    '.a { x: 1 }\n@media print { .d { z: 3 } }\n'
    """
    import re

    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, i = [], 0
    while True:
        brace = text.find("{", i)
        if brace < 0:
            break
        prelude = text[i:brace].strip()
        if prelude.startswith("@"):
            depth, j = 1, brace + 1
            while depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            out.append(f"{prelude} {text[brace:j].strip()}")
            i = j
            continue
        close = text.index("}", brace)
        keep = [s.strip() for s in prelude.split(",") if s.strip() and not any(u in s for u in unused)]
        if keep:
            out.append(f"{', '.join(keep)} {{ {text[brace + 1:close].strip()} }}")
        i = close + 1
    return "".join(line + "\n" for line in out)


def build_bundle(node_modules: Path, vendor_dir: Path) -> dict:
    """Bundle and minify the client with esbuild into ``vendor_dir/map/`` (written atomically,
    older bundles removed) and return its manifest: ``js``, ``css`` (names under the vendor
    dir) and ``sources`` (:func:`source_hash`)."""
    import subprocess
    import tempfile

    from cityrank.atomic import atomic_write

    esbuild = node_modules / ".bin" / "esbuild"
    if not esbuild.is_file():
        raise ConfigError(f"build_bundle: {esbuild} missing (npm ci installs esbuild, a devDependency)")
    sources = source_hash()
    env = {**os.environ, "NODE_PATH": str(node_modules)}
    with tempfile.TemporaryDirectory(prefix="cityrank-bundle-") as tmp:
        js_out = Path(tmp) / "bundle.js"
        subprocess.run([str(esbuild), str(MAP_SOURCES / BUNDLE_ENTRY), "--bundle", "--minify", "--format=esm",
                        "--target=es2020", "--legal-comments=eof", "--log-level=warning", f"--outfile={js_out}",
                        f"--mangle-props={MANGLE_PROPS}", f"--reserve-props={RESERVE_PROPS}"],
                       check=True, env=env, cwd=str(node_modules.parent))
        js = js_out.read_bytes()
        css_src = trim_css((node_modules / LEAFLET_CSS).read_text(encoding="utf-8"))
        if "url(" in css_src:
            raise ConfigError("build_bundle: the trimmed Leaflet CSS still refers to an image; trim it or ship the image")
        css_src += (MAP_SOURCES / "map.css").read_text(encoding="utf-8")
        css = subprocess.run([str(esbuild), "--loader=css", "--minify", "--log-level=warning"], input=css_src.encode(),
                             capture_output=True, check=True, env=env).stdout
    out = Path(vendor_dir) / BUNDLE_DIR
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"js": f"{BUNDLE_DIR}/cityrank-map.{hashlib.sha256(js).hexdigest()[:12]}.js",
                "css": f"{BUNDLE_DIR}/cityrank-map.{hashlib.sha256(css).hexdigest()[:12]}.css",
                "sources": sources}
    for key, body in (("js", js), ("css", css)):
        atomic_write(Path(vendor_dir) / manifest[key], lambda p, b=body: p.write_bytes(b))
    atomic_write(out / MANIFEST, lambda p: p.write_text(json.dumps(manifest, indent=1), encoding="utf-8"))
    for old in out.glob("cityrank-map.*"):
        if old.name not in (Path(manifest["js"]).name, Path(manifest["css"]).name):
            old.unlink(missing_ok=True)
    return manifest


def client_bundle(vendor_dir: Path | None = None) -> dict:
    """The manifest of the built client (:func:`build_bundle`). A bundle older than its
    sources (a developer edited ``static/map``) is rebuilt when esbuild is at hand (a checkout
    with ``node_modules``); otherwise ConfigError says to run ``scripts/build_assets.py``."""
    vdir = Path(vendor_dir or paths.VENDOR_DIR)
    stamp = (str(vdir), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in _source_files()))
    if stamp in _BUNDLES:
        return _BUNDLES[stamp]
    with _BUNDLE_LOCK:
        if stamp in _BUNDLES:
            return _BUNDLES[stamp]
        path = vdir / BUNDLE_DIR / MANIFEST
        manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        fresh = manifest is not None and manifest.get("sources") == source_hash() and all(
            (vdir / manifest[k]).is_file() for k in ("js", "css"))
        if not fresh:
            node_modules = paths.PACKAGE_DIR.parent / "node_modules"
            if not (node_modules / ".bin" / "esbuild").is_file():
                raise ConfigError(f"the map client bundle in {vdir / BUNDLE_DIR} is missing or older than "
                                  f"{MAP_SOURCES}: run scripts/build_assets.py (after npm ci)")
            manifest = build_bundle(node_modules, vdir)
        _BUNDLES[stamp] = manifest
        return manifest


def client_files(vendor_dir: Path | None = None) -> dict[str, str]:
    """``{"js": "vendor/map/cityrank-map.<hash>.js", "css": …}``: names under ``/assets/<version>/``."""
    manifest = client_bundle(vendor_dir)
    return {k: f"vendor/{manifest[k]}" for k in ("js", "css")}


def client_path(name: str, vendor_dir: Path | None = None) -> Path | None:
    """The file behind ``/assets/<version>/<name>``, or None."""
    if name in client_files(vendor_dir).values():
        return Path(vendor_dir or paths.VENDOR_DIR) / name[len("vendor/"):]
    return None


def client_names(vendor_dir: Path | None = None) -> tuple[str, ...]:
    return tuple(client_files(vendor_dir).values())


def client_version(vendor_dir: Path | None = None) -> str:
    """A hash of the client's files (their names carry their bytes' hashes): ``<version>``."""
    return hashlib.sha256("\0".join(client_names(vendor_dir)).encode()).hexdigest()[:12]


def asset_url(name: str, root: str = "", vendor_dir: Path | None = None) -> str:
    if client_path(name, vendor_dir) is None:
        raise KeyError(f"{name!r} is not a map client file")
    return f"{root.rstrip('/')}/assets/{client_version(vendor_dir)}/{name}"


def client_assets(root: str = "", vendor_dir: Path | None = None) -> dict[str, str]:
    """``{"js": url, "css": url}`` of the client for a page (``_maphead.html``)."""
    return {k: asset_url(name, root, vendor_dir) for k, name in client_files(vendor_dir).items()}


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


def inline_assets(root_element, vendor_dir: Path | None = None) -> None:
    """Like :func:`localise_assets`, but every JS/CSS file is put INTO the document as a
    ``data:`` URL of the vendored copy: a folium file or notebook output that works offline,
    with no server and no CDN."""
    import base64

    localise_assets(root_element, "")
    base = Path(vendor_dir or paths.VENDOR_DIR)
    stack = [root_element]
    while stack:
        el = stack.pop()
        for attr, kind in (("default_js", "text/javascript"), ("default_css", "text/css")):
            links = getattr(el, attr, None)
            if links:
                setattr(el, attr, [(name, f"data:{kind};base64," + base64.b64encode(
                    (base / url[len("/vendor/"):]).read_bytes()).decode("ascii")) for name, url in links])
        stack.extend(getattr(el, "_children", {}).values())
