"""Viewer pages, exports, security headers, vendored assets and escaping (test client)."""

from __future__ import annotations

import gzip
import io
import re

import openpyxl
import pytest

DATASET = "ndrc-2017-simulated"


def test_index_has_map_source_and_synthetic_mark(client):
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "data-cr-map" in html and "模拟数据" in html and "数据来源" in html
    assert "台湾省资料暂缺" in html
    assert "南海" in html


def test_no_cdn_urls_anywhere_in_pages(client):
    for url in ("/", f"/embed/{DATASET}", "/ranking", "/city/330100"):
        html = client.get(url).get_data(as_text=True)
        external = re.findall(r"""(?:src|href)=["'](https?:)?//""", html)
        assert external == [], url
        assert "cdn" not in html.lower(), url


def test_english_switch(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Simulated data" in html and 'lang="en"' in html


@pytest.mark.parametrize("method", ["quantiles", "natural_breaks", "equal_interval", "published"])
def test_classifications(client, method):
    assert client.get(f"/?classification={method}").status_code == 200


def test_k_classes_in_legend(client):
    """The legend is drawn by the client from the config (tested in the browser); the page
    carries the classes asked for and the palettes of the one colour scheme."""
    import json

    from cityrank.geo.map_style import class_colours

    html = client.get("/?k=7&classification=equal_interval").get_data(as_text=True)
    cfg = json.loads(re.search(r'class="cr-config">(.*?)</script>', html, re.S).group(1))
    assert cfg["k"] == 7 and cfg["classification"] == "equal_interval"
    assert cfg["palettes"]["7"] == class_colours(7)
    assert client.get("/?k=9").status_code == 400
    assert client.get("/?k=x").status_code == 400


def test_published_bins_only_for_total(client):
    r = client.get("/?classification=published&indicator=perception")
    assert r.status_code == 400


def test_any_level_indicator(client):
    for ind in ("perception", "data_management", "population_db"):
        assert client.get(f"/?indicator={ind}").status_code == 200


def test_bad_parameters_are_400_and_unknown_dataset_404(client):
    assert client.get("/?classification=bogus").status_code == 400
    assert client.get("/?indicator=bogus").status_code == 400
    assert client.get("/embed/nope").status_code == 404


def test_security_headers_and_script_hashes(client):
    """No inline script runs on the map pages (the client is a static module, its config a JSON
    data block), so nothing is allowed by hash: no 'unsafe-inline', no nonce."""
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in script_src and "nonce" not in csp and "sha256-" not in script_src
    html = r.get_data(as_text=True)
    inline = [m.group(2) for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
              if "src=" not in m.group(1) and "application/json" not in m.group(1)]
    assert inline == []
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_embed_is_frameable(client):
    r = client.get(f"/embed/{DATASET}")
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers


def test_vendor_allow_list(client):
    assert client.get("/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/vendor/d3/d3.min.js").status_code == 200
    assert client.get("/vendor/leaflet/package.json").status_code == 404
    assert client.get("/vendor/../app.py").status_code == 404


def test_gzip(client):
    r = client.get(f"/embed/{DATASET}", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert b"data-cr-map" in gzip.decompress(r.data)


def test_ranking_page_and_exports(client):
    html = client.get("/ranking").get_data(as_text=True)
    assert html.count("<tr data-code=") == 293
    r = client.get(f"/ranking.csv?dataset={DATASET}")
    text = r.data.decode("utf-8-sig")
    assert "SIMULATED" in r.headers["Content-Disposition"]
    assert text.splitlines()[0].startswith("排名,代码,城市,省份,区域,总分")
    assert len(text.splitlines()) == 294 and "东部" in text and "East" not in text
    assert client.get(f"/ranking.csv?dataset={DATASET}&lang=en").data.decode("utf-8-sig").startswith(
        "rank,code,name,province,region,total")
    r = client.get(f"/ranking.xlsx?dataset={DATASET}")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["排名", "说明"] and wb["排名"].max_row == 294
    about = {row[0].value: row[1].value for row in wb["说明"].iter_rows(min_row=2)}
    assert about["模拟数据"] == "是" and "模拟数据" in about["注意"]
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/ranking.xlsx?dataset={DATASET}&lang=en").data))
    assert wb.sheetnames == ["ranking", "about"]
    about = {row[0].value: row[1].value for row in wb["about"].iter_rows(min_row=2)}
    assert about["synthetic"] == "yes" and "SIMULATED" in about["note"]
    assert client.get("/ranking.pdf").status_code == 400


def test_city_region_cluster_pages(client):
    html = client.get("/city/330100?dataset=ndrc-2017-top10").get_data(as_text=True)
    assert "杭州市" in html and "湖州市" in html and "全国均值" in html
    assert client.get("/region/East").status_code == 200
    assert "杭州市" in client.get("/cluster/yrd-2016").get_data(as_text=True)
    assert client.get("/cluster/nope").status_code == 404
    assert client.get("/city/999999").status_code == 404


def test_static_png(client):
    r = client.get(f"/embed/{DATASET}.png")
    assert r.status_code == 200 and r.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_evil_labels_are_escaped(evil_app):
    c = evil_app.test_client()
    html = c.get("/").get_data(as_text=True)
    assert "<img src=x onerror=alert(1)>" not in html
    # names reach the page in the client's JSON, with < > & escaped (no tag can open or close
    # the data block); the browser shows them as text (test_map_client_browser)
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "${alert(1)}" in html  # inert: never evaluated; checked in the browser
