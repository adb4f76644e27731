"""One fact, one place: each fact below has a single definition that every user imports.

The total maximum, the coefficient of variation, the published bins and their labels, the
key-column aliases, the region names and the map boxes each used to live in several modules
and disagree (ddof 0 vs 1, "≥60" vs "≥ 60", an inset box to 24 °N vs 25 °N, …). These tests
pin the single source and scan the cores for new copies.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import cityrank
from cityrank.geo import extent
from cityrank.scoring import bins, columns, summary

PACKAGE = Path(cityrank.__file__).resolve().parent
# The cores; cityrank/web/*.py and the CLIs are being restructured in other streams.
CORE_SOURCES = sorted(
    p for sub in ("scoring", "geo", "i18n", "config") for p in (PACKAGE / sub).rglob("*.py")
    if p.name != "cli.py" and p.name != "html.py"
)


def _scan(pattern: str, allowed: set[str]) -> list[str]:
    rx = re.compile(pattern)
    hits = []
    for path in CORE_SOURCES:
        rel = str(path.relative_to(PACKAGE))
        if rel in allowed:
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if rx.search(line):
                hits.append(f"{rel}:{i}: {line.strip()}")
    return hits


def test_the_scan_sees_the_cores():
    names = {p.name for p in CORE_SOURCES}
    assert {"summary.py", "disparity.py", "static_map.py", "inset.py", "ingest.py"} <= names


# --- the total maximum ---------------------------------------------------------------------
@pytest.mark.parametrize("system_id", ["ndrc-2017", "ndrc-2018", "digital-governance-2020"])
def test_the_total_maximum_is_the_systems_declared_total(system_id):
    from types import SimpleNamespace

    from cityrank.geo.analysis.service import dataset_options
    from cityrank.scoring.system import load_system

    system = load_system(system_id)
    opts = dataset_options(SimpleNamespace(system=system), "total")
    assert opts["max_value"] == pytest.approx(system.total_max)
    assert _scan(r"sum\(.*max_points.*first_level|sum\(m for m in indicators", set()) == []


# --- the coefficient of variation ------------------------------------------------------------
def test_one_cv_definition_used_everywhere():
    from cityrank.geo.analysis import clusters, disparity, report

    assert disparity.cv_percent is summary.cv_percent
    assert clusters.cv_percent is summary.cv_percent
    assert report.cv_percent is summary.cv_percent
    # a std divided by a mean is a CV: only scoring.summary computes one
    assert _scan(r"def cv_percent|def cv\(|std\(ddof=\d\)\s*/\s*[\w.]*mean", {"scoring/summary.py"}) == []


def test_cv_is_the_population_cv_on_the_published_top10():
    # The national evaluation divides by all evaluated cities (population std, ddof=0):
    # 4.82 % on the bundled top-10 totals, not the 5.08 % of the sample std.
    from cityrank.scoring.datasets import load_catalog

    scores = load_catalog().get("ndrc-2017-top10").scores()
    cv = summary.cv_percent(scores["total"])
    assert round(cv, 2) == 4.82
    t = scores["total"].to_numpy()
    assert cv == pytest.approx(np.std(t, ddof=0) / t.mean() * 100)


def test_disparity_and_summary_report_the_same_cv_and_std():
    import pandas as pd

    from cityrank.geo.analysis.disparity import group_disparity

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"v": rng.normal(50, 8, 40), "g": ["a"] * 20 + ["b"] * 20})
    out = group_disparity(df, "v", "g", n_boot=0)
    assert out["national"]["cv_percent"] == pytest.approx(summary.cv_percent(df["v"]))
    assert out["national"]["std"] == pytest.approx(np.std(df["v"], ddof=0))
    row = next(r for r in out["groups"] if r["group"] == "a")
    assert row["cv_percent"] == pytest.approx(summary.cv_percent(df["v"][:20]))


# --- published bins and their labels ---------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bins_and_labels_are_the_same_on_the_summary_and_every_legend(lang):
    from cityrank.geo.classify import PUBLISHED_BINS, classify
    from cityrank.service.classes import classify as web_classify

    assert PUBLISHED_BINS is bins.PUBLISHED_BINS
    values = np.array([25.0, 35, 45, 55, 60, 65])
    labels = bins.band_labels(lang=lang)
    assert classify(values, "published", lang=lang).labels == labels  # print map legend
    assert tuple(web_classify(values, "published").labels) == labels  # web legend source
    counted = summary.bin_counts(values, lang=lang)  # report summary, highest band first
    assert tuple(b["label"] for b in reversed(counted)) == labels
    assert [b["count"] for b in reversed(counted)] == list(classify(values, "published").counts)
    assert _scan(r"[\"']≥ ?\d|[\"']< ?\d|\(30(\.0)?, 40(\.0)?, 50", {"scoring/bins.py"}) == []


def test_published_bins_are_for_a_total_out_of_100():
    from cityrank.scoring.system import load_system

    assert bins.published_bins_apply(load_system("ndrc-2017").total_max)
    assert not bins.published_bins_apply(102)  # the 2017 table's children sum, not its total


# --- key-column aliases ----------------------------------------------------------------------
def test_one_alias_list_for_key_columns():
    from cityrank.scoring.ingest import map_columns
    from cityrank.scoring.system import load_system

    system = load_system("ndrc-2017")
    _nodes, roles, _unknown = map_columns(list(columns.CODE + columns.NAME + columns.PROVINCE),
                                          system)
    for role, aliases in columns.ROLES.items():
        assert all(roles.get(a) == role for a in aliases), role
    assert set(columns.CODE) <= set(columns.BOUNDARY_ID)
    assert set(columns.NAME) <= set(columns.BOUNDARY_NAME)
    # no other list of these words in the cores
    assert _scan(r"[\"']行政区划代码[\"']|[\"']城市名称[\"']|[\"']所属省份[\"']",
                 {"scoring/columns.py"}) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headers_we_write_are_aliases_we_read(lang):
    from cityrank.i18n import t

    for role in ("code", "name", "province"):
        assert columns.role(t(f"export.column.{role}", lang)) == role


# --- region names ----------------------------------------------------------------------------
def test_region_names_come_from_config_regions_yaml():
    from cityrank.geo.regions import load_regions, region_ids, region_name
    from cityrank.i18n import t

    spec = load_regions()["regions"]
    assert region_ids() == ("East", "Central", "West", "Northeast")
    for rid in region_ids():
        assert region_name(rid) == spec[rid]["name"] == t(f"region.{rid}")
        assert region_name(rid, "en") == spec[rid]["name_en"] == t(f"region.{rid}", "en")
    assert _scan(r"东部|西部|[\"']中部[\"']|[\"']东北[\"']", {"geo/regions.py"}) == []


# --- boxes -----------------------------------------------------------------------------------
def test_one_set_of_boxes():
    from cityrank.geo import inset, static_map, user_boundaries
    from cityrank.geo.analysis import weights

    assert inset.INSET_BOX is extent.SOUTH_CHINA_SEA
    assert static_map.SOUTH_CHINA_SEA is extent.SOUTH_CHINA_SEA
    assert static_map.MAIN_MAP is extent.MAIN_MAP
    assert user_boundaries.CHINA is weights.CHINA is extent.CHINA
    assert extent.SOUTH_CHINA_SEA == (105.0, 2.0, 125.0, 25.0)
    # no literal box elsewhere in the cores
    assert _scan(r"\(\s*(105|70|72|73)(\.\d+)?\s*,\s*[\d.]+\s*,\s*(125|140|136|135)",
                 {"geo/extent.py"}) == []


def test_the_boxes_hold_what_they_promise():
    from cityrank.geo.boundaries import load_layer

    land = load_layer("province").total_bounds
    assert extent.CHINA.covers(land)
    # the main map reaches Hainan's southern tip (三亚 18.16 °N), and holds every mainland point
    assert extent.MAIN_MAP.contains(109.5, 18.16)
    assert extent.MAIN_MAP.lon_min < land[0] and extent.MAIN_MAP.lon_max > land[2]
    assert extent.MAIN_MAP.lat_max > land[3]
    assert extent.SOUTH_CHINA_SEA.contains(112.3, 16.8) and extent.SOUTH_CHINA_SEA.lat_min < land[1]


# --- JSON-safe numbers -----------------------------------------------------------------------
def test_no_private_json_safe_converter_in_the_cores():
    assert _scan(r"def _(records|jsonable|clean|json_safe|safe)\(", set()) == []
    assert _scan(r"isinstance\(v, float\) and not math\.isfinite", set()) == []
