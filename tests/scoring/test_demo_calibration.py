"""The simulated demo dataset reproduces every published figure of the 2017 assessment."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cityrank import paths
from cityrank.scoring.pipeline import score_file
from cityrank.scoring.summary import summarise

ROOT = Path(__file__).resolve().parents[2]

DEMO = paths.DEMO_DIR / "ndrc-2017-simulated.csv"
TOP10 = {  # published first-level scores (DOMAIN.md)
    "青岛市": (10.0, 18.5, 21.5, 5.0, 13.3), "杭州市": (9.3, 15.8, 22.4, 3.7, 16.5),
    "厦门市": (9.6, 17.0, 17.6, 8.0, 12.3), "广州市": (9.2, 17.1, 18.7, 8.0, 9.0),
    "深圳市": (7.2, 15.7, 17.1, 8.7, 13.1), "珠海市": (4.4, 15.6, 20.5, 6.0, 14.4),
    "宁波市": (9.8, 14.0, 18.1, 6.2, 12.3), "佛山市": (3.8, 14.0, 21.8, 7.0, 13.8),
    "成都市": (8.4, 13.5, 21.3, 5.7, 11.0), "无锡市": (7.6, 17.9, 17.5, 3.5, 13.3),
}
FIRST = ["perception", "management", "services", "cyberspace", "collaboration"]
YRD_2016 = ["南京市", "无锡市", "常州市", "苏州市", "南通市", "盐城市", "扬州市", "镇江市", "泰州市",
            "杭州市", "宁波市", "嘉兴市", "湖州市", "绍兴市", "金华市", "舟山市", "台州市", "合肥市",
            "芜湖市", "马鞍山市", "铜陵市", "安庆市", "滁州市", "池州市", "宣城市"]  # + 上海 (not scored)
GBA = ["广州市", "深圳市", "珠海市", "佛山市", "惠州市", "东莞市", "中山市", "江门市", "肇庆市"]


@pytest.fixture(scope="module")
def run():
    return score_file("ndrc-2017", DEMO)


@pytest.fixture(scope="module")
def scores(run):
    return run.scores


def test_labelled_simulated_everywhere(run):
    assert "simulated" in DEMO.name
    meta = json.loads(DEMO.with_name("ndrc-2017-simulated.meta.json").read_text("utf-8"))
    assert meta["synthetic"] is True and meta["seed"] == 20171
    assert meta["generator"] == "scripts/make_demo_data.py"
    raw = pd.read_csv(DEMO, dtype=str)
    assert (raw["synthetic"] == "true").all()
    assert run.synthetic and run.scores.attrs["synthetic"] is True


def test_293_cities_21_points(scores):
    raw = pd.read_csv(DEMO, dtype=str)
    assert len(raw) == 293 and raw["code"].is_unique
    assert len([c for c in raw.columns if c not in ("code", "name", "province", "synthetic")]) == 21
    assert len(scores) == 293


def test_top10_exact_published_first_level(scores):
    top = scores.head(10)
    assert top["name"].tolist() == list(TOP10)
    for name, parts in TOP10.items():
        row = scores.loc[scores["name"] == name].iloc[0]
        np.testing.assert_allclose(row[FIRST].to_numpy(float), parts, atol=1e-9)
    assert top["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7, 7, 9, 10]
    assert scores.loc[scores["name"] == "青岛市", "total"].iloc[0] == pytest.approx(68.3)


def test_others_below_59_8(scores):
    assert scores.iloc[10:]["total"].max() < 59.8


def test_mean_and_bins(scores, run):
    s = summarise(scores, run.system)
    assert abs(s["mean"] - 45.1) <= 0.05
    assert [b["count"] for b in s["bins"]] == [8, 63, 152, 63, 7]
    assert [round(b["share"] * 100, 2) for b in s["bins"]] == [2.73, 21.5, 51.88, 21.5, 2.39]


@pytest.mark.parametrize("node,rate", [("services", 62), ("collaboration", 48),
                                       ("management", 44), ("perception", 32),
                                       ("cyberspace", 27)])
def test_first_level_score_rates(scores, node, rate):
    assert abs(scores[f"rate_{node}"].mean() * 100 - rate) <= 1.0


def test_region_order(scores):
    m = scores.groupby("region")["total"].mean()
    assert m["East"] > m["Central"] > max(m["West"], m["Northeast"])


def test_clusters_and_hangzhou_neighbours_above_national(scores):
    national = scores["total"].mean()
    yrd = scores[scores["name"].isin(YRD_2016)]
    gba = scores[scores["name"].isin(GBA)]
    assert len(yrd) == 25 and len(gba) == 9
    assert yrd["total"].mean() > national and gba["total"].mean() > national
    for name in ["湖州市", "金华市", "温州市", "嘉兴市", "绍兴市"]:
        assert scores.loc[scores["name"] == name, "total"].iloc[0] > national, name


def test_gradients_and_spatial_autocorrelation(scores):
    from cityrank.scoring.units import load_units

    u = load_units().set_index("code")
    lon = scores["code"].map(u["lon"]).to_numpy(float)
    lat = scores["code"].map(u["lat"]).to_numpy(float)
    t = scores["total"].to_numpy(float)
    assert np.corrcoef(lon, t)[0, 1] > 0.2  # east high, west low
    assert np.corrcoef(lat, t)[0, 1] < -0.1  # south high, north low
    # Moran's I with 6 nearest neighbours (row-standardised), computed directly.
    x = np.radians(lon) * np.cos(np.radians(lat.mean()))
    y = np.radians(lat)
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(d, np.inf)
    w = np.zeros_like(d)
    nn = np.argsort(d, axis=1)[:, :6]
    np.put_along_axis(w, nn, 1 / 6, axis=1)
    z = t - t.mean()
    moran = (z @ w @ z) / (z @ z)
    assert moran > 0.4


def test_generator_is_deterministic(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo_data.py"),
                    "--out-dir", str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / DEMO.name).read_bytes() == DEMO.read_bytes()
    second = paths.DEMO_DIR / "ndrc-2019-simulated.csv"  # the second simulated year too
    assert (tmp_path / second.name).read_bytes() == second.read_bytes()
