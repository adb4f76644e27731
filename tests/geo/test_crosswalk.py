"""Former units on today's map: the crosswalk of config/admin_changes.yaml (geo.join).

"A 2017 file including 莱芜 scores 293 units and maps 莱芜 onto 济南's polygon with a note; a
file with 巢湖 is handled by the split rule" (issue 11); the split shares are what the script
recomputes from the county boundaries."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from cityrank import paths
from cityrank.geo.join import join_scores
from cityrank.scoring.pipeline import score_file
from cityrank.scoring.vintage import load_changes

ROOT = Path(__file__).resolve().parents[2]


def test_split_shares_are_the_county_areas():
    spec = importlib.util.spec_from_file_location("shares", ROOT / "scripts" / "admin_change_shares.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    areas = mod.county_areas()
    for ch in load_changes():
        if ch["kind"] == "split":
            got = mod.split_shares(ch, areas)
            for s in ch["successors"]:
                assert got[s["code"]] == pytest.approx(s["share"], abs=0.001), (ch["old_name"], s)


@pytest.fixture(scope="module")
def run_2017(tmp_path_factory):
    df = pd.read_csv(paths.DEMO_DIR / "ndrc-2017-simulated.csv", dtype=str)
    df.loc[df.code == "540600", ["code", "name", "province"]] = ["371200", "莱芜市", "山东省"]
    path = tmp_path_factory.mktemp("y2017") / "2017.csv"
    df.to_csv(path, index=False)
    return path, score_file("ndrc-2017", path, year=2017)


def test_a_2017_file_maps_laiwu_onto_jinan_with_a_note(run_2017):
    _, run = run_2017
    assert len(run.scores) == 293
    res = join_scores(run.scores, source="2017.csv")
    assert res.counts["unmatched"] == 0 and res.counts["scored"] == 292  # 293 - 莱芜, on 济南
    laiwu = run.scores.set_index("code").loc["371200", "total"]
    jinan = res.gdf.set_index("code").loc["370100"]
    assert jinan["total"] == run.scores.set_index("code").loc["370100", "total"]
    assert jinan["former_note"] == f"含原莱芜市（371200，2019-01-09已撤销并入）：得分 {laiwu:.1f}"
    assert "former 莱芜市 (371200" in jinan["former_note_en"]
    assert res.former["action"].tolist() == ["noted_on_successor"]


def test_the_map_command_says_where_laiwu_went(run_2017, tmp_path, capsys):
    from cityrank.cli import main

    path, _ = run_2017
    code = main(["map", "--data", str(path), "--system", "ndrc-2017", "--year", "2017",
                 "--out", str(tmp_path / "m.png"), "--dpi", "50", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "莱芜市 (371200), merged on 2019-01-09, is noted on today's 济南市 (370100)" in err
    assert "scored on the city list of 2016-12-31" in err


def test_a_file_with_chaohu_on_its_years_list_is_handled_by_the_split_rule(tmp_path):
    df = pd.read_csv(paths.DEMO_DIR / "ndrc-2017-simulated.csv", dtype=str)
    df.loc[df.code == "540600", ["code", "name", "province"]] = ["341400", "巢湖市", "安徽省"]
    df = df[df.code != "460300"]  # 三沙, set up in 2012
    path = tmp_path / "2010.csv"
    df.to_csv(path, index=False)
    run = score_file("ndrc-2017", path, vintage="2010-12-31")
    assert "341400" in set(run.scores["code"])
    res = join_scores(run.scores)
    rec = res.former.set_index("code").loc["341400"]
    assert rec["action"] == "split_noted"
    notes = res.gdf.set_index("code")["former_note_en"]
    for code, share in (("340100", "50%"), ("340200", "23%"), ("340500", "27%")):
        assert f"about {share} (by area) of the former 巢湖市 (341400" in notes[code]
