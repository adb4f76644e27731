"""The report on the demo dataset states what the issue asks, each with its uncertainty."""

from __future__ import annotations

import json

import pytest

from cityrank.paths import ADMIN_GPKG, DEMO_DIR

pytestmark = pytest.mark.skipif(
    not (ADMIN_GPKG.exists() and (DEMO_DIR / "ndrc-2017-simulated.csv").exists()),
    reason="boundaries or demo data not built",
)


@pytest.fixture(scope="module")
def demo_report():
    from cityrank.geo.analysis.report import build_report
    from cityrank.geo.join import join_scores
    from cityrank.scoring.datasets import load_catalog

    ds = load_catalog().get("ndrc-2017-simulated")
    gdf = join_scores(ds.scores()).gdf
    ind = {n: ds.system.nodes[n].max_points for n in ds.system.first_level}
    return build_report(gdf, "total", x_columns=("perception",), permutations=199, seed=12345, hub="330100",
                        max_value=100.0, indicators=ind, draws=300, zones=False)


def test_report_is_json_and_synthetic(demo_report):
    json.dumps(demo_report, allow_nan=False)
    assert demo_report["synthetic"] is True
    assert demo_report["findings"][0].startswith("SYNTHETIC DATA")
    assert demo_report["n_analysed"] == 293  # the universe; municipalities etc. only as locations


def test_gradients_with_intervals(demo_report):
    for key in ("east_west", "south_north"):
        s = demo_report["gradients"][key]["slope"]
        assert s["ci95"][0] < s["coef"] < s["ci95"][1]
    assert any(f.startswith("East-west gradient: East-high/west-low") for f in demo_report["findings"])
    assert any(f.startswith("South-north gradient: South-high/north-low") for f in demo_report["findings"])


def test_regional_gaps_with_intervals(demo_report):
    reg = demo_report["disparity"]["regions"]
    assert {g["group"] for g in reg["groups"]} == {"East", "Central", "West", "Northeast"}
    east = next(g for g in reg["groups"] if g["group"] == "East")
    assert east["gap_rate_pp"] > 0 and east["gap_rate_pp_ci95"][0] > 0
    assert "percentage points above the national mean score rate (95% CI" in east["statement"]
    assert set(reg["cv_by_indicator_percent"]) == {"perception", "management", "services", "cyberspace",
                                                    "collaboration"}
    assert reg["inequality"]["theil"]["between_share_ci95"][0] is not None


def test_lisa_clusters_stated(demo_report):
    s = demo_report["local_moran"]["summary"]
    assert s["HH"]["count"] > 0 and s["LL"]["count"] > 0
    assert any(f.startswith("LISA: ") and "hot spots" in f for f in demo_report["findings"])
    assert demo_report["global_moran"]["permutations"] == 199


def test_yrd_and_gba_comparisons(demo_report):
    cl = {c["id"]: c for c in demo_report["clusters"]["clusters"]}
    for cid in ("yrd-2016", "gba"):
        c = cl[cid]
        assert c["available"]
        assert c["gap_vs_national_ci95"][0] < c["gap_vs_national"] < c["gap_vs_national_ci95"][1]
        assert c["gap_vs_rest_of_provinces_ci95"][0] is not None
        assert c["core_periphery"]["available"]
        assert "95% CI" in c["statement"]
    assert "310000" in cl["yrd-2016"]["unscored_members"]  # Shanghai: outside the 293, a core location
    assert cl["gba"]["scored_members"] == 9  # HK and Macao are not evaluated


def test_spillover_impacts_with_uncertainty(demo_report):
    sp = demo_report["spillover"]
    for kind in ("lag", "durbin"):
        imp = sp["models"][kind]["impacts"]["perception"]
        for k in ("direct", "indirect", "total"):
            assert imp[k]["sd"] is not None and imp[k]["ci95"][0] <= imp[k]["ci95"][1]
    assert sp["distance_decay"]["hub_name"] == "杭州市"
    assert sp["hub_column"]["hub"] == "330100"
    assert sp["hub_column"]["effect_on_others_ci95"][0] is not None
    assert any(f.startswith("Hub 杭州市 (330100):") for f in demo_report["findings"])
    assert demo_report["weights"]["fixed"]  # islands (舟山, Hainan...) were attached and listed
