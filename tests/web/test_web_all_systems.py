"""Every shipped indicator system, uploaded as a user would upload it, renders every page, API
route and export of the viewer in both languages (issue 8: an ``ndrc-2018`` upload used to
return 201 and then raise TypeError on the dataset API, the map and the city page).

For each system in ``cityrank/config/indicators`` the test fills the system's own data-entry
headers (:func:`cityrank.scoring.template.header_for`) with seeded random values inside each
indicator's range, uploads two years of it through ``/api/v1/datasets``, and then requests
every GET route of the app that takes a dataset; a guard test fails when a route is added that
this list does not cover, so a new page cannot skip the check."""

from __future__ import annotations

import html as htmllib
import io
import json
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cityrank import paths
from cityrank.scoring.system import load_system
from cityrank.scoring.template import _range, eligible_units, header_for
from tests.web.test_web_render_all import BAD_ANYWHERE, SHOWN_VALUE, shown_text

SYSTEMS = sorted(p.stem for p in paths.INDICATORS_DIR.glob("*.yaml"))
LANGS = ("zh", "en")
# GET routes that take no dataset (served the same for every system) or are files of the app
NOT_PER_DATASET = {"static", "vendor.vendor", "maps.asset", "maps.geo", "api.openapi", "api.root",
                   "api.datasets", "api.geometry", "ogc.landing", "ogc.conformance", "ogc.collections",
                   "upload.upload_form", "analysis.page_default"}


def _values(node, n: int, rng) -> np.ndarray:
    """Seeded values inside the indicator's range, as a user would enter them."""
    lo, hi = _range(node)
    if node.deduction:
        return rng.integers(0, 3, n).astype(float)
    if hi is not None and np.isfinite(lo):
        return np.round(rng.uniform(lo, hi, n), 2)
    return np.round(rng.normal(50, 15, n), 2)  # raw values of a min-max indicator


def filled_template(system_id: str, seed: int) -> bytes:
    system = load_system(paths.INDICATORS_DIR / f"{system_id}.yaml")
    units = eligible_units(system)
    count = system.universe.get("count")
    if count and count < len(units):  # e.g. the top 100 cities by GDP: a sample of that size
        units = units.sample(n=int(count), random_state=seed).sort_values("code")
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"代码": units["code"].to_numpy(), "城市": units["name"].to_numpy()})
    for nid in system.leaves:
        node = system.nodes[nid]
        df[header_for(node, "zh")] = _values(node, len(df), rng)
    return df.to_csv(index=False).encode("utf-8")


@pytest.fixture(scope="module")
def uploaded(app):
    """``{system: (dataset 2018, dataset 2019, a scored city code)}``, uploaded through the API."""
    client = app.test_client()
    out = {}
    for i, sid in enumerate(SYSTEMS):
        ids = []
        for year in (2018, 2019):
            data = filled_template(sid, seed=100 * i + year)
            r = client.post("/api/v1/datasets", data={
                "file": (io.BytesIO(data), f"{sid}-{year}-模拟数据.csv"), "system": sid, "year": str(year)},
                content_type="multipart/form-data")
            assert r.status_code == 201, (sid, r.get_json())
            ids.append(r.get_json()["id"])
        scores = client.get(f"/api/v1/datasets/{ids[1]}/scores").get_json()["scores"]
        out[sid] = (*ids, str(scores[0]["code"]))
    return out


def urls(app, sid: str, a: str, b: str, code: str) -> list[str]:
    """Every GET URL of one uploaded dataset: pages, exports, API, OGC, images."""
    from cityrank.geo.regions import region_ids

    system = load_system(paths.INDICATORS_DIR / f"{sid}.yaml")
    q = f"dataset={b}"
    out = [f"/?{q}", f"/ranking?{q}", f"/ranking.csv?{q}", f"/ranking.xlsx?{q}", f"/city/{code}?{q}", f"/groups?{q}", f"/cluster/yrd-2016?{q}", f"/clusters/compare?{q}",
           f"/analysis/{b}", f"/api/v1/datasets/{b}/analysis", f"/embed/{b}", f"/embed/{b}.png",
           f"/embed/{b}.pdf", f"/upload/{b}", f"/api/v1/datasets/{b}", f"/api/v1/datasets/{b}/cities/{code}",
           f"/api/v1/datasets/{b}/scores", f"/api/v1/datasets/{b}/scores?format=csv",
           f"/api/v1/datasets/{b}/summary", f"/api/v1/datasets/{b}/system", f"/api/v1/datasets/{b}/uncertainty",
           f"/api/v1/datasets/{b}/workbook.xlsx", f"/api/v1/datasets/{b}/covariates", f"/ogc/collections/{b}", f"/ogc/collections/{b}/items?limit=5",
           f"/ogc/collections/{b}/items/{code}", f"/change?from={a}&to={b}", f"/api/v1/compare?from={a}&to={b}",
           f"/api/v1/compare/map?from={a}&to={b}", f"/api/v1/systems/{sid}/template.xlsx"]
    out += [f"/region/{r}?{q}" for r in region_ids()]
    out.append(f"/analysis/{b}/lisa_clusters.png")  # and every image a page links (see below)
    out += [f"/api/v1/datasets/{b}/map?indicator={nid}" for nid in ("total", *system.first_level)]
    return out


def _endpoint(app, url: str) -> str:
    path = url.split("?")[0]
    return app.url_map.bind("localhost").match(path, method="GET")[0]


def test_every_get_route_is_covered(app):
    """A route added later must be added to :func:`urls` (or named as not per dataset)."""
    covered = {_endpoint(app, u) for u in urls(app, "ndrc-2017", "a", "b", "330100")}
    get_routes = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    missing = get_routes - covered - NOT_PER_DATASET
    assert not missing, f"GET routes not rendered for every system: {sorted(missing)}"


def _check_body(url: str, r, lang: str) -> None:
    kind = r.headers.get("Content-Type", "")
    body = r.data
    if kind.startswith("text/html"):
        html = body.decode("utf-8")
        for bad in BAD_ANYWHERE:
            assert bad not in html, (url, bad)
        shown = SHOWN_VALUE.search(shown_text(html))
        assert not shown, (url, shown and html[max(0, shown.start() - 200):shown.end() + 200])
        if lang == "zh":
            assert 'lang="zh' in html, url
        else:
            assert 'lang="en"' in html, url
    elif "json" in kind:
        json.loads(body)
    elif kind.startswith("image/png"):
        assert body.startswith(b"\x89PNG"), url
    elif kind.startswith("application/pdf"):
        assert body.startswith(b"%PDF"), url
    elif "spreadsheetml" in kind:
        wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        assert wb.sheetnames, url
        wb.close()
    elif kind.startswith("text/csv"):
        assert len(body.decode("utf-8-sig").splitlines()) > 1, url


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("sid", SYSTEMS)
def test_every_page_api_route_and_export_renders(app, uploaded, sid, lang):
    client = app.test_client()
    a, b, code = uploaded[sid]
    failures = []
    todo = [f"{u}{'&' if '?' in u else '?'}lang={lang}" for u in urls(app, sid, a, b, code)]
    seen = set(todo)
    while todo:
        full = todo.pop(0)
        r = client.get(full)
        if r.status_code == 200 and r.headers.get("Content-Type", "").startswith("text/html"):
            for src in re.findall(r'<img[^>]+src="(/[^"]+)"', r.get_data(as_text=True)):
                src = htmllib.unescape(src)  # an image a page shows must be there
                if src not in seen:
                    seen.add(src)
                    todo.append(src)
        if r.status_code != 200:
            failures.append(f"{full}: {r.status_code} {r.data[:300]!r}")
            continue
        try:
            _check_body(full, r, lang)
        except AssertionError as exc:
            failures.append(f"{full}: {exc}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("sid", SYSTEMS)
def test_exports_for_people_follow_the_language(app, uploaded, sid):
    """The ranking export and the workbook: sheets and headers in the page's language."""
    client = app.test_client()
    _, b, _ = uploaded[sid]
    for lang, ranking_sheet, code_header in (("zh", "排名", "代码"), ("en", "ranking", "code")):
        wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/ranking.xlsx?dataset={b}&lang={lang}").data))
        assert ranking_sheet in wb.sheetnames
        head = [c.value for c in next(wb[ranking_sheet].iter_rows(max_row=1))]
        assert code_header in head, (lang, head)
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/v1/datasets/{b}/workbook.xlsx?lang={lang}").data))
        assert ("说明" if lang == "zh" else "about") in book.sheetnames or ("备注" if lang == "zh" else "notes") in book.sheetnames


@pytest.mark.parametrize("url, zh, en", [
    ("/city/110000?dataset=ndrc-2017-simulated", "北京市 (110000)”不在数据集", "'北京市 (110000)' is not among the cities"),
    ("/city/999999", "没有代码或名称为“999999”的城市", "There is no city with the code or name '999999'"),
    ("/region/Nowhere", "没有区域“Nowhere”", "There is no region 'Nowhere'"),
    ("/cluster/nowhere", "没有城市群“nowhere”", "There is no city cluster 'nowhere'"),
    ("/ranking?dataset=nope", "没有数据集“nope”", "There is no dataset 'nope'"),
    ("/ranking.pdf", "不支持的导出格式“pdf”", "Unknown export format 'pdf'"),
])
def test_error_pages_follow_the_page_language(client, url, zh, en):
    """A bad address gets an error page worded in the page's language, with a way back."""
    sep = "&" if "?" in url else "?"
    for lang, words, back in (("zh", zh, "返回"), ("en", en, "Back")):
        r = client.get(f"{url}{sep}lang={lang}")
        assert r.status_code in (400, 404)
        html = r.get_data(as_text=True)
        assert htmllib.unescape(html).count(words) == 1, (lang, html[-800:])
        assert back in html


def test_the_api_keeps_english_messages_unless_asked():
    from cityrank.web.app import create_app

    c = create_app({"TESTING": True}).test_client()
    assert "unknown dataset 'nope'" in c.get("/api/v1/datasets/nope").get_json()["error"]["message"]
    zh = c.get("/api/v1/datasets/nope?lang=zh").get_json()["error"]["message"]
    assert zh.startswith("没有数据集“nope”")
