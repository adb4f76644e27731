"""Vintages of the city list: a dataset is scored on the list of its own year.

The 2017 assessment's 293 are the end-2016 list (莱芜 in, 那曲 still a 地区); a real-format
2017 file has 莱芜 and no 那曲市 and must score 293 units and give the published figures
(mean 45.1, bins 8/63/152/63/7), where today's list drops 莱芜 and leaves 292.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cityrank import paths
from cityrank.errors import ParameterError
from cityrank.scoring.pipeline import score_file
from cityrank.scoring.summary import summarise
from cityrank.scoring.units import PREFECTURE_CITY_TYPES
from cityrank.scoring.vintage import (
    choose,
    load_changes,
    resolver_at,
    units_at,
    vintage_of_year,
)

DEMO = paths.DEMO_DIR / "ndrc-2017-simulated.csv"


def cities_at(date) -> pd.DataFrame:
    u = units_at(date)
    return u[u["type"].isin(PREFECTURE_CITY_TYPES)]


@pytest.fixture(scope="module")
def real_2017(tmp_path_factory):
    """The demo data in the real 2017 format: 莱芜 in, 那曲市 (a 地区 until October 2017) out
    (the demo README says how; the values of 那曲市's row go to 莱芜)."""
    df = pd.read_csv(DEMO, dtype=str)
    df.loc[df.code == "540600", ["code", "name", "province"]] = ["371200", "莱芜市", "山东省"]
    path = tmp_path_factory.mktemp("real") / "2017年评估.csv"
    df.to_csv(path, index=False)
    return path


def test_the_list_at_a_date():
    end_2016 = cities_at(dt.date(2016, 12, 31))
    assert len(end_2016) == 293
    codes = set(end_2016["code"])
    assert "371200" in codes and "540600" not in codes  # 莱芜 in, 那曲市 not yet
    assert units_at(dt.date(2016, 12, 31)).set_index("code").loc["542400", "type"] == "地区"
    assert len(cities_at(dt.date(2017, 12, 31))) == 294  # DOMAIN: end of 2017, 294
    assert len(cities_at(None)) == 293  # today
    end_2010 = cities_at(dt.date(2010, 12, 31))
    assert len(end_2010) == 283 and "341400" in set(end_2010["code"])  # 巢湖 until 2011
    assert "460300" not in set(end_2010["code"])  # 三沙, created 2012
    names = units_at(dt.date(2010, 6, 30)).set_index("code")["name"]
    assert names["420600"] == "襄樊市"  # renamed 襄阳 in November 2010


def test_vintage_follows_the_year_and_can_be_overridden(tmp_path):
    assert vintage_of_year(2017) == dt.date(2016, 12, 31)
    assert choose(year=2017).date == dt.date(2016, 12, 31)
    assert choose(year=2017, vintage="current").date is None
    assert choose(vintage="2018-06-30").date == dt.date(2018, 6, 30)
    data = tmp_path / "x.csv"
    data.write_text("code\n", encoding="utf-8")
    (tmp_path / "x.meta.json").write_text('{"year": 2019}', encoding="utf-8")
    assert choose(path=data).date == dt.date(2018, 12, 31) and choose(path=data).basis == "meta"
    assert choose().date is None
    with pytest.raises(ParameterError):
        choose(vintage="2017-13-01")
    with pytest.raises(ParameterError):
        choose(year="MMXVII")


def test_a_real_2017_file_scores_293_units_and_the_published_figures(real_2017, system):
    run = score_file(system, real_2017, year=2017)
    s = run.scores.set_index("code")
    assert len(s) == 293 and "371200" in s.index and s.loc["371200", "name"] == "莱芜市"
    assert run.vintage.date == dt.date(2016, 12, 31)
    assert run.scores.attrs["vintage"] == {"vintage": "2016-12-31", "basis": "year", "year": 2017}
    summary = summarise(run.scores, system)
    assert round(summary["mean"], 1) == 45.1
    assert [b["count"] for b in summary["bins"]] == [8, 63, 152, 63, 7]
    notes = [w for w in run.warnings if getattr(w, "kind", "") == "vintage_list"]
    assert len(notes) == 1 and "+莱芜市 (371200)" in notes[0] and "−那曲市 (540600)" in notes[0]
    assert not [w for w in run.warnings if getattr(w, "kind", "") == "historical_duplicate"]
    same = score_file(system, real_2017, vintage="2016-12-31")
    assert same.scores["total"].tolist() == run.scores["total"].tolist()


def test_on_todays_list_the_same_file_loses_laiwu(real_2017, system):
    run = score_file(system, real_2017)
    assert len(run.scores) == 292 and "371200" not in set(run.scores["code"])
    assert any(getattr(w, "kind", "") == "historical_duplicate" for w in run.warnings)


def test_a_later_name_reads_as_the_unit_of_that_date(system, tmp_path):
    p = tmp_path / "d.csv"
    pd.DataFrame({"城市": ["杭州市", "那曲市"], "智能感知": ["5", "5"], "智慧管理": ["10", "10"],
                  "惠民服务": ["15", "15"], "网络空间": ["5", "5"], "主体协同": ["10", "10"]}
                 ).to_csv(p, index=False)
    res = resolver_at(dt.date(2016, 12, 31)).resolve("那曲市")
    assert res.code == "542400" and res.notice.kind == "later_unit"
    run = score_file(system, p, year=2017)
    assert "542400" in set(run.scores["code"])


def test_admin_changes_carry_both_dates_and_their_sources():
    changes = {c.get("old_code") or c["new_code"]: c for c in load_changes()}
    nagqu = changes["542400"]
    assert nagqu["approved"] == dt.date(2017, 10, 2) and nagqu["inaugurated"] == dt.date(2018, 5, 7)
    assert "国函〔2017〕109号" in nagqu["document"] and nagqu["approved_basis"] == "published"
    laiwu = changes["371200"]
    assert laiwu["kind"] == "merged" and laiwu["new_code"] == "370100"
    assert laiwu["approved"].year == 2019 and laiwu["approved"].month == 1
    chaohu = changes["341400"]
    assert chaohu["kind"] == "split" and chaohu["shares_measure"] == "area"
    assert [s["code"] for s in chaohu["successors"]] == ["340100", "340200", "340500"]
    assert abs(sum(s["share"] for s in chaohu["successors"]) - 1) < 0.01
    for c in load_changes():
        assert c["source"], c
        assert isinstance(c["checked"], bool)
        assert c["kind"] == "alias" or c["approved"], c
        if c["checked"]:  # only against a primary text, and then the source says which
            assert "primary" in c["source"].lower() or "gazette" in c["source"].lower()
