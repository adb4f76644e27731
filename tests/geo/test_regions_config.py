"""Regions and clusters config against DOMAIN.md: NBS four regions, cluster sizes, partials."""

import pandas as pd
import pytest
import yaml

from cityrank.errors import ConfigError
from cityrank.geo.regions import (
    cluster_codes,
    load_clusters,
    load_regions,
    north_south_of_province,
    region_of_province,
)
from cityrank.paths import ADMIN_UNITS_CSV

UNITS = pd.read_csv(ADMIN_UNITS_CSV, dtype=str)


def test_four_regions_cover_31_provinces_once():
    regions = load_regions()["regions"]
    sizes = {rid: len(spec["provinces"]) for rid, spec in regions.items()}
    assert sizes == {"East": 10, "Central": 6, "West": 12, "Northeast": 3}
    all_codes = [c for spec in regions.values() for c in spec["provinces"]]
    assert len(set(all_codes)) == 31
    assert region_of_province("110000") == "East"
    assert region_of_province("150000") == "West"  # 内蒙古
    assert region_of_province("810000") is None


def test_north_south_partition():
    ns = load_regions()["north_south"]
    assert not set(ns["North"]) & set(ns["South"])
    assert len(ns["North"]) + len(ns["South"]) == 31
    assert north_south_of_province("440000") == "South"
    assert north_south_of_province("230000") == "North"


@pytest.mark.parametrize(
    ("cluster_id", "size"),
    [("yrd-2016", 26), ("yrd-2019-central", 27), ("yrd-2019-whole", 41), ("gba", 11), ("jjj", 13)],
)
def test_cluster_sizes_match_plans(cluster_id, size):
    assert len(cluster_codes(cluster_id)) == size


def test_yrd_whole_is_all_of_four_provinces():
    expected = UNITS[
        UNITS["province_code"].isin(["320000", "330000", "340000"])
        & UNITS["type"].isin(["地级市", "副省级市"])
    ]["code"].tolist() + ["310000"]
    assert sorted(cluster_codes("yrd-2019-whole")) == sorted(expected)


def test_yrd_central_is_2016_plus_wenzhou():
    assert set(cluster_codes("yrd-2019-central")) - set(cluster_codes("yrd-2016")) == {"330300"}


def test_every_member_is_a_known_unit_and_partials_exist():
    known = set(UNITS["code"])
    clusters = load_clusters()
    for cluster in clusters.values():
        assert set(cluster.codes()) <= known, cluster.id
        assert cluster.plan and cluster.year
    assert "500000" not in clusters["chengyu"].codes(include_partial=False)
    assert "500000" in clusters["chengyu"].codes(include_partial=True)


def test_cluster_config_errors_name_the_cluster(tmp_path):
    bad = {"clusters": {"x": {"name": "X", "name_en": "X", "plan": "p", "year": 2020,
                              "cores": ["999999"], "members": [{"code": "330100", "name": "杭州市"}]}}}
    path = tmp_path / "clusters.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="cluster 'x'"):
        load_clusters(path)


def test_only_domain_checked_clusters_claim_to_be_checked():
    clusters = load_clusters()
    checked = {cid for cid, c in clusters.items() if c.checked}
    assert checked == {"yrd-2016", "yrd-2019-central", "yrd-2019-whole", "gba", "jjj"}
