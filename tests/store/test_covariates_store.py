"""Covariates kept with a dataset, on both backends: what is put comes back (values, order,
provenance), storing raises the dataset's revision, a re-scored dataset keeps them, a delete
removes them, and migration 0002 upgrades a database holding datasets of 0001 without loss."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from cityrank import paths
from cityrank.errors import DataError, NotFoundError
from cityrank.service.uploads import score_table
from cityrank.store import DatasetRecord, Store
from cityrank.store import engine as eng
from cityrank.store.models import CovariateRow


@pytest.fixture(scope="module")
def demo():
    return score_table(paths.DEMO_DIR / "ndrc-2017-simulated.csv", "ndrc-2017")


def record(did: str = "demo") -> DatasetRecord:
    return DatasetRecord(id=did, kind="added", title="演示", system_id="ndrc-2017")


def meta(name: str, **kw) -> dict:
    return {"name": name, "kind": "raster", "source": "pop.tif", "statistic": "sum", "unit": "人",
            "crs": "EPSG:4326", "nodata": "-9999.0", "band": 1, "date": "2020", "note": "", **kw}


def test_covariates_round_trip_and_raise_the_revision(store, demo):
    rec = store.put(record(), demo.scores)
    codes = demo.scores["code"].astype(str).tolist()[:4]
    values = pd.DataFrame({"pop": [1.5e6, 2.0e6, np.nan, 3.25e5], "ntl": [4.0, 5.5, 6.0, 0.0]},
                          index=codes)
    after = store.put_covariates("demo", values, [meta("pop"), meta("ntl", unit="nW/cm²/sr",
                                                                    kind="table", band=None)])
    assert after.revision == rec.revision + 1
    got, cols = store.load_covariates("demo")
    assert list(got.columns) == ["pop", "ntl"]
    pd.testing.assert_frame_equal(got.loc[codes], values.rename_axis("code"), check_freq=False)
    assert [c["unit"] for c in cols] == ["人", "nW/cm²/sr"] and cols[1]["band"] == 1
    assert cols[0]["n_units"] == 3 and cols[1]["n_units"] == 4
    assert {c["revision"] for c in cols} == {after.revision} and cols[0]["created_at"]
    # the same name again is refused, unless replaced (the position is kept)
    with pytest.raises(DataError, match="pop"):
        store.put_covariates("demo", values[["pop"]], [meta("pop")])
    again = store.put_covariates("demo", values[["pop"]] * 2, [meta("pop", date="2021")],
                                 replace=True)
    got, cols = store.load_covariates("demo")
    assert list(got.columns) == ["pop", "ntl"] and got.loc[codes[0], "pop"] == 3.0e6
    assert cols[0]["date"] == "2021" and cols[0]["revision"] == again.revision
    assert cols[1]["revision"] == after.revision  # the untouched one keeps its revision
    # re-scoring the dataset (replace) keeps them; deleting the dataset removes them
    rescored = store.put(record(), demo.scores, replace=True)
    assert rescored.revision == again.revision + 1
    assert list(store.load_covariates("demo")[0].columns) == ["pop", "ntl"]
    assert store.delete_covariates("demo", ["ntl"]) == ["ntl"]
    assert store.revision("demo") == rescored.revision + 1
    assert store.delete_covariates("demo", ["nothing"]) == []
    store.delete("demo")
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CovariateRow)).scalar_one() == 0


def test_covariates_of_an_unknown_dataset_or_mismatched_metadata(store, demo):
    values = pd.DataFrame({"pop": [1.0]}, index=["330100"])
    with pytest.raises(NotFoundError):
        store.put_covariates("nope", values, [meta("pop")])
    store.put(record(), demo.scores.head(3))
    with pytest.raises(ValueError, match="differ"):
        store.put_covariates("demo", values, [meta("other")])
    got, cols = store.load_covariates("demo")
    assert got.empty and cols == []


def test_migration_0002_upgrades_a_0001_database_with_datasets(db_url, demo):
    store = Store(eng.create(db_url))
    eng.migrate(store.engine, "0001")
    assert eng.current(store.engine) == "0001"
    from sqlalchemy import insert

    from cityrank.store.repository import DATASETS, _row_values, _unit_rows

    values = _row_values(record(), demo.scores.head(5), None, None, pd.Timestamp.now(tz="UTC"))
    with store.engine.connect().execution_options(write=True) as conn, conn.begin():
        conn.execute(insert(DATASETS), [values])
        from cityrank.store.models import UnitRow

        conn.execute(insert(UnitRow.__table__), _unit_rows("demo", demo.scores.head(5)))
    assert eng.migrate(store.engine) == "0002"
    assert store.load_scores("demo")["code"].tolist() == demo.scores["code"].head(5).tolist()
    store.put_covariates("demo", pd.DataFrame({"pop": [2.0]}, index=["330100"]), [meta("pop")])
    assert store.load_covariates("demo")[1][0]["name"] == "pop"
    store.close()
