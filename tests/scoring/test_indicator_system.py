"""Indicator systems as data: shipped systems and validation errors naming the node."""

import json

import pytest
import yaml

from cityrank import paths
from cityrank.errors import ConfigError, NotFoundError
from cityrank.scoring.system import load_system, parse_system


def test_ndrc_2017_is_5_13_21_as_published():
    s = load_system("ndrc-2017")
    assert len(s.first_level) == 5
    assert sum(1 for n in s.nodes.values() if n.level == 2) == 13
    assert len(s.leaves) == 21
    assert [s.nodes[f].name for f in s.first_level] == ["智能感知", "智慧管理", "惠民服务", "网络空间",
                                                        "主体协同"]
    assert [s.nodes[f].max_points for f in s.first_level] == [15, 25, 25, 15, 20]
    dm = s.nodes["data_management"]
    assert dm.max_points == 10
    assert [s.nodes[c].max_points for c in dm.children] == [5, 5, 2]
    assert dm.scale == pytest.approx(10 / 12)
    assert any("数据管理" in w and "10" in w and "12" in w for w in s.warnings)
    json.dumps(s.to_dict())


def test_ndrc_2017_without_policy_fails_naming_node_and_numbers():
    path = paths.INDICATORS_DIR / "ndrc-2017.yaml"
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    doc = yaml.safe_load(text.replace("max_mismatch: rescale_children", ""))
    with pytest.raises(ConfigError) as exc:
        parse_system(doc, "x.yaml")
    msg = str(exc.value)
    assert "data_management" in msg and "数据管理" in msg and "10" in msg and "12" in msg


def test_ndrc_2018_weights_and_missing_level2():
    s = load_system("ndrc-2018")
    assert len(s.first_level) == 8
    w = {f: s.nodes[f].max_points for f in s.first_level if not s.nodes[f].deduction}
    assert w == {"citizen_experience": 40, "services": 26, "precise_governance": 11,
                 "information_resources": 8, "ecology": 6, "infrastructure": 5,
                 "innovation": 4}
    assert s.nodes["security"].deduction
    assert all(s.nodes[f].children_missing for f in s.first_level)
    assert any("not published" in w for w in s.warnings)


def test_digital_governance_equal_weights_marked_assumption():
    s = load_system("digital-governance-2020")
    assert [s.nodes[f].max_points for f in s.first_level] == [25, 25, 25, 25]
    assert any("ASSUMPTION" in w for w in s.warnings)


def base(**over):
    doc = {"id": "t", "name": "测试", "indicators": [
        {"id": "a", "name": "甲", "max": 60, "children": [
            {"id": "a1", "name": "甲1", "max": 30}, {"id": "a2", "name": "甲2", "max": 30}]},
        {"id": "b", "name": "乙", "max": 40}]}
    doc.update(over)
    return doc


def test_arbitrary_depth_and_flat_parent_form():
    doc = {"id": "deep", "name": "深", "total_max": 10, "indicators": [
        {"id": "x", "name": "x"}, {"id": "y", "name": "y", "parent": "x"},
        {"id": "z", "name": "z", "parent": "y", "max": 10}]}
    s = parse_system(doc)
    assert s.nodes["z"].level == 3 and s.leaves == ["z"]
    assert s.nodes["x"].max_points == 10


@pytest.mark.parametrize("mutate,pattern", [
    (lambda d: d["indicators"].append({"id": "a", "name": "重复", "max": 1}), "duplicate"),
    (lambda d: d["indicators"][1].update(max=-40), "'b'.*positive"),
    (lambda d: d["indicators"][1].update(max=0), "positive"),
    (lambda d: d["indicators"][1].update(method="magic"), "'b'.*unknown normalisation method"),
    (lambda d: d["indicators"][1].update(direction="up"), "direction"),
    (lambda d: d["indicators"][1].update(parent="nope"), "unknown parent 'nope'"),
    (lambda d: d["indicators"][0]["children"][0].update(max=35), "'a'.*60.*65"),
    (lambda d: d["indicators"][1].update(max=50), "total.*100.*110"),
    (lambda d: d["indicators"][1].update(colour="red"), "unknown key"),
])
def test_validation_errors_name_the_node(mutate, pattern):
    doc = base()
    mutate(doc)
    with pytest.raises(ConfigError, match=pattern):
        parse_system(doc, "t.yaml")


def test_cycle_detected():
    doc = {"id": "c", "name": "c", "indicators": [
        {"id": "p", "name": "p", "parent": "q"}, {"id": "q", "name": "q", "parent": "p"}]}
    with pytest.raises(ConfigError, match="cycle"):
        parse_system(doc)


def test_weights_become_points():
    doc = {"id": "w", "name": "w", "indicators": [
        {"id": "a", "name": "a", "weight": 3}, {"id": "b", "name": "b", "weight": 1}]}
    s = parse_system(doc)
    assert s.nodes["a"].max_points == 75 and s.nodes["b"].weight == 0.25


def test_missing_file():
    with pytest.raises(NotFoundError):
        load_system("no-such-system")
