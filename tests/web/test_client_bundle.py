"""The map client's bundle (service.vendor.build_bundle, esbuild): one script and one stylesheet
with content-hashed names, a manifest, no unused Leaflet CSS, and never older than its sources."""

from __future__ import annotations

import json

import pytest

from cityrank import paths
from cityrank.service import vendor

NODE_MODULES = paths.PACKAGE_DIR.parent / "node_modules"
pytestmark = pytest.mark.skipif(not (NODE_MODULES / ".bin" / "esbuild").is_file(), reason="npm ci not run")


def test_build_writes_hashed_files_and_a_manifest(tmp_path):
    m = vendor.build_bundle(NODE_MODULES, tmp_path)
    assert json.loads((tmp_path / "map" / "manifest.json").read_text()) == m
    js, css = (tmp_path / m["js"]).read_text(encoding="utf-8"), (tmp_path / m["css"]).read_text(encoding="utf-8")
    assert m["js"].startswith("map/cityrank-map.") and m["css"].endswith(".css")
    assert "Leaflet" in js and "export{" in js.replace(" ", "")  # the licence kept; classify exported
    assert "cr-inset" in js and "insetSvg" not in js  # inset.js bundled and minified
    assert ".leaflet-tooltip" in css and ".cr-map" in css  # Leaflet's rules in use, then map.css
    assert "url(" not in css and ".leaflet-popup" not in css and ".leaflet-tile" not in css
    assert m["sources"] == vendor.source_hash()


def test_a_stale_bundle_is_rebuilt_not_served(tmp_path):
    m = vendor.build_bundle(NODE_MODULES, tmp_path)
    manifest = tmp_path / "map" / "manifest.json"
    manifest.write_text(json.dumps({**m, "sources": "older"}), encoding="utf-8")
    (tmp_path / m["js"]).unlink()
    again = vendor.client_bundle(tmp_path)  # a checkout with esbuild: rebuilt from the sources
    assert again["sources"] == vendor.source_hash() and (tmp_path / again["js"]).is_file()
    assert vendor.client_path("vendor/" + again["js"], tmp_path) == tmp_path / again["js"]
    assert vendor.client_path("vendor/leaflet/leaflet.js", tmp_path) is None  # only the bundle is served
