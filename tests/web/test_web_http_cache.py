"""HTTP caching of the big, repeated responses: compressed once, strong ETags, Cache-Control,
304 on revalidation, and cached HTML whose CSP allows its inline scripts by hash (no nonce)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import re

import pytest

from cityrank import paths

DATASET = "ndrc-2017-simulated"
CACHED = {
    "/": "no-cache",
    "/?lang=en&indicator=perception": "no-cache",
    f"/embed/{DATASET}": "no-cache",
    f"/embed/{DATASET}?dark=1&lang=en": "no-cache",
    "/api/v1/geometry": "public, max-age=600",
    f"/api/v1/geometry?dataset={DATASET}&format=topojson": "public, max-age=600",
    f"/api/v1/datasets/{DATASET}/scores": "public, max-age=600",
    f"/api/v1/datasets/{DATASET}/scores?format=csv": "public, max-age=600",
    "/vendor/leaflet/leaflet.js": "public, max-age=86400",
}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.mark.parametrize("path", list(CACHED))
def test_repeated_get_revalidates_to_304_without_a_body(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["Cache-Control"] == CACHED[path]
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong: a hash of the identity body
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == CACHED[path]
    assert client.get(path, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert "Content-Security-Policy" in again.headers
    other = client.get(path, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
    assert other.status_code == 200 and other.data == first.data


@pytest.mark.parametrize("path", list(CACHED))
def test_gzip_body_is_the_identity_body_compressed(client, path):
    identity = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert "Content-Encoding" not in identity.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == identity.data
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in identity.headers["Vary"]
    # the two representations have their own validators, and each revalidates
    assert packed.headers["ETag"] != identity.headers["ETag"]
    assert client.get(path, headers={**GZIP, "If-None-Match": packed.headers["ETag"]}).status_code == 304
    assert client.get(path, headers={**GZIP, "If-None-Match": identity.headers["ETag"]}).status_code == 304
    # compressed once: the stored gzip bytes come back unchanged
    assert client.get(path, headers=GZIP).data == packed.data


def test_compressed_once_not_per_request(app, client, monkeypatch):
    """A cached response is served without calling gzip again."""
    import cityrank.service.response as response
    import cityrank.web.compress as compress

    client.get("/api/v1/geometry", headers=GZIP)  # built (and compressed) at most here

    def refuse(*a, **k):
        raise AssertionError("gzip.compress called for a cached response")

    monkeypatch.setattr(response.gzip, "compress", refuse)
    monkeypatch.setattr(compress.gzip, "compress", refuse)
    r = client.get("/api/v1/geometry", headers=GZIP)
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"


def _sha(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def _inline_scripts(html: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
            if "src=" not in m.group(1)]


@pytest.mark.parametrize("a, b", [("/", "/?lang=en"), (f"/embed/{DATASET}", f"/embed/{DATASET}?indicator=perception")])
def test_cached_html_csp_allows_exactly_its_own_scripts_and_has_no_nonce(client, a, b):
    """The map pages run no inline script at all (the client is a static module; its config is a
    JSON data block, never executed), so the policy allows scripts from 'self' only."""
    pages = {}
    for path in (a, b, a):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        script_src = csp.split("script-src")[1].split(";")[0]
        assert "nonce" not in csp and "unsafe-inline" not in script_src
        allowed = set(re.findall(r"'(sha256-[^']+)'", csp))
        html = r.get_data(as_text=True)
        executable = [body for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
                      if "src=" not in attrs and "application/json" not in attrs]
        assert executable == [] and allowed == {_sha(s) for s in executable}
        assert 'type="application/json" class="cr-config"' in html
        pages.setdefault(path, []).append((r.data, csp))
    assert pages[a][0] == pages[a][1]  # the same page twice: the same body, the same policy
    assert pages[a][0][0] != pages[b][0][0]


def test_uncached_pages_carry_no_script_hashes(client):
    r = client.get("/groups")
    assert "ETag" not in r.headers and "sha256-" not in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/ranking", "/ranking?lang=en", "/city/330200", "/city/330200?dataset=ndrc-2017-top10"])
def test_ranking_and_city_pages_are_rendered_once(client, path):
    """Their rank intervals and profiles come from the cache: the pages are kept per URL too."""
    r = client.get(path)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache" and r.headers["ETag"]
    assert client.get(path).data == r.data
    assert client.get(path, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_uploads_are_never_cached_and_their_data_is_private(client):
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    r = client.post("/api/v1/datasets", data={"file": (io.BytesIO(data), "t.csv"), "system": "ndrc-2017"},
                    content_type="multipart/form-data")
    assert r.status_code == 201 and "ETag" not in r.headers and "Cache-Control" not in r.headers
    did = r.get_json()["id"]
    form = client.post("/upload", data={"file": (io.BytesIO(data), "t.csv"), "system": "ndrc-2017"},
                       content_type="multipart/form-data")
    assert form.status_code == 303 and "ETag" not in form.headers
    page = client.get(f"/upload/{did}")
    assert page.status_code == 200 and "ETag" not in page.headers
    for path in (f"/?dataset={did}", f"/api/v1/geometry?dataset={did}", f"/api/v1/datasets/{did}/scores",
                 f"/ranking?dataset={did}", f"/city/330200?dataset={did}", f"/api/v1/datasets/{did}/uncertainty"):
        got = client.get(path)
        assert got.status_code == 200 and got.headers["Cache-Control"] == "private, no-cache", path
        assert client.get(path, headers={"If-None-Match": got.headers["ETag"]}).status_code == 304
