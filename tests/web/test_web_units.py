"""Small units of the web adapter: colours, compact GeoJSON, CSP script hashes, asset localisation."""

from __future__ import annotations

import folium
import numpy as np
import pytest
from flask import Flask, g
from shapely.geometry import Polygon

from cityrank.service import vendor
from cityrank.service.classes import PALETTES, ClassificationError, classify
from cityrank.service.geojson import feature_collection
from cityrank.web import security


def test_classify_published_bins_left_closed():
    values = [25.0, 30.0, 45.1, 59.9, 60.0, 68.4, np.nan]
    cl = classify(values, "published")
    assert cl.labels == ["< 30", "30 – 40", "40 – 50", "50 – 60", "≥ 60"]
    assert list(cl.yb) == [0, 1, 2, 3, 4, 4, -1]
    assert cl.colours == PALETTES[5]
    assert cl.colour_at(6) is None


def test_classify_quantiles_and_errors():
    cl = classify(np.arange(100, dtype=float), "quantiles", 4)
    assert np.bincount(cl.yb).tolist() == [25, 25, 25, 25]
    with pytest.raises(ClassificationError):
        classify([1.0, 2.0], "bogus")
    with pytest.raises(ClassificationError):
        classify([1.0, 2.0, 3.0], "quantiles", 12)


def test_feature_collection_rounds_and_drops_repeated_points():
    import geopandas as gpd

    square = Polygon([(0, 0), (1.00001, 0), (1.00002, 0), (1, 1), (0, 1)])
    gdf = gpd.GeoDataFrame({"code": ["110000"], "name": ["北京市"], "total": [np.nan]},
                           geometry=[square], crs=4490)
    fc = feature_collection(gdf, ["code", "name", "total"], precision=2)
    f = fc["features"][0]
    assert f["id"] == "110000" and f["properties"] == {"code": "110000", "name": "北京市", "total": None}
    ring = f["geometry"]["coordinates"][0]
    assert ring == [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]


def test_trusted_html_allows_each_inline_script_by_hash():
    import base64
    import hashlib

    def sha(text):
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    app = Flask(__name__)
    with app.test_request_context("/"):
        html = '<script src="/a.js"></script><SCRIPT>x()</SCRIPT><script type="module">\ny;\n</script >'
        assert security.trusted_html(html) == html  # unchanged: no nonce, no rewriting
        assert str(security.inline_script("z()")) == "<script>z()</script>"
        hashes = list(g.csp_hashes)
    assert hashes == [sha("x()"), sha("\ny;\n"), sha("z()")]  # external scripts need none
    policy = security.policy("'self'", hashes)
    script_src = policy.split("script-src")[1].split(";")[0]
    assert all(h in script_src for h in hashes) and "unsafe-inline" not in script_src
    assert "nonce" not in policy


def test_localise_assets_points_folium_at_vendor_and_refuses_unknown():
    m = folium.Map(tiles=None)
    vendor.localise_assets(m.get_root())
    header = m.get_root().render()
    assert "/vendor/leaflet/leaflet.js" in header
    assert "http" not in header.split("<body>")[0].replace("http-equiv", "")
    assert folium.Map.default_js[0][1].startswith("https://")  # class defaults untouched
    mounted = folium.Map(tiles=None)
    vendor.localise_assets(mounted.get_root(), root="/cityrank")
    assert '"/cityrank/vendor/leaflet/leaflet.js"' in mounted.get_root().render()
    m2 = folium.Map(tiles=None)
    m2.default_js = [*m2.default_js, ("some_plugin", "https://cdn.example/p.js")]
    with pytest.raises(KeyError, match="some_plugin"):
        vendor.localise_assets(m2.get_root())


def test_vendor_etag_304(client):
    r = client.get("/vendor/leaflet/leaflet.css")
    etag = r.headers["ETag"]
    assert client.get("/vendor/leaflet/leaflet.css", headers={"If-None-Match": etag}).status_code == 304


def test_small_responses_not_gzipped(client):
    r = client.get("/api/v1/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers and r.get_json()["openapi"] == "/api/v1/openapi.json"


def test_cross_origin_headers_for_embeds_and_open_data(client):
    host = client.get("/static/embed-host.js")
    assert host.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    host.close()
    api = client.get("/api/v1/")
    assert api.headers["Access-Control-Allow-Origin"] == "*"
    page = client.get("/groups")
    assert page.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Access-Control-Allow-Origin" not in page.headers
