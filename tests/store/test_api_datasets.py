"""``POST/GET/DELETE /api/v1/datasets`` on both backends (SQLite, a real PostgreSQL): an upload
survives a restart (a new app, a new process state, on the same database), a failed upload
leaves no row, a deleted one is gone for every app on the database, quotas and rate limits
answer honestly (429/503/507 with Retry-After where waiting helps), and the private temporary
directory is the only place a user's file touches the disk."""

from __future__ import annotations

import io
import os
import tempfile
import threading
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from cityrank import paths
from cityrank.service.limits import UploadLimits
from cityrank.store.models import DatasetRow, FileRow, RawRow, UnitRow
from cityrank.web.app import create_app

TOP10 = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
OPEN = UploadLimits(per_client=None, total=None, total_bytes=None, per_minute=1e6, burst=10**6,
                    queue=64)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    """(database URL, data directory) of one backend, shared by the module's apps."""
    root = tmp_path_factory.mktemp(f"store-{request.param}")
    if request.param == "sqlite":
        return f"sqlite:///{root / 'cityrank.sqlite3'}", root
    server = request.getfixturevalue("postgres")
    return server.url(server.create_db()), root


_OPEN_APPS: list = []


def make_app(backend, limits=OPEN):
    """An app on the backend's database (closed at the end of the module: its pooled
    connections are closed, not left to the garbage collector)."""
    url, root = backend
    app = create_app({"TESTING": True, "DATABASE_URL": url, "STORE_DIR": root,
                      "UPLOAD_LIMITS": limits})
    _OPEN_APPS.append(app)
    return app


@pytest.fixture(scope="module")
def app(backend):
    yield make_app(backend)
    while _OPEN_APPS:
        _OPEN_APPS.pop().extensions["cityrank"].close()


def post(client, data=TOP10, name="top10.csv", **form):
    fields = {"file": (io.BytesIO(data), name), "system": "ndrc-2017", **form}
    return client.post("/api/v1/datasets", data=fields, content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": form.pop("addr", "10.0.0.1")})


def rows(app, model=DatasetRow, **where) -> int:
    store = app.extensions["cityrank"].store
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    with store.engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def test_upload_survives_a_restart_and_is_deleted_for_everyone(app, backend):
    c = app.test_client()
    r = post(c, year="2017", title="前十名", note="核对用")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    did, token = body["id"], body["delete_token"]
    assert body["year"] == 2017 and body["revision"] == 1 and body["expires_at"] is None
    assert r.headers["Location"] == f"/api/v1/datasets/{did}"
    scores = c.get(f"/api/v1/datasets/{did}/scores").get_json()
    assert scores["count"] == 10

    again = make_app(backend).test_client()  # a restart: nothing shared but the database
    info = again.get(f"/api/v1/datasets/{did}").get_json()
    assert info["title"] == "前十名" and info["year"] == 2017 and info["kind"] == "upload"
    assert again.get(f"/api/v1/datasets/{did}/scores").get_json() == scores
    assert did not in [d["id"] for d in again.get("/api/v1/datasets").get_json()["datasets"]]

    assert again.delete(f"/api/v1/datasets/{did}").status_code == 403
    wrong = again.delete(f"/api/v1/datasets/{did}", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and "delete token" in wrong.get_json()["error"]["message_zh"] + \
        wrong.get_json()["error"]["message"]
    ok = again.delete(f"/api/v1/datasets/{did}", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.get_json() == {"deleted": did}
    # the first app had it cached: its next lookup finds it gone (revision check)
    assert c.get(f"/api/v1/datasets/{did}/scores").status_code == 404
    assert rows(app, DatasetRow, id=did) == 0 and rows(app, UnitRow, dataset_id=did) == 0
    assert rows(app, FileRow, dataset_id=did) == 0 and rows(app, RawRow, dataset_id=did) == 0


def test_a_failed_upload_leaves_no_row(app):
    c = app.test_client()
    before = rows(app)
    bad = TOP10.replace(b"10.0", b"ten", 1)
    r = post(c, bad, "bad.csv")
    assert r.status_code == 400 and r.get_json()["problems"]
    assert post(c, b"\x00\x01", "x.csv").status_code == 400
    assert rows(app) == before


def test_a_write_failing_half_way_leaves_no_row(app, monkeypatch):
    """The database refuses the last insert of the transaction: nothing of the upload stays."""
    from cityrank.store import repository

    c = app.test_client()
    before = (rows(app), rows(app, UnitRow), rows(app, RawRow), rows(app, FileRow))
    real = repository.insert

    def failing(table):
        if getattr(table, "name", "") == "dataset_files":
            raise RuntimeError("disk full (simulated)")
        return real(table)

    monkeypatch.setattr(repository, "insert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        post(c)
    assert (rows(app), rows(app, UnitRow), rows(app, RawRow), rows(app, FileRow)) == before


def test_quota_per_client_under_25_concurrent_uploads(backend):
    """The report's case: 25 concurrent uploads. Every 201 is kept; the others are told why."""
    app = make_app(backend, UploadLimits(per_client=20, total=None, total_bytes=None,
                                         per_minute=1e6, burst=10**6, workers=2, queue=64))
    statuses, ids = [], []
    lock = threading.Lock()

    def one():
        r = post(app.test_client(), addr="10.9.9.9")
        with lock:
            statuses.append(r.status_code)
            if r.status_code == 201:
                ids.append(r.get_json()["id"])
            else:
                assert r.get_json()["error"]["message_zh"]

    threads = [threading.Thread(target=one) for _ in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert sorted(statuses) == [201] * 20 + [429] * 5
    c = app.test_client()
    assert all(c.get(f"/api/v1/datasets/{i}").status_code == 200 for i in ids)
    r = post(c, addr="10.9.9.9")
    assert r.status_code == 429 and "Retry-After" not in r.headers  # only deleting helps
    assert "delete" in r.get_json()["error"]["message"].lower()
    assert "删除" in r.get_json()["error"]["message_zh"]
    page = c.post("/upload?lang=zh", data={"file": (io.BytesIO(TOP10), "t.csv"),
                                          "system": "ndrc-2017"},
                  content_type="multipart/form-data", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert page.status_code == 429 and "已达上限" in page.get_data(as_text=True)


def test_total_quota_is_507(backend):
    app = make_app(backend, UploadLimits(per_client=None, total=0, total_bytes=None,
                                         per_minute=1e6, burst=10**6))
    r = post(app.test_client(), addr="10.1.1.1")
    assert r.status_code == 507 and "storage" in r.get_json()["error"]["message"]


def test_rate_limit_is_429_with_retry_after(backend):
    app = make_app(backend, UploadLimits(per_client=None, total=None, total_bytes=None,
                                         per_minute=2, burst=2))
    c = app.test_client()
    codes = [post(c, b"code\n", "e.csv", addr="10.2.2.2").status_code for _ in range(3)]
    assert codes[:2] == [400, 400]  # bad files count too: the work was done
    r = post(c, addr="10.2.2.2")
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    assert post(c, addr="10.2.2.3").status_code == 201  # another client is not affected


def test_a_full_work_queue_is_503_with_retry_after(backend):
    app = make_app(backend, UploadLimits(per_client=None, total=None, total_bytes=None,
                                         per_minute=1e6, burst=10**6, workers=1, queue=0))
    site = app.extensions["cityrank"]
    gate, started = threading.Event(), threading.Event()

    def hold():
        started.set()
        gate.wait(60)

    t = threading.Thread(target=site.pool.run, args=(hold,))
    t.start()
    started.wait(10)
    try:
        r = post(app.test_client(), addr="10.3.3.3")
        assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1
        assert "busy" in r.get_json()["error"]["message"]
    finally:
        gate.set()
        t.join(10)
    assert post(app.test_client(), addr="10.3.3.3").status_code == 201


def test_files_touch_only_the_private_temp_dir(app, backend, monkeypatch):
    """While a file is read it is under <data dir>/tmp/p<pid>-*/; afterwards nothing is left
    there, and nothing was made in the system's temporary directory."""
    _, root = backend
    seen = []
    from cityrank.scoring import ingest as ingest_mod

    real = ingest_mod.ingest

    def spy(path, *a, **kw):
        seen.append(Path(path))
        return real(path, *a, **kw)

    monkeypatch.setattr(ingest_mod, "ingest", spy)
    system_tmp = set(os.listdir(tempfile.gettempdir()))
    assert post(app.test_client(), addr="10.4.4.4").status_code == 201
    assert seen and all(root / "tmp" in p.parents for p in seen)
    assert seen[0].name == "top10.csv" and not seen[0].exists()
    proc_dir = app.extensions["cityrank"].tmp.process_dir
    assert proc_dir.exists() and list(proc_dir.iterdir()) == []
    new = set(os.listdir(tempfile.gettempdir())) - system_tmp
    assert not [n for n in new if "cityrank" in n], new


def test_result_page_shows_year_system_and_delete_for_the_uploader_only(app):
    c = app.test_client()
    r = c.post("/upload", data={"file": (io.BytesIO(TOP10), "前十.csv"), "system": "ndrc-2017",
                                "year": "2017"},
               content_type="multipart/form-data", environ_base={"REMOTE_ADDR": "10.5.5.5"})
    assert r.status_code == 303
    did = r.headers["Location"].split("/upload/", 1)[1].split("?", 1)[0]
    page = c.get(f"/upload/{did}").get_data(as_text=True)
    assert "2017年数据 · 指标体系 ndrc-2017" in page and 'id="cr-delete"' in page
    assert "直到删除为止" in page and f"/api/v1/datasets/{did}/workbook.xlsx" in page
    other = app.test_client()  # another browser: no token, no delete button
    assert 'id="cr-delete"' not in other.get(f"/upload/{did}").get_data(as_text=True)
    assert other.post(f"/upload/{did}/delete").status_code == 403
    gone = c.post(f"/upload/{did}/delete")
    assert gone.status_code == 303 and "deleted=" in gone.headers["Location"]
    assert c.get(gone.headers["Location"]).get_data(as_text=True).count(did) >= 1
    assert c.get(f"/upload/{did}").status_code == 404


def test_workbook_round_trip(app):
    """The scored dataset comes back as a workbook in the template's layout, in the page's
    language, and that workbook reads back as an upload with the same scores."""
    import openpyxl

    c = app.test_client()
    demo = (paths.DEMO_DIR / "ndrc-2017-simulated.csv").read_bytes()
    did = post(c, demo, "模拟2017.csv", year="2017", addr="10.6.6.6").get_json()["id"]
    ref = c.get(f"/api/v1/datasets/{did}/scores").get_json()["scores"]
    zh = c.get(f"/api/v1/datasets/{did}/workbook.xlsx")
    en = c.get(f"/api/v1/datasets/{did}/workbook.xlsx?lang=en&intervals=0")
    assert zh.status_code == en.status_code == 200
    assert zh.headers["Cache-Control"].startswith("private")
    wb = openpyxl.load_workbook(io.BytesIO(zh.data))
    assert wb.sheetnames == ["数据", "得分", "问题与提示", "备注", "指标体系"]
    head = [x.value for x in wb["数据"][1]]
    assert head[:3] == ["代码", "城市", "省份"] and head[-3:] == ["总分", "排名", "模拟数据"]
    scores = [x.value for x in wb["得分"][1]]
    assert "中位名次" in scores and "名次区间下限（5%）" in scores
    notes = dict(wb["备注"].iter_rows(min_row=2, values_only=True))
    assert notes["年份"] == 2017 and notes["模拟数据"] == "是" and "蒙特卡洛" in notes["名次区间"]
    wb_en = openpyxl.load_workbook(io.BytesIO(en.data))
    assert wb_en.sheetnames == ["data", "scores", "problems", "notes", "indicators"]
    assert "median rank" not in [x.value for x in wb_en["scores"][1]]  # intervals=0
    # the year is declared again: 2017 data are scored on the end-2016 city list (那曲 542400)
    back = post(c, zh.data, "回传.xlsx", sheet="数据", year="2017", addr="10.6.6.6")
    assert back.status_code == 201, back.get_json()["problems"][:3]
    again = c.get(f"/api/v1/datasets/{back.get_json()['id']}/scores").get_json()
    assert again["synthetic"] is True
    assert {s["code"]: (s["total"], s["rank"]) for s in again["scores"]} == \
        {s["code"]: (s["total"], s["rank"]) for s in ref}
    assert not [w for w in back.get_json()["warning_details"] if w["kind"] == "published_mismatch"]


def test_formula_looking_text_is_written_as_text(app):
    import openpyxl

    c = app.test_client()
    r = post(c, name="=HYPERLINK(1).csv", title="=1+1", addr="10.7.7.7")
    assert r.status_code == 201
    data = c.get(f"/api/v1/datasets/{r.get_json()['id']}/workbook.xlsx").data
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_coverage_counts_only_rows_with_data(app):
    """A template with some rows left blank: the coverage box counts the filled ones."""
    df = pd.read_csv(paths.DEMO_DIR / "ndrc-2017-simulated.csv", dtype=str, keep_default_na=False)
    leaves = [c for c in df.columns if c not in ("code", "name", "province", "synthetic")]
    df.loc[20:, leaves] = ""
    c = app.test_client()
    r = post(c, df.to_csv(index=False).encode(), "部分.csv", missing="zero", addr="10.8.8.8")
    cov = r.get_json()["coverage"]
    assert cov["n_units"] == 20 and cov["n_rows"] == 293 and cov["n_blank"] == 273
    assert cov["universe"]["present"] == 20
