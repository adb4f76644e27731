"""``/vendor/<path>``: the allow-listed npm files of :mod:`cityrank.service.vendor`, copied into
``cityrank/web/static/vendor`` by ``scripts/build_assets.py``; compressed once, ETag + a day of caching."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from flask import Blueprint, abort, current_app

from cityrank import paths
from cityrank.service.response import representation
from cityrank.service.vendor import VENDOR_FILES
from cityrank.web.respond import respond, site

bp = Blueprint("vendor", __name__)
ASSET_CACHE = "public, max-age=86400"


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
    path = root / name
    mimetype = mimetypes.guess_type(target)[0] or "application/octet-stream"
    # Read once, compressed once: Leaflet and friends are served gzipped from memory.
    return respond(site().cache.get_or_build(None, "vendor", str(path), lambda: representation(
        path.read_bytes(), mimetype, cache_control=ASSET_CACHE)))
