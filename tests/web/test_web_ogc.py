"""OGC API - Features under /ogc, checked by hand and with the real GDAL (ogrinfo OAPIF)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

DATASET = "ndrc-2017-simulated"


def test_landing_and_conformance(client):
    body = client.get("/ogc").get_json()
    rels = {link["rel"] for link in body["links"]}
    assert {"self", "conformance", "data", "service-desc"} <= rels
    conf = client.get("/ogc/conformance?f=json").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf


def test_collections(client):
    body = client.get("/ogc/collections").get_json()
    ids = [c["id"] for c in body["collections"]]
    assert DATASET in ids and "ndrc-2017-top10" in ids
    col = client.get(f"/ogc/collections/{DATASET}").get_json()
    assert col["synthetic"] is True and "SIMULATED" in col["description"]
    assert any(link["rel"] == "items" for link in col["links"])


def test_items_paging_covers_every_feature_once(client):
    url = f"/ogc/collections/{DATASET}/items?limit=100"
    seen, pages = [], 0
    while url:
        r = client.get(url)
        assert r.mimetype == "application/geo+json"
        body = r.get_json()
        assert body["numberMatched"] == 375 and body["numberReturned"] == len(body["features"])
        seen += [f["id"] for f in body["features"]]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url = nxt[0].split("://", 1)[1].split("/", 1)[1] if nxt else None
        url = "/" + url if url else None
        pages += 1
    assert pages == 4 and len(seen) == len(set(seen)) == 375


def test_items_prev_link_and_bbox(client):
    body = client.get(f"/ogc/collections/{DATASET}/items?limit=10&offset=20").get_json()
    assert any(link["rel"] == "prev" and "offset=10" in link["href"] for link in body["links"])
    # a box around Hangzhou Bay: Hangzhou, Ningbo, Shaoxing, Jiaxing, ... but not Beijing
    body = client.get(f"/ogc/collections/{DATASET}/items?bbox=120.5,29.8,121.0,30.3&limit=1000").get_json()
    codes = {f["id"] for f in body["features"]}
    assert {"330100", "330600"} <= codes and "110000" not in codes
    assert body["numberMatched"] == len(codes) < 20


def test_single_item_and_errors(client):
    f = client.get(f"/ogc/collections/{DATASET}/items/330100?f=json").get_json()
    assert f["properties"]["name"] == "杭州市" and f["properties"]["synthetic"] is True
    assert isinstance(f["properties"]["rank"], int) and f["properties"]["total"] > 0
    assert client.get(f"/ogc/collections/{DATASET}/items/999999").status_code == 404
    assert client.get("/ogc/collections/nope/items").status_code == 404
    r = client.get(f"/ogc/collections/{DATASET}/items?limit=0")
    assert r.status_code == 400 and "limit" in r.get_json()["error"]["message"]
    assert client.get(f"/ogc/collections/{DATASET}/items?bbox=1,2,3").status_code == 400


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed (scripts/setup.sh --test)")
def test_gdal_ogrinfo_reads_cities_with_scores(live_server):
    url = f"OAPIF:{live_server}/ogc"
    summary = subprocess.run(["ogrinfo", "-ro", "-al", "-so", url], capture_output=True, text=True,
                             timeout=120, check=True).stdout
    assert f"Layer name: {DATASET}" in summary
    assert "Feature Count: 375" in summary
    assert re.search(r"^total: Real", summary, re.M) and re.search(r"^rank: Integer", summary, re.M)
    full = subprocess.run(["ogrinfo", "-ro", "-q", url, DATASET], capture_output=True, text=True,
                          timeout=180, check=True).stdout
    assert full.count("OGRFeature(") == 375
    totals = re.findall(r"^\s+total \(Real\) = (\S+)", full, re.M)
    assert len(totals) == 375 and sum(t != "(null)" for t in totals) == 293
    assert "name (String) = 杭州市" in full
