"""Uploads through the Flask test client: a GBK file keyed by traditional names (with 萊蕪市)
scores exactly like the bundled data; every problem names file, row and column; refusals
(size, extension, disguised files, cross-origin posts) are clear; uploads expire."""

from __future__ import annotations

import io
import re
from html import unescape

import opencc
import openpyxl
import pandas as pd
import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cityrank import paths
from cityrank.service import uploads as up

DATASET = "ndrc-2017-simulated"
XSS = "<img src=x onerror=alert(1)>"


def demo_frame() -> pd.DataFrame:
    return pd.read_csv(paths.DEMO_DIR / "ndrc-2017-simulated.csv", dtype=str, keep_default_na=False)


def traditional_gbk_csv() -> bytes:
    """The bundled simulated data keyed by traditional-character names only (no codes), with
    济南's row named 萊蕪市 (merged into 济南 in 2019), encoded in GBK as Excel saves it."""
    cc = opencc.OpenCC("s2t")
    df = demo_frame()
    df["name"] = [cc.convert(n) for n in df["name"]]
    df["province"] = [cc.convert(p) for p in df["province"]]
    df.loc[df["code"] == "370100", "name"] = "萊蕪市"
    return df.drop(columns=["code"]).to_csv(index=False).encode("gbk")


def post(client, data: bytes, name: str, url: str = "/upload", **form):
    fields = {"file": (io.BytesIO(data), name), "system": "ndrc-2017", **form}
    return client.post(url, data=fields, content_type="multipart/form-data")


def problem_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(file, row, column, message) of each row of the problems table."""
    body = html.split('id="cr-problems"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr data-kind=\"[a-z_]+\">\s*(.*?)</tr>", body, re.S)
    return [tuple(unescape(c.strip()) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)) for r in rows]


@pytest.fixture(scope="module")
def gbk_upload(client):
    r = post(client, traditional_gbk_csv(), "城市數據.csv", encoding="auto")
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    return r.headers["Location"].split("/upload/", 1)[1].split("?", 1)[0]


@pytest.fixture(scope="module")
def client(app):  # module scope: the uploaded dataset is reused by several tests
    return app.test_client()


def test_gbk_traditional_upload_scores_like_the_bundled_data(client, gbk_upload):
    assert gbk_upload.startswith("upload-")
    page = client.get(f"/upload/{gbk_upload}").get_data(as_text=True)
    warnings = page.split('id="cr-upload-warnings"', 1)[1].split("</section>", 1)[0]
    laiwu = [w for w in re.findall(r"<li[^>]*>(.*?)</li>", warnings, re.S) if "萊蕪" in unescape(w)]
    assert len(laiwu) == 1 and "济南" in laiwu[0] and "第 127 行" in laiwu[0] and "城市數據.csv" in laiwu[0]
    page_en = client.get(f"/upload/{gbk_upload}?lang=en").get_data(as_text=True)
    assert "row 127" in page_en.split('id="cr-upload-warnings"', 1)[1].split("</section>", 1)[0]
    assert "293" in page and "用户上传：城市數據.csv" in page
    assert "uploaded by user: 城市數據.csv" in page_en
    assert "cr-synthetic" in page  # the file has a synthetic column: it says so

    mine = client.get(f"/api/v1/datasets/{gbk_upload}/scores").get_json()
    ref = client.get(f"/api/v1/datasets/{DATASET}/scores").get_json()
    assert mine["synthetic"] is True and mine["count"] == ref["count"] == 293
    by_code = {s["code"]: (s["total"], s["rank"]) for s in mine["scores"]}
    assert by_code == {s["code"]: (s["total"], s["rank"]) for s in ref["scores"]}
    assert by_code["370100"] == next((s["total"], s["rank"]) for s in ref["scores"] if s["code"] == "370100")
    s_mine = client.get(f"/api/v1/datasets/{gbk_upload}/summary").get_json()["summary"]
    s_ref = client.get(f"/api/v1/datasets/{DATASET}/summary").get_json()["summary"]
    assert s_mine["mean"] == pytest.approx(s_ref["mean"]) == pytest.approx(45.1, abs=0.01)
    assert s_mine["bins"] == s_ref["bins"]


@pytest.mark.parametrize("path", ["/?dataset={id}", "/ranking?dataset={id}", "/city/370100?dataset={id}",
                                  "/embed/{id}", "/api/v1/datasets/{id}", "/ogc/collections/{id}/items?limit=5",
                                  "/api/v1/geometry?dataset={id}"])
def test_uploaded_dataset_is_served_like_a_bundled_one(client, gbk_upload, path):
    r = client.get(path.format(id=gbk_upload))
    assert r.status_code == 200, path
    text = r.get_data(as_text=True)
    assert gbk_upload in text or path.startswith("/city")


def test_map_page_offers_the_uploaded_dataset_in_its_choice(client, gbk_upload):
    html = client.get(f"/?dataset={gbk_upload}").get_data(as_text=True)
    assert re.search(rf'<option value="{gbk_upload}" selected>城市數據', html)


def test_problems_name_file_row_and_column(client):
    df = demo_frame()
    df.loc[4, "video_sharing"] = "abc"  # spreadsheet row 6
    df.loc[9, "code"] = ""
    df.loc[9, "name"] = "不存在市"  # row 11, keyed by name in the code column's absence
    df = df.drop(columns=["code"])
    r = post(client, df.to_csv(index=False).encode("utf-8"), "bad.csv")
    assert r.status_code == 400
    rows = problem_rows(r.get_data(as_text=True))
    assert ("bad.csv", "6", "video_sharing", "「abc」不是数字") in rows  # the page's language
    unknown = [p for p in rows if p[1] == "11"]
    assert unknown and unknown[0][2] == "name" and "不存在市" in unknown[0][3]
    assert [int(p[1]) for p in rows] == sorted(int(p[1]) for p in rows)  # in spreadsheet order
    assert "发现" in r.get_data(as_text=True)  # the page says nothing was scored
    r_en = post(client, df.to_csv(index=False).encode("utf-8"), "bad.csv", url="/upload?lang=en")
    assert ("bad.csv", "6", "video_sharing", "'abc' is not a number") in problem_rows(
        r_en.get_data(as_text=True))


def test_api_bad_data_is_400_with_problems(client):
    df = demo_frame()
    df.loc[0, "open_data"] = "n.a.x"
    df.loc[1, "code"] = "999999"
    r = post(client, df.to_csv(index=False).encode("utf-8"), "api-bad.csv", url="/api/v1/datasets")
    assert r.status_code == 400 and r.is_json
    body = r.get_json()
    assert body["ok"] is False and "id" not in body
    probs = {(p["file"], p["row"], p["column"], p["kind"]) for p in body["problems"]}
    assert ("api-bad.csv", 2, "open_data", "non_numeric") in probs
    assert ("api-bad.csv", 3, "code", "unknown_unit") in probs
    assert all({"file", "row", "column", "message"} <= set(p) for p in body["problems"])


def test_api_upload_created_with_summary(client):
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    r = post(client, data, "top10.csv", url="/api/v1/datasets")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert r.headers["Location"] == f"/api/v1/datasets/{body['id']}"
    assert body["synthetic"] is False and body["n_units"] == 10  # published, real figures
    assert body["source"] == "uploaded by user: top10.csv"
    ref = client.get("/api/v1/datasets/ndrc-2017-top10/summary").get_json()["summary"]
    assert body["summary"]["mean"] == pytest.approx(ref["mean"])
    assert client.get(body["links"]["api"]).get_json()["synthetic"] is False


def test_simulated_file_name_marks_the_dataset_synthetic(client):
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    body = post(client, data, "2017模拟数据.csv", url="/api/v1/datasets").get_json()
    assert body["synthetic"] is True


@pytest.mark.parametrize("url", ["/upload", "/api/v1/datasets"])
def test_three_megabytes_is_413_with_a_clear_message(client, url):
    # Encoded in memory: the test client would spool a body this size to an unclosed temp file.
    big = FileStorage(io.BytesIO(b"code,name\n" + b"1" * (3 * 1024 * 1024)), filename="big.csv")
    boundary, body = encode_multipart({"file": big, "system": "ndrc-2017"})
    r = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 413
    text = r.get_json()["error"]["message"] if url.startswith("/api") else unescape(r.get_data(as_text=True))
    assert ("2 MB" in text) and ("too large" in text or "文件太大" in text)


def test_xss_city_name_is_shown_literally(client):
    df = demo_frame().drop(columns=["code"])
    df.loc[0, "name"] = XSS
    r = post(client, df.to_csv(index=False).encode("utf-8"), f"{XSS}.csv")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    row = [p for p in problem_rows(html) if p[1] == "2"]
    assert row and XSS in row[0][3] and row[0][2] == "name"


@pytest.mark.parametrize("name, data, kind", [
    ("data.txt", b"code,name\n330100,x\n", "bad_extension"),
    ("data", b"code,name\n330100,x\n", "bad_extension"),
    ("data.xls", b"\xd0\xcf\x11\xe0rest", "bad_extension"),
    ("data.xlsx", b"code,name\n330100,x\n", "not_xlsx"),
    ("data.csv", b"PK\x03\x04" + b"\x00" * 40, "not_csv"),
    ("data.csv", b"code,name\x00\x01\x02", "not_csv"),
    ("data.csv", b"   \n", "empty"),
])
def test_files_that_are_not_what_they_claim_are_refused(client, name, data, kind):
    body = post(client, data, name, url="/api/v1/datasets").get_json()
    assert [p["kind"] for p in body["problems"]] == [kind]


def test_forced_utf8_on_a_gbk_file_names_the_users_file(client):
    body = post(client, traditional_gbk_csv(), "gbk.csv", url="/api/v1/datasets",
                encoding="utf-8").get_json()
    (p,) = body["problems"]
    assert p["kind"] == "unreadable" and p["file"] == "gbk.csv"
    assert "gbk.csv: cannot decode as utf-8" in p["message"] and "cityrank-upload" not in p["message"]


def test_xlsx_template_round_trip(client):
    r = client.get("/api/v1/systems/ndrc-2017/template.xlsx")
    assert r.status_code == 200 and r.data.startswith(b"PK")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    ws = wb["数据"]  # Simplified Chinese by default (scoring.template, lang="zh")
    header = [c.value for c in ws[1]]
    assert header[:3] == ["代码", "城市", "省份"] and "[population_db]" in header[3]
    demo = demo_frame().set_index("code")
    ids = [re.search(r"\[(\w+)\]", h).group(1) for h in header[3:]]
    for row in ws.iter_rows(min_row=2):
        vals = demo.loc[row[0].value]
        for cell, nid in zip(row[3:], ids, strict=True):
            cell.value = float(vals[nid])
    wb.move_sheet("数据", offset=1)  # the data are no longer the first sheet: name it
    buf = io.BytesIO()
    wb.save(buf)
    r = post(client, buf.getvalue(), "填报.xlsx", url="/api/v1/datasets", sheet="数据")
    assert r.status_code == 201, r.get_json()["problems"][:3]
    body = r.get_json()
    ref = client.get(f"/api/v1/datasets/{DATASET}/summary").get_json()["summary"]
    assert body["n_units"] == 293 and body["summary"]["mean"] == pytest.approx(ref["mean"])
    assert body["synthetic"] is False  # nothing in this workbook says it is simulated


def test_template_of_unknown_system_is_400(client):
    assert client.get("/api/v1/systems/nope/template.xlsx").status_code == 400
    assert client.get("/api/v1/systems/..%2F..%2Fetc/template.xlsx").status_code in (400, 404)


@pytest.mark.parametrize("headers, status", [
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Referer": "http://evil.example/page"}, 403),
    ({"Origin": "http://localhost"}, 201),
    ({}, 201),
])
@pytest.mark.parametrize("url", ["/api/v1/datasets", "/upload"])
def test_cross_origin_posts_are_refused(client, headers, status, url):
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    r = client.post(url, data={"file": (io.BytesIO(data), "t.csv")},
                    content_type="multipart/form-data", headers=headers)
    assert r.status_code == (303 if status == 201 and url == "/upload" else status)
    if status == 403:
        assert "Cross-site" in r.get_data(as_text=True) or "跨站" in r.get_data(as_text=True)


def test_openapi_documents_the_upload(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    post_op = doc["paths"]["/datasets"]["post"]
    schema = post_op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"] and set(schema["properties"]) >= {"file", "system", "encoding", "missing"}
    assert {"201", "400", "413"} <= set(post_op["responses"])
    problem = post_op["responses"]["400"]["content"]["application/json"]["schema"]["properties"]["problems"]
    assert {"file", "row", "column", "message"} <= set(problem["items"]["properties"])


def test_bad_parameters_are_400(client):
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    for form in ({"system": "../../etc/passwd"}, {"encoding": "latin-1"}, {"missing": "guess"}):
        r = post(client, data, "t.csv", url="/api/v1/datasets", **form)
        assert r.status_code == 400, form
    r = client.post("/api/v1/datasets", data={}, content_type="multipart/form-data")
    assert r.status_code == 400


def test_missing_value_policy_fills_and_warns(client):
    df = demo_frame()
    df.loc[3, "open_data"] = ""
    data = df.to_csv(index=False).encode("utf-8")
    assert post(client, data, "gap.csv", url="/api/v1/datasets").status_code == 400
    body = post(client, data, "gap.csv", url="/api/v1/datasets", missing="mean").get_json()
    assert body["ok"] and any("1 missing value(s) filled by policy 'mean'" in w for w in body["warnings"])


def test_upload_form_page(client):
    r = client.get("/upload?lang=en")
    html = r.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="file"' in html
    assert 'href="/api/v1/systems/ndrc-2017/template.xlsx"' in html
    # its one script is a static file: no inline script, so the CSP allows none
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/static/theme.js">',
                                                  '<script src="/static/nav.js" defer>',
                                                  '<script src="/static/upload.js">']
    assert "sha256-" not in r.headers["Content-Security-Policy"]
    with client.get("/static/upload.js") as js:
        assert js.status_code == 200
    assert "Upload data" in client.get("/?lang=en").get_data(as_text=True)  # nav link


def test_clean_filename():
    assert up.clean_filename("../../etc/passwd.csv") == "passwd.csv"
    assert up.clean_filename("C:\\Users\\王\\数据 2017.xlsx") == "数据 2017.xlsx"
    assert up.clean_filename('a<b>"c".csv') == "a_b__c_.csv"
    assert up.clean_filename("") == "upload" and up.clean_filename(".csv") == "upload.csv"


def test_expired_upload_is_404_and_its_caches_are_dropped(client):
    """An expiry (``UploadLimits.ttl``, off by default) ends an upload like a deletion: the
    next request answers 404 and drops everything derived from it."""
    from datetime import UTC, datetime, timedelta

    site = client.application.extensions["cityrank"]
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    did = post(client, data, "t.csv", url="/api/v1/datasets").get_json()["id"]
    assert client.get(f"/api/v1/datasets/{did}").status_code == 200
    # derived entries: the joined layer, the geometry document, the map values, the cached map page
    assert client.get(f"/api/v1/geometry?dataset={did}").status_code == 200
    assert client.get(f"/?dataset={did}").status_code == 200
    assert client.get(f"/api/v1/datasets/{did}/map?indicator=total").status_code == 200
    derived = {k[1] for k in site.cache.keys(did)}
    assert {"joined", "geometry", "map_values", "page"} <= derived, derived
    before = site.cache.bytes
    site.store.update(did, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    r = client.get(f"/api/v1/datasets/{did}")
    assert r.status_code == 404 and "expired" in r.get_json()["error"]["message"]
    assert site.cache.keys(did) == [] and site.cache.bytes < before
    assert client.get(f"/upload/{did}").status_code == 404
    assert site.store.sweep() == [did] and site.store.find(did) is None


def test_process_upload_id_is_reproducible_with_a_seed():
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    a = up.process_upload(data, "t.csv", "ndrc-2017", seed=7)
    b = up.process_upload(data, "t.csv", "ndrc-2017", seed=7)
    assert a.dataset.id == b.dataset.id and a.dataset.id.startswith("upload-")
    assert a.dataset.scores()["total"].tolist() == b.dataset.scores()["total"].tolist()


def test_problem_list_is_capped():
    rows = "\n".join(f"不存在{i}市,1" for i in range(up.MAX_PROBLEMS + 50))
    out = up.process_upload(f"name,population_db\n{rows}\n".encode(), "many.csv", "ndrc-2017")
    assert len(out.problems) == up.MAX_PROBLEMS + 1
    assert out.problems[-1].kind == "more_problems" and "more problem(s)" in out.problems[-1].message
    assert out.problems[0].row == 1  # header-level problems (missing indicator columns) first


def test_decimal_comma_upload_scores_like_the_point_file(client):
    """A European-style file (``;`` between fields, ``,`` as the decimal mark) with the form's
    decimal mark set scores exactly like the same numbers with points; without it, refused."""
    df = demo_frame()
    point = post(client, df.to_csv(index=False).encode("utf-8"), "point.csv", url="/api/v1/datasets").get_json()
    comma_df = df.copy()
    for col in comma_df.columns[3:]:
        comma_df[col] = comma_df[col].str.replace(".", ",", regex=False)
    data = comma_df.to_csv(index=False, sep=";").encode("utf-8")
    refused = post(client, data, "komma.csv", url="/api/v1/datasets")
    assert refused.status_code == 400
    r = post(client, data, "komma.csv", url="/api/v1/datasets", decimal=",")
    assert r.status_code == 201, r.get_json()
    a = client.get(f"/api/v1/datasets/{point['id']}/scores").get_json()["scores"]
    b = client.get(f"/api/v1/datasets/{r.get_json()['id']}/scores").get_json()["scores"]
    assert [(x["code"], x["total"], x["rank"]) for x in a] == [(x["code"], x["total"], x["rank"]) for x in b]


def test_vintage_is_kept_and_a_bad_one_is_a_parameter_error(client):
    data = demo_frame().to_csv(index=False).encode("utf-8")
    r = post(client, data, "v.csv", url="/api/v1/datasets", year="2017", vintage="2016-12-31")
    assert r.status_code == 201, r.get_json()
    assert client.get(f"/api/v1/datasets/{r.get_json()['id']}").get_json()["vintage"] == "2016-12-31"
    for form in ({"vintage": "last year"}, {"decimal": ";"}):
        bad = post(client, data, "v.csv", url="/api/v1/datasets", **form)
        assert bad.status_code == 400 and bad.get_json()["error"]["message"], form


@pytest.mark.parametrize("lang, decimal, vintage", [("zh", "小数点", "城市名单日期"), ("en", "Decimal mark", "City list as of")])
def test_the_form_offers_decimal_mark_and_city_list(client, lang, decimal, vintage):
    html = client.get(f"/upload?lang={lang}").get_data(as_text=True)
    assert f'<label class="form-label" for="u-decimal">{decimal}</label>' in html
    assert f'<label class="form-label" for="u-vintage">{vintage}' in html
    assert 'name="decimal"' in html and 'name="vintage"' in html
