"""cityrank.geo.join: scores tables of every shape join to the prefecture layer, nothing dropped."""

import numpy as np
import pandas as pd
import pytest
from opencc import OpenCC

from cityrank.errors import ConfigError, DataError
from cityrank.geo.boundaries import load_layer
from cityrank.geo.join import join_scores
from cityrank.scoring.units import prefecture_cities

N_LAYER = 375
N_CITIES = 293


@pytest.fixture(scope="module")
def cities():
    return prefecture_cities()


def _table(cities, **extra):
    return pd.DataFrame({"code": cities["code"], "total": np.linspace(20, 70, len(cities))} | extra)


def test_full_code_file_joins_all_293(cities):
    res = join_scores(_table(cities))
    assert res.counts == {"scored": N_CITIES, "no_data": 0, "not_evaluated": N_LAYER - N_CITIES,
                          "unmatched": 0}
    assert len(res.gdf) == N_LAYER
    assert res.warnings == []
    scored = res.gdf[res.gdf.status == "scored"]
    assert set(scored["type"]) == {"副省级市", "地级市"}
    hz = res.gdf.set_index("code").loc["330100"]
    assert hz["status"] == "scored" and hz["match_method"] == "code"
    # not evaluated: municipalities, 自治州, SARs, Taiwan
    st = res.gdf.set_index("code")["status"]
    for code in ("110000", "500000", "422800", "810000", "820000", "710000"):
        assert st[code] == "not_evaluated"


def test_2017_file_laiwu_lands_in_jinan_with_warning(cities):
    t = _table(cities)
    t.loc[t.code == "370100", "code"] = "371200"  # a 2017 file: 莱芜 present, 济南 absent
    t.loc[t.code == "371200", "total"] = 55.5
    res = join_scores(t, source="scores2017.csv")
    jinan = res.gdf.set_index("code").loc["370100"]
    assert jinan["status"] == "scored"
    assert jinan["total"] == 55.5
    assert jinan["match_method"] == "historical_code"
    assert len(res.warnings) == 1
    w = res.warnings[0]
    assert w.startswith("scores2017.csv, row ")
    assert "莱芜" in w and "370100" in w and "2019" in w


def test_laiwu_beside_jinan_is_noted_on_jinans_polygon_not_dropped(cities):
    t = _table(cities)
    t = pd.concat([t, pd.DataFrame({"code": ["371200"], "total": [40.0]})], ignore_index=True)
    res = join_scores(t, source="2017.csv")
    assert res.counts["scored"] == N_CITIES and res.counts["unmatched"] == 0
    jinan = res.gdf.set_index("code").loc["370100"]
    assert jinan["total"] == t.loc[t.code == "370100", "total"].iloc[0]  # its own value, no mean
    assert jinan["former_note"] == "含原莱芜市（371200，2019-01-09已撤销并入）：得分 40.0"
    assert jinan["former_note_en"] == ("includes the former 莱芜市 (371200, merged on 2019-01-09): "
                                       "score 40.0")
    former = res.former.set_index("code").loc["371200"]
    assert former["action"] == "noted_on_successor" and former["source_row"] == 295
    assert former["successors"] == "370100" and former["value"] == 40.0
    assert any(w.startswith("2017.csv, row 295: 莱芜市 (371200)") for w in res.warnings)


def test_chaohu_is_handled_by_the_split_rule(cities):
    t = _table(cities)
    t = pd.concat([t, pd.DataFrame({"code": ["341400"], "total": [33.3]})], ignore_index=True)
    res = join_scores(t, source="2010.csv")
    assert res.counts["unmatched"] == 0  # reported as a former unit, not "unknown"
    rec = res.former.set_index("code").loc["341400"]
    assert rec["action"] == "split_noted" and rec["kind"] == "split"
    assert rec["successors"] == "340100;340200;340500"
    shares = [float(x) for x in rec["shares"].split(";")]
    assert abs(sum(shares) - 1) < 0.01 and shares[0] > 0.45  # 居巢区 + 庐江县: half the area
    g = res.gdf.set_index("code")
    for code in ("340100", "340200", "340500"):
        assert "巢湖市（341400" in g.loc[code, "former_note"] and "按面积" in g.loc[code, "former_note"]
        assert g.loc[code, "total"] == t.loc[t.code == code, "total"].iloc[0]  # never divided
    assert g["former_note"].notna().sum() == 3


def test_two_rows_for_one_current_unit_is_an_error_unless_chosen(cities):
    t = _table(cities)
    t = pd.concat([t, pd.DataFrame({"code": ["156370100"], "total": [40.0]})], ignore_index=True)
    with pytest.raises(DataError, match=r"row 295 \(code9\).*370100"):
        join_scores(t)
    with pytest.raises(ConfigError):
        join_scores(t, on_conflict="mean")


def test_names_only_file_in_traditional_characters_joins_fully(cities):
    s2t = OpenCC("s2t")
    names = [s2t.convert(n) for n in cities["name"]]
    assert "廣州市" in names and "濟南市" in names
    # mix of full names and short names, full-width spaces
    names = [n if i % 2 else n.removesuffix("市") for i, n in enumerate(names)]
    names[0] = "\u3000" + names[0]
    t = pd.DataFrame({"城市": names, "总分": np.arange(len(names), dtype=float)})
    res = join_scores(t, value_column="总分")
    assert res.counts["scored"] == N_CITIES
    assert res.counts["unmatched"] == 0
    scored = res.gdf[res.gdf.status == "scored"]
    assert sorted(scored["code"]) == sorted(cities["code"])
    # values landed on the right units
    by_code = res.gdf.set_index("code")["总分"]
    for pos, code in enumerate(cities["code"]):
        assert by_code[code] == pos


def test_unmatched_rows_and_units_without_data_are_reported(cities):
    t = _table(cities).iloc[:-3].copy()  # the last three cities have no data
    missing = cities["name"].iloc[-3:].tolist()
    t = pd.concat([t, pd.DataFrame({"code": ["999999", "火星市"], "total": [1.0, 2.0]})],
                  ignore_index=True)
    res = join_scores(t, source="x.csv")
    assert res.counts["scored"] == N_CITIES - 3
    assert res.counts["no_data"] == 3
    assert sorted(res.codes("no_data")) == sorted(cities["code"].iloc[-3:])
    assert res.unmatched["source_row"].tolist() == [len(t), len(t) + 1]
    assert "999999" in res.unmatched["problem"].iloc[0]
    assert "火星市" in res.unmatched["problem"].iloc[1]
    text = " ".join(res.warnings)
    assert all(n in text for n in missing)
    assert "2 row(s) matched no unit" in text


def test_empty_value_is_no_data_and_out_of_universe_row_is_flagged(cities):
    t = _table(cities)
    t.loc[t.code == "330100", "total"] = np.nan
    t = pd.concat([t, pd.DataFrame({"code": ["110000"], "total": [50.0]})], ignore_index=True)
    res = join_scores(t)
    st = res.gdf.set_index("code")["status"]
    assert st["330100"] == "no_data"
    assert st["110000"] == "scored"
    assert any("outside the universe" in w and "北京市" in w for w in res.warnings)
    # universe None: every unit counts, so the unscored ones are no_data
    res_all = join_scores(_table(cities), universe_types=None)
    assert res_all.counts["not_evaluated"] == 0
    assert res_all.counts["no_data"] == N_LAYER - N_CITIES


def test_nine_digit_codes_and_wrong_code_with_right_name(cities):
    t = pd.DataFrame({"code": ["156330100", "330199"], "name": ["杭州市", "宁波市"], "total": [1.0, 2.0]})
    res = join_scores(t)
    by = res.gdf.set_index("code")
    assert by.loc["330100", "match_method"] == "code9"
    assert by.loc["330200", "status"] == "scored"
    assert any("330199" in w and "matched by name" in w for w in res.warnings)


def test_province_column_is_passed_to_the_resolver():
    t = pd.DataFrame({"name": ["朝阳市"], "province": ["辽宁省"], "total": [3.0]})
    res = join_scores(t)
    assert res.gdf.set_index("code").loc["211300", "status"] == "scored"


def test_attrs_synthetic_and_missing_key_column(cities):
    t = _table(cities)
    t.attrs["synthetic"] = True
    res = join_scores(t)
    assert res.gdf.attrs["synthetic"] is True
    with pytest.raises(DataError, match="no key column"):
        join_scores(pd.DataFrame({"foo": [1]}))


def test_web_layer_joins_the_same(cities):
    res = join_scores(_table(cities), layer="prefecture_web")
    assert res.counts["scored"] == N_CITIES
    assert len(res.gdf) == len(load_layer("prefecture_web"))


def test_demo_dataset_joins_all_293_cities():
    from cityrank.scoring.datasets import load_catalog

    ds = load_catalog().get("ndrc-2017-simulated")
    res = join_scores(ds.scores(), source=ds.id)
    assert res.counts == {"scored": N_CITIES, "no_data": 0, "not_evaluated": N_LAYER - N_CITIES,
                          "unmatched": 0}
    assert res.gdf.attrs["synthetic"] is True
    scored = res.gdf[res.gdf.status == "scored"]
    assert scored["total"].notna().all()
    assert set(scored["type"]) == {"副省级市", "地级市"}
