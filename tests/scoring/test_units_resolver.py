"""The one resolver: codes, names, traditional characters, former units (with warnings)."""

import pandas as pd
import pytest

from cityrank.errors import UnknownUnitError
from cityrank.scoring.units import UnitResolver, load_units, normalise_name, prefecture_cities


def test_load_units_keeps_codes_as_strings():
    units = load_units()
    assert units["code"].map(type).eq(str).all()
    assert units["code"].str.fullmatch(r"\d{6}").all()
    assert len(prefecture_cities(units)) == 293


def test_normalise_name_fullwidth_spaces_traditional():
    assert normalise_name(" 廣 州\u3000市 ") == "广州市"
    assert normalise_name("（１２３）") == "(123)"
    assert normalise_name("萊蕪") == "莱芜"


@pytest.mark.parametrize(
    "key,code,method",
    [
        ("330100", "330100", "code"),
        ("156330100", "330100", "code9"),
        ("330100.0", "330100", "code"),
        ("３３０１００", "330100", "code"),
        ("杭州市", "330100", "name"),
        ("杭州", "330100", "short_name"),
        ("杭 州 市", "330100", "name"),
        ("廣州", "440100", "short_name"),
        ("恩施州", "422800", "short_name"),
        ("恩施土家族苗族自治州", "422800", "name"),
        ("锡林郭勒", "152500", "short_name"),
    ],
)
def test_resolve_current_units(resolver, key, code, method):
    m = resolver.resolve(key)
    assert (m.code, m.method, m.warning) == (code, method, None)


@pytest.mark.parametrize("key", ["莱芜", "莱芜市", "萊蕪市", "371200", "156371200"])
def test_laiwu_maps_to_jinan_with_warning(resolver, key):
    m = resolver.resolve(key)
    assert m.code == "370100" and m.name == "济南市"
    assert m.method.startswith("historical")
    assert "莱芜市" in m.warning and "2019" in m.warning and "济南市" in m.warning


def test_nagqu_prefecture_is_reported_as_former_unit(resolver):
    m = resolver.resolve("那曲地区")
    assert m.code == "540600" and m.warning and "542400" in m.warning
    assert resolver.resolve("那曲").warning is None


def test_unknown_and_empty_raise(resolver):
    with pytest.raises(UnknownUnitError, match="unknown city"):
        resolver.resolve("不存在市")
    with pytest.raises(UnknownUnitError, match="unknown administrative code"):
        resolver.resolve("999999")
    with pytest.raises(UnknownUnitError):
        resolver.resolve("  ")


def test_ambiguous_short_name_needs_province():
    units = pd.DataFrame({
        "code": ["111100", "222200"], "name": ["同名市", "同名地区"],
        "short_name": ["同名", "同名"], "type": ["地级市", "地区"],
        "province_code": ["110000", "220000"], "province": ["甲省", "乙省"],
        "region": ["East", "West"]})
    r = UnitResolver(units, changes=[])
    with pytest.raises(UnknownUnitError, match="ambiguous"):
        r.resolve("同名")
    assert r.resolve("同名", province="乙省").code == "222200"
    assert r.resolve("同名市").code == "111100"


def test_resolve_column_reports_rows(resolver):
    codes, problems, warnings = resolver.resolve_column(
        ["杭州", "无此城", "", "萊蕪"], file="f.csv", column="城市")
    assert codes == ["330100", None, None, "370100"]
    assert [(p.row, p.column, p.kind) for p in problems] == [
        (3, "城市", "unknown_unit"), (4, "城市", "missing_key")]
    assert len(warnings) == 1 and warnings[0].startswith("f.csv, row 5, column '城市'")
