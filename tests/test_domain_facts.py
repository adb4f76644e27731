"""The committed domain data against the table of expected values with their sources
(``tests/data/domain_expected.yaml``): names, short names and aliases, north/south per city,
cluster memberships, tiers and plan levels, and the indicator systems."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cityrank.geo.boundaries import load_layer
from cityrank.geo.regions import load_clusters, load_regions, north_south_of
from cityrank.paths import ADMIN_UNITS_CSV, CONFIG_DIR
from cityrank.scoring.aggregate import deduct
from cityrank.scoring.engine import score
from cityrank.scoring.system import load_system
from cityrank.scoring.units import PREFECTURE_CITY_TYPES, UnitResolver

EXPECTED = yaml.safe_load((Path(__file__).parent / "data" / "domain_expected.yaml").read_text(encoding="utf-8"))
UNITS = pd.read_csv(ADMIN_UNITS_CSV, dtype=str, keep_default_na=False).set_index("code")


def _ids(rows, key="code"):
    return [r[key] for r in rows]


def test_every_expected_fact_names_its_source():
    for section in ("names", "resolve", "north_south"):
        assert all(r.get("source") for r in EXPECTED[section]), section
    assert all(c.get("source") for c in EXPECTED["clusters"].values())
    assert all(s.get("source") for s in EXPECTED["systems"].values())


# --- names -------------------------------------------------------------------------------
@pytest.mark.parametrize("row", EXPECTED["names"], ids=_ids(EXPECTED["names"]))
def test_names_short_names_and_romanisation(row):
    unit = UNITS.loc[row["code"]]
    assert (unit["name"], unit["short_name"], unit["name_en"]) == (row["name"], row["short_name"], row["name_en"])


def test_the_layer_carries_the_same_names():
    layer = load_layer("prefecture").set_index("code")
    for row in EXPECTED["names"]:
        assert layer.loc[row["code"], "name_en"] == row["name_en"]
        assert layer.loc[row["code"], "short_name"] == row["short_name"]


def test_no_short_name_keeps_an_ethnic_suffix_and_pinyin_is_not_raw():
    names = yaml.safe_load((CONFIG_DIR / "unit_names.yaml").read_text(encoding="utf-8"))
    groups = [g for g in names["ethnic_groups"] if g != "回族"]  # 回 alone is not a suffix here
    for code, unit in UNITS.iterrows():
        if unit["type"] == "自治州":
            assert not any(unit["short_name"].endswith(g) for g in groups), (code, unit["short_name"])
    assert not UNITS["name_en"].str.contains("Lv|lv").any()  # ü, never v
    # every romanisation entry says where it comes from; checked ones say against what
    for entry in names["romanisation"].values():
        assert entry["source"] in names["sources"]
        assert not entry["checked"] or entry.get("checked_against")


@pytest.mark.parametrize("row", EXPECTED["resolve"], ids=_ids(EXPECTED["resolve"], "key"))
def test_short_names_and_colloquial_names_resolve(row):
    assert UnitResolver().resolve(row["key"]).code == row["code"]


# --- north / south -------------------------------------------------------------------------
@pytest.mark.parametrize("row", EXPECTED["north_south"], ids=_ids(EXPECTED["north_south"]))
def test_north_south_per_city(row):
    assert UNITS.loc[row["code"], "north_south"] == row["side"], row["name"]
    assert north_south_of(row["code"]) == row["side"]


def test_every_unit_has_the_side_regions_yaml_gives_it():
    for code, unit in UNITS.iterrows():
        if unit["region"]:
            assert unit["north_south"] == north_south_of(code), code


def test_regions_yaml_per_city_table_is_complete_and_sourced():
    ns = load_regions()["north_south"]
    cities = ns["cities"]
    expected = {r["code"] for r in EXPECTED["north_south"] if r["source"] == "DOMAIN.md"}
    assert expected <= set(cities)
    for code, spec in cities.items():
        default = "North" if code[:2] + "0000" in ns["North"] else "South"
        assert spec["side"] != default, f"{code} repeats its province's side"
        assert spec["source"]
    for code, spec in ns["on_the_line"].items():
        assert north_south_of(code) == spec["side"]


# --- clusters ------------------------------------------------------------------------------
@pytest.mark.parametrize("cid", list(EXPECTED["clusters"]))
def test_cluster_memberships(cid):
    exp = EXPECTED["clusters"][cid]
    cl = load_clusters()[cid]
    members = {m.code: m for m in cl.members}
    if "size" in exp:
        assert len(members) == exp["size"]
    for key in ("level", "year"):
        if key in exp:
            assert getattr(cl, key) == exp[key]
    if "checked" in exp:
        assert cl.checked is exp["checked"] and cl.checked_against
    for code in exp.get("hubs", []):
        assert code in cl.cores
        assert UNITS.loc[code, "type"] not in PREFECTURE_CITY_TYPES  # outside the 293-city universe
    for code in exp.get("full", []):
        assert not members[code].partial
    for code in exp.get("partial", []):
        assert members[code].partial
    for code, words in (exp.get("note_of") or {}).items():
        assert all(w in members[code].note for w in words)
    for tier, n in (exp.get("tiers") or {}).items():
        assert len(cl.codes(tier=tier)) == n
    for tier in ("core", "linked"):
        for code in exp.get(tier, []):
            assert members[code].tier == tier
    if "name_contains" in exp:
        assert exp["name_contains"] in cl.name
    if "plan_contains" in exp:
        assert exp["plan_contains"] in cl.plan
    assert cl.plan and cl.year and cl.source


def test_clusters_claim_checked_only_with_what_they_were_checked_against():
    for cl in load_clusters().values():
        assert cl.checked == bool(cl.checked_against), cl.id
        for m in cl.members:
            assert m.code in UNITS.index and UNITS.loc[m.code, "name"] == m.name, (cl.id, m.code)
            if m.partial and cl.id not in ("chengyu", "beibu-gulf"):
                assert m.note, f"{cl.id}: partial member {m.code} does not say which counties"


# --- indicator systems ---------------------------------------------------------------------
def _weights(system):
    return {system.nodes[f].name: system.nodes[f].max_points for f in system.first_level
            if not system.nodes[f].deduction}


def test_ndrc_2016_system():
    exp = EXPECTED["systems"]["ndrc-2016"]
    s = load_system("ndrc-2016")
    assert [s.nodes[f].name for f in s.first_level] == exp["first_level"]
    w = _weights(s)
    assert sum(w.values()) == pytest.approx(100)
    for name, weight in exp["weights"].items():
        assert w[name] == pytest.approx(weight)
    assert all(s.nodes[f].children_missing for f in s.first_level)
    facts = yaml.safe_load((CONFIG_DIR / "indicators" / "ndrc-2016.yaml").read_text(encoding="utf-8"))["facts"]
    assert any("8 first-level, 21 second-level" in f["fact"] and "54" in f["fact"] for f in facts)
    # the weights no held source gives are marked unchecked, the sourced ones checked
    by_fact = {f["fact"]: f for f in facts}
    assert by_fact["市民体验 weight 20%"]["checked"] is True
    assert by_fact["惠民服务 weight 37%"]["checked"] is False
    assert any(not f["checked"] and "精准治理 9" in f["fact"] for f in facts)


@pytest.mark.parametrize("system_id", ["ndrc-2016", "ndrc-2018"])
def test_national_evaluation_universe_and_completion_rates(system_id):
    exp = EXPECTED["systems"][system_id]
    s = load_system(system_id)
    assert s.universe["types"] == exp["universe_types"]
    assert s.universe["count"] == exp["universe_count"]
    c = exp["completion"]
    assert round(c["took_part"] / exp["universe_count"] * 100, 2) == c["rate_percent"]
    assert f"{c['rate_percent']:.2f}%" in s.universe["note"]
    assert f"{c['took_part']}" in s.universe["note"]
    # today's list: the 338 of the round minus 莱芜 (merged 2019)
    assert UNITS["type"].isin(exp["universe_types"]).sum() == exp["universe_count"] - 1


def test_ndrc_2018_weights_and_capped_deduction():
    exp = EXPECTED["systems"]["ndrc-2018"]
    s = load_system("ndrc-2018")
    assert _weights(s) == {k: pytest.approx(v) for k, v in exp["weights"].items()}
    ded = [f for f in s.first_level if s.nodes[f].deduction]
    assert [s.nodes[f].name for f in ded] == [exp["deduction"]]
    # no total below zero: the deduction is capped at the score it is taken from
    rows = [{f: (2.0 if not s.nodes[f].deduction else 5.0) for f in s.leaves},
            {f: (50.0 if not s.nodes[f].deduction else 3.0) for f in s.leaves}]
    frame = pd.DataFrame(rows, index=pd.Index(["110000", "120000"], name="code"))
    totals = score(s, frame).set_index("code")["total"]
    assert totals.loc[["110000", "120000"]].tolist() == pytest.approx([0.0, 47.0])
    assert deduct(10.0, float("nan")) == 10.0


def test_digital_governance_dimensions_as_in_seed_003():
    s = load_system("digital-governance-2020")
    assert [s.nodes[f].name for f in s.first_level] == EXPECTED["systems"]["digital-governance-2020"]["first_level"]
