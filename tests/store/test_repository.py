"""The store on both backends (SQLite, a real PostgreSQL): what is put comes back exactly,
writes are all-or-nothing, quotas hold under concurrent writers, migrations are safe to race
and agree with the models."""

from __future__ import annotations

import doctest
import subprocess
import sys
import threading

import pandas as pd
import pytest
from sqlalchemy import func, select

from cityrank import paths
from cityrank.errors import NotFoundError, QuotaError
from cityrank.scoring.messages import Notice
from cityrank.service.uploads import score_table
from cityrank.store import DatasetRecord, Quota, Store
from cityrank.store import engine as eng
from cityrank.store.models import DatasetRow, RawRow, UnitRow


@pytest.fixture(scope="module")
def demo():
    return score_table(paths.DEMO_DIR / "ndrc-2017-simulated.csv", "ndrc-2017")


def record(did: str = "demo", kind: str = "added", **kw) -> DatasetRecord:
    return DatasetRecord(**{"id": did, "kind": kind, "title": "演示", "system_id": "ndrc-2017",
                            **kw})


def n_rows(store: Store, model) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_scores_raw_and_metadata_come_back_exactly(store, demo):
    warn = Notice.make("encoding_detected", {"encoding": "gb18030"}, file="x.csv", row=3)
    rec = store.put(record(year=2017, synthetic=True, warnings=[warn], coverage=demo.coverage,
                           owner_note="第一轮"),
                    demo.scores, raw=demo.raw, extra=demo.extra, rows=demo.rows,
                    content=b"code\n")
    assert rec.revision == 1 and rec.n_units == 293 and rec.year == 2017 and rec.synthetic
    assert rec.created_at is not None and rec.size_bytes == 5
    got = store.load_scores("demo")
    pd.testing.assert_frame_equal(got, demo.scores)  # columns, order, dtypes, values
    assert {k: v for k, v in got.attrs.items() if k != "warnings"} == \
        {k: v for k, v in demo.scores.attrs.items() if k not in ("warnings", "imputed")} | \
        {"imputed": []}
    (w,) = got.attrs["warnings"]
    assert w.kind == "encoding_detected" and w.row == 3 and w.render("zh") == warn.render("zh")
    raw, extra, rows = store.load_raw("demo")
    pd.testing.assert_frame_equal(raw.loc[demo.raw.index], demo.raw, check_dtype=False)
    assert rows == demo.rows and len(extra) == 293
    assert store.load_file("demo") == ("demo", b"code\n")
    again = store.get("demo")
    assert again.owner_note == "第一轮" and again.to_dict()["year"] == 2017
    assert "delete_token" not in again.to_dict() and "client" not in again.to_dict()


def test_replace_raises_the_revision_and_delete_removes_everything(store, demo):
    store.put(record(), demo.scores, raw=demo.raw)
    with pytest.raises(ValueError, match="exists"):
        store.put(record(), demo.scores)
    rec = store.put(record(title="新"), demo.scores.head(5), raw=demo.raw.head(5), replace=True)
    assert rec.revision == 2 and rec.n_units == 5 and store.revision("demo") == 2
    assert n_rows(store, UnitRow) == 5 and n_rows(store, RawRow) == 5
    assert store.update("demo", owner_note="x").revision == 3
    assert store.delete("demo") is True and store.delete("demo") is False
    assert store.revision("demo") is None and n_rows(store, UnitRow) == 0
    assert n_rows(store, RawRow) == 0 and n_rows(store, DatasetRow) == 0
    with pytest.raises(NotFoundError):
        store.get("demo")


def test_a_failed_write_leaves_no_row(store, demo):
    bad = pd.concat([demo.scores.head(3), demo.scores.head(1)])  # the same code twice
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        store.put(record("broken"), bad, raw=demo.raw.head(3), content=b"x" * 100)
    assert store.find("broken") is None
    for model in (DatasetRow, UnitRow, RawRow):
        assert n_rows(store, model) == 0


def test_quota_holds_under_concurrent_writers(store, demo):
    """25 writers race for 20 places: exactly 20 are stored, 5 are told so (429)."""
    small = demo.scores.head(3)
    quota = Quota(client="c1", per_client=20)
    results: list = []

    def put(i):
        try:
            store.put(record(f"upload-{i:04d}", "upload", client="c1"), small, quota=quota)
            results.append(201)
        except QuotaError as exc:
            results.append(exc.status)

    threads = [threading.Thread(target=put, args=(i,)) for i in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == [201] * 20 + [429] * 5
    assert store.count("upload", "c1") == 20 == len(store.records(("upload",)))
    with pytest.raises(QuotaError) as total:
        store.put(record("upload-x", "upload", client="c2"), small, quota=Quota(total=20))
    assert total.value.status == 507 and total.value.msg == "store.quota_total"
    with pytest.raises(QuotaError) as full:
        store.put(record("upload-y", "upload", client="c2"), small,
                  content=b"x" * 2048, quota=Quota(total_bytes=1024))
    assert full.value.status == 507 and store.find("upload-y") is None


def test_expired_datasets_are_gone_and_swept(store, demo):
    from datetime import UTC, datetime, timedelta

    past = datetime.now(UTC) - timedelta(seconds=5)
    store.put(record("old", expires_at=past), demo.scores.head(2))
    store.put(record("new", expires_at=datetime.now(UTC) + timedelta(hours=1)), demo.scores.head(2))
    assert store.revision("old") is None and store.find("old") is None
    assert store.revision("new") == 1
    assert [r.id for r in store.records()] == ["new"]
    assert store.sweep() == ["old"] and n_rows(store, DatasetRow) == 1


def test_migrations_agree_with_the_models(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from cityrank.store.models import Base

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert eng.current(store.engine) == eng.head() == "0002"


RACE = r'''
import sys
from cityrank.store import engine as eng
e = eng.create(sys.argv[1])
print(eng.migrate(e))
'''


def test_two_processes_migrating_a_new_database_at_once(db_url):
    procs = [subprocess.Popen([sys.executable, "-c", RACE, db_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    assert [o[0].strip() for o in outs] == ["0002", "0002"]
    store = Store.open(db_url)
    assert eng.current(store.engine) == "0002" and store.records() == []
    store.close()


@pytest.mark.parametrize("module", ["repository", "settings", "tmp"])
def test_store_doctests(module):
    import importlib

    mod = importlib.import_module(f"cityrank.store.{module}")
    result = doctest.testmod(mod)
    assert result.attempted > 0 and result.failed == 0


def test_limits_doctests():
    from cityrank.service import limits

    result = doctest.testmod(limits)
    assert result.attempted > 0 and result.failed == 0
