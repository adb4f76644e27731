#!/usr/bin/env python
"""Generate data/demo/ndrc-2017-simulated.csv: a SIMULATED point-level dataset for the 2017
NDRC smart-governance system (21 evaluation points) for the 293 prefecture-level cities.

The real point-level data were never published, only aggregate figures. This generator makes
a stand-in that reproduces every published figure when scored with
``config/indicators/ndrc-2017.yaml``, so the maps, the API and the analysis have realistic
input. It is deterministic (one seed) and documented in data/demo/README.md.

How (every step is exact, not approximate, for the calibration targets):

1. Top 10: the published first-level scores (DOMAIN.md table; Qingdao's parts sum to 68.3).
2. The other 283 cities get totals from a fixed target distribution: bin counts
   50-60: 61 (all below 59.8), 40-50: 152, 30-40: 63, <30: 7, shaped like a normal truncated
   to each bin, with the centre solved so that the 293-city mean is exactly 45.1.
3. Who gets which total: cities are ordered by a latent "governance" score = region effect
   (East > Central > Northeast/West) + east-high/west-low and south-high/north-low gradients +
   provincial capital / sub-provincial bonus + Yangtze River Delta / Greater Bay Area bonus +
   Hangzhou-neighbour bonus + a spatially smooth random field (Gaussian kernel, 150 km; this is
   what gives real spatial autocorrelation for Moran's I / LISA) + a little independent noise.
4. Each total is split into the 5 first-level scores by iterative proportional fitting so that
   the national score rates are 32 / 44.6 / 62 / 27 / 48 % (智能感知, 智慧管理, 惠民服务, 网络空间,
   主体协同; published ≈32/44/62/27/48, 44.6 so that the rates add up to the mean 45.1).
5. First-level -> second-level -> evaluation points, proportional to the maxima with random
   shares, capped at each maximum, rounded to 0.01 with the roundest residual absorbed so sums
   stay exact. 数据管理 is declared 10 but its points sum to 12: the system rescales them by
   10/12, so the generator writes points whose raw sum is 1.2 x the intended 数据管理 score.

A SECOND SIMULATED YEAR, data/demo/ndrc-2019-simulated.csv (seed 20191), so that years can be
compared (change maps, rank mobility, convergence). There was no 2019 round of the 2017
smart-governance assessment; this file is invented on its system, from the 2017 simulated file.
What it BORROWS from published figures, and what it INVENTS:

* borrowed: the national new-type smart city evaluation (seed 001, its OWN system, not this one)
  reported its mean score rising from 58.03 (2017 round) to 68.16 (2019 round), i.e. x 1.1746
  (+17.46 %). The simulation applies that relative rise to the 2017 simulated mean:
  45.1 x 68.16 / 58.03 = 52.97. It borrows the RATIO, not the levels (the systems differ).
* borrowed: the same evaluation's 2019 regional statement: East and Central each more than
  4 percentage points above the national mean score rate, Northeast and West more than 4 below.
  Targets (points = percentage points, total out of 100): East +5.0, Central +4.5,
  Northeast -4.5, West -6.72 (the value that keeps the national mean; the region sizes are
  85 / 80 / 34 / 94 cities).
* borrowed (qualitatively): 武汉, 郑州 and 西安 "leap ahead" (China City Digital Governance
  Report 2020, seeds 002/003): each gets +4 points of extra growth.
* invented: everything per city. 2019 total = 2017 total + growth, growth = common rise
  - 0.30 x (2017 total - 2017 mean) (catch-up: beta-convergence, invented strength)
  + a spatially smooth shock (Gaussian kernel, 200 km, sd 2 points: neighbours move together)
  + independent noise (sd 1.5 points) + the leaps above; then every region is shifted so its
  mean hits its target exactly (which also fixes the national mean). First-level scores start
  from each city's own 2017 structure scaled to its new total and are fitted (RAS with caps) to
  first-level score rates that rise in proportion to the mean (invented); evaluation points are
  split as for 2017 (step 5). The 293 cities are today's list (莱芜 merged into 济南 in January
  2019; 那曲 a city since 2018), the same codes as the 2017 demo file.

Run:  python scripts/make_demo_data.py [--seed 20171] [--seed-2019 20191]
      [--out-dir cityrank/data/demo]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cityrank.atomic import atomic_write  # noqa: E402
from cityrank.scoring.system import load_system  # noqa: E402
from cityrank.scoring.units import load_units, prefecture_cities  # noqa: E402

SEED = 20171
SYSTEM = ROOT / "cityrank" / "config" / "indicators" / "ndrc-2017.yaml"
STEM = "ndrc-2017-simulated"
FIRST = ["perception", "management", "services", "cyberspace", "collaboration"]
TARGET_RATES = {"perception": 0.32, "management": 0.446, "services": 0.62,
                "cyberspace": 0.27, "collaboration": 0.48}
PUBLISHED_RATES = {"perception": 0.32, "management": 0.44, "services": 0.62,
                   "cyberspace": 0.27, "collaboration": 0.48}
TARGET_MEAN = 45.1
N_CITIES = 293
# (label, low, high, count among the 283 non-top cities); high is exclusive in the report.
OTHER_BINS = [("50–60", 50.0, 59.8, 61), ("40–50", 40.0, 50.0, 152),
              ("30–40", 30.0, 40.0, 63), ("<30", 20.0, 30.0, 7)]
ALL_BINS = {"≥60": 8, "50–60": 63, "40–50": 152, "30–40": 63, "<30": 7}
TOP10 = [  # code, name, perception, management, services, cyberspace, collaboration, published
    ("370200", "青岛市", 10.0, 18.5, 21.5, 5.0, 13.3, 68.4),
    ("330100", "杭州市", 9.3, 15.8, 22.4, 3.7, 16.5, 67.7),
    ("350200", "厦门市", 9.6, 17.0, 17.6, 8.0, 12.3, 64.5),
    ("440100", "广州市", 9.2, 17.1, 18.7, 8.0, 9.0, 62.0),
    ("440300", "深圳市", 7.2, 15.7, 17.1, 8.7, 13.1, 61.8),
    ("440400", "珠海市", 4.4, 15.6, 20.5, 6.0, 14.4, 60.9),
    ("330200", "宁波市", 9.8, 14.0, 18.1, 6.2, 12.3, 60.4),
    ("440600", "佛山市", 3.8, 14.0, 21.8, 7.0, 13.8, 60.4),
    ("510100", "成都市", 8.4, 13.5, 21.3, 5.7, 11.0, 59.9),
    ("320200", "无锡市", 7.6, 17.9, 17.5, 3.5, 13.3, 59.8),
]
HANGZHOU_NEIGHBOURS = ["湖州市", "金华市", "温州市", "嘉兴市", "绍兴市"]
REGION_EFFECT = {"East": 1.0, "Central": 0.25, "Northeast": -0.35, "West": -0.55}
# 三沙 (a few thousand residents on islands) would otherwise ride the southern gradient.
SPECIAL = {"三沙市": -2.5}
MARGIN = 0.05  # keep simulated totals this far inside bin edges


def cluster_members(cluster_id: str, fallback: list[str]) -> list[str]:
    """Codes from config/clusters.yaml via geo.regions (the one source of cluster membership)."""
    try:
        from cityrank.geo.regions import cluster_codes

        return cluster_codes(cluster_id, include_partial=False)
    except Exception:  # geo not importable on a scoring-only checkout
        return fallback


def target_totals(rng: np.random.Generator, target_sum: float) -> np.ndarray:
    """Totals for the 283 non-top cities, descending, with exact bin counts and exact sum."""

    def values(mu: float, sd: float = 7.0) -> np.ndarray:
        out = []
        for _, lo, hi, n in OTHER_BINS:
            a, b = lo + MARGIN, hi - MARGIN
            pa, pb = ndtr((a - mu) / sd), ndtr((b - mu) / sd)
            q = pa + (pb - pa) * (np.arange(n)[::-1] + 0.5) / n
            out.append(mu + sd * ndtri(q))
        return np.concatenate(out)

    lo, hi = 30.0, 60.0
    for _ in range(200):  # bisection on the centre: the mean is monotone in it
        mid = (lo + hi) / 2
        if values(mid).sum() < target_sum:
            lo = mid
        else:
            hi = mid
    t = np.round(values((lo + hi) / 2), 2)
    # Put the rounding residual on the city nearest the middle of the 40-50 bin.
    resid = round(target_sum - t.sum(), 2)
    j = int(np.argmin(np.abs(t - 45.0)))
    t[j] = round(t[j] + resid, 2)
    return t


def _normal_scores(v: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return ndtri((rankdata(v) - 0.5) / len(v))


def latent_score(cities: pd.DataFrame, rng: np.random.Generator, yrd: set, gba: set) -> np.ndarray:
    lon = cities["lon"].to_numpy(float)
    lat = cities["lat"].to_numpy(float)
    z = cities["region"].map(REGION_EFFECT).fillna(0.0).to_numpy(dtype=float, copy=True)
    z += 0.35 * _normal_scores(lon)  # east high, west low
    z -= 0.35 * _normal_scores(lat)  # south high, north low (ranks: 三沙 is no outlier)
    capital = cities["code"].str.endswith("0100").to_numpy()
    z += np.where(capital, 1.4, 0.0) + np.where(cities["type"].eq("副省级市"), 0.6, 0.0)
    z += cities["name"].map(SPECIAL).fillna(0.0).to_numpy(dtype=float)
    z += np.where(cities["code"].isin(yrd), 0.7, 0.0)
    z += np.where(cities["code"].isin(gba), 0.9, 0.0)
    z += np.where(cities["name"].isin(HANGZHOU_NEIGHBOURS), 0.5, 0.0)
    # Spatially smooth field: Gaussian-kernel average of iid normals, 150 km bandwidth.
    x = np.radians(lon) * np.cos(np.radians(lat.mean())) * 6371.0
    y = np.radians(lat) * 6371.0
    d2 = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    k = np.exp(-d2 / (2 * 150.0**2))
    # Divide by the kernel's L2 norm so isolated cities get no more variance than others.
    field = k @ rng.standard_normal(len(cities)) / np.sqrt((k**2).sum(axis=1))
    field = (field - field.mean()) / field.std()
    z += 0.55 * field + 0.3 * rng.standard_normal(len(cities))
    return z


def split_first_level(totals: np.ndarray, col_sums: np.ndarray, maxima: np.ndarray,
                      rng: np.random.Generator, x0: np.ndarray | None = None) -> np.ndarray:
    """Rows sum exactly to ``totals``, columns to ``col_sums`` (RAS with caps), starting from
    ``x0`` (a city's own structure) or random shares around the column shares."""
    share = col_sums / col_sums.sum()
    if x0 is not None:
        x = np.array(x0, dtype=float)
    else:
        x = totals[:, None] * share[None, :] * rng.lognormal(0.0, 0.18, (len(totals), len(share)))
    cap = maxima * 0.97
    for _ in range(500):
        x *= (col_sums / x.sum(axis=0))[None, :]
        x = np.minimum(x, cap)
        x *= (totals / x.sum(axis=1))[:, None]
        x = np.minimum(x, cap)
        if (np.abs(x.sum(axis=1) - totals).max() < 1e-9
                and np.abs(x.sum(axis=0) - col_sums).max() < 1e-6):
            break
    return x


def split_exact(value: float, maxima: list[float], rng: np.random.Generator, step: float = 0.01,
                steps: list[float] | None = None) -> list[float]:
    """Split ``value`` (a multiple of 0.01) into parts <= maxima, random shares around the
    maxima's proportions, each rounded to its step, the residual on the part with most slack."""
    m = np.asarray(maxima, float)
    steps = steps or [step] * len(m)
    if value > m.sum() * 0.999:
        raise ValueError(f"{value} does not fit under maxima {maxima}")
    w = m * rng.lognormal(0.0, 0.25, len(m))
    parts = np.zeros(len(m))
    free = np.ones(len(m), bool)
    rest = value
    for _ in range(len(m) + 1):  # water-filling under the caps
        if not free.any():  # every part at its cap: the residual step below places the rest
            break
        p = rest * w * free / (w * free).sum()
        over = free & (p > m * 0.98)
        if not over.any():
            parts[free] = p[free]
            break
        parts[over] = m[over] * 0.98
        free &= ~over
        rest = value - parts[~free].sum()
    parts = np.array([round(round(p / s) * s, 2) for p, s in zip(parts, steps, strict=True)])
    resid = round(value - parts.sum(), 2)
    slack = np.minimum(parts, m - parts) - np.where(np.array(steps) > step, 1e9, 0)
    j = int(np.argmax(slack))
    parts[j] = round(parts[j] + resid, 2)
    if (parts < -1e-9).any() or (parts > m + 1e-9).any():
        raise ValueError(f"split of {value} under {maxima} failed: {parts}")
    return parts.tolist()


def city_points(l1: dict[str, float], system, rng: np.random.Generator) -> dict[str, float]:
    """First-level scores (multiples of 0.01) -> the 21 evaluation points."""
    out: dict[str, float] = {}
    for f in FIRST:
        kids = [system.nodes[c] for c in system.nodes[f].children]
        kid_max = [k.max_points for k in kids]
        # 数据管理 must be a multiple of 0.05 so its raw points (x 1.2) are a multiple of 0.06.
        steps = [0.05 if k.scale != 1.0 else 0.01 for k in kids]
        l2 = split_exact(round(l1[f], 2), kid_max, rng, steps=steps)
        for k, v in zip(kids, l2, strict=True):
            leaves = [system.nodes[c] for c in k.children]
            raw = round(v / k.scale, 2)  # 数据管理: 1.2 x its score
            pts = split_exact(raw, [leaf.max_points for leaf in leaves], rng)
            for leaf, p in zip(leaves, pts, strict=True):
                out[leaf.id] = p
    return out


def generate(seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    system = load_system(SYSTEM)
    cities = prefecture_cities(load_units()).sort_values("code").reset_index(drop=True)
    if len(cities) != N_CITIES:
        raise SystemExit(f"expected {N_CITIES} prefecture-level cities, found {len(cities)}")
    codes = set(cities["code"])
    yrd = set(cluster_members("yrd-2016", [])) & codes
    gba = set(cluster_members("gba", [])) & codes
    top_codes = [t[0] for t in TOP10]
    top = pd.DataFrame([t[2:7] for t in TOP10], columns=FIRST, index=top_codes)

    others = cities[~cities["code"].isin(top_codes)].reset_index(drop=True)
    maxima = np.array([system.nodes[f].max_points for f in FIRST])
    means = np.array([TARGET_RATES[f] for f in FIRST]) * maxima
    target_sum = round(TARGET_MEAN * N_CITIES - top.to_numpy().sum(), 2)
    totals = target_totals(rng, target_sum)
    order = np.argsort(-latent_score(others, rng, yrd, gba), kind="stable")
    city_total = np.empty(len(others))
    city_total[order] = totals
    col_sums = means * N_CITIES - top.to_numpy().sum(axis=0)
    col_sums *= city_total.sum() / col_sums.sum()
    l1 = split_first_level(city_total, col_sums, maxima, rng)

    rows = []
    for code, t in zip(top_codes, top.to_numpy(), strict=True):
        rows.append({"code": code, **city_points(dict(zip(FIRST, t, strict=True)), system, rng)})
    for i, code in enumerate(others["code"]):
        # Round first-level scores to 0.01 keeping the city's total exact.
        v = np.round(l1[i], 2)
        v[int(np.argmax(v))] += round(city_total[i] - v.sum(), 2)
        rows.append({"code": code, **city_points(dict(zip(FIRST, v, strict=True)), system, rng)})
    pts = pd.DataFrame(rows).set_index("code")
    meta = cities.set_index("code")
    df = pd.DataFrame({"code": cities["code"]})
    df["name"] = df["code"].map(meta["name"])
    df["province"] = df["code"].map(meta["province"])
    df["synthetic"] = "true"
    for leaf in system.leaves:
        df[leaf] = df["code"].map(pts[leaf]).round(2)
    info = {
        "synthetic": True,
        "title": "SIMULATED point-level data for the 2017 NDRC smart-governance assessment",
        "warning": "Simulated data. Not the real assessment's city scores: only the top 10 "
                   "first-level scores and the aggregate figures are real (published).",
        "generator": "scripts/make_demo_data.py",
        "seed": seed,
        "system": "config/indicators/ndrc-2017.yaml",
        "units": "the 293 prefecture-level cities (副省级市 + 地级市) of config/admin_units.csv",
        # simulated on today's list, so scored on it (cityrank.scoring.vintage); a real 2017
        # file is scored on the end-2016 list (year 2017; data/demo/README.md)
        "year": 2017,
        "vintage": "current",
        "calibration_targets": {
            "top10_first_level_scores": {t[1]: dict(zip(FIRST, t[2:7], strict=True))
                                         for t in TOP10},
            "others_below": 59.8,
            "mean": TARGET_MEAN,
            "bins": ALL_BINS,
            "first_level_score_rates_published": PUBLISHED_RATES,
            "first_level_score_rates_used": TARGET_RATES,
            "geography": ["East > Central > West and Northeast (mean total)",
                          "Yangtze River Delta (2016, 26 cities) mean above national",
                          "Greater Bay Area (9 mainland cities) mean above national",
                          "湖州 金华 温州 嘉兴 绍兴 (Hangzhou's neighbours) above national mean",
                          "east-high/west-low, south-high/north-low gradients; spatial "
                          "autocorrelation from a 150 km Gaussian-kernel random field"],
        },
        "sources": ["NDRC CCUD 2017 assessment report (seed 000)", "DOMAIN.md section A"],
    }
    return df, info


SEED_2019 = 20191
STEM_2019 = "ndrc-2019-simulated"
RISE = 68.16 / 58.03  # national evaluation, 2017 -> 2019 mean (its own system): borrowed ratio
TARGET_MEAN_2019 = round(TARGET_MEAN * RISE, 2)  # 52.97
REGION_TARGETS_2019 = {"East": 5.0, "Central": 4.5, "Northeast": -4.5}  # West: what balances
LEAPERS = {"420100": 4.0, "410100": 4.0, "610100": 4.0}  # 武汉 郑州 西安
CATCH_UP = 0.30  # invented beta-convergence strength
SHOCK_KM, SHOCK_SD, NOISE_SD = 200.0, 2.0, 1.5  # invented


def _smooth_field(cities: pd.DataFrame, rng: np.random.Generator, km: float) -> np.ndarray:
    """A spatially smooth standard-normal field over the cities (Gaussian kernel, ``km``)."""
    lon = cities["lon"].to_numpy(float)
    lat = cities["lat"].to_numpy(float)
    x = np.radians(lon) * np.cos(np.radians(lat.mean())) * 6371.0
    y = np.radians(lat) * 6371.0
    d2 = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    k = np.exp(-d2 / (2 * km**2))
    field = k @ rng.standard_normal(len(cities)) / np.sqrt((k**2).sum(axis=1))
    return (field - field.mean()) / field.std()


def region_targets_2019(regions: pd.Series) -> dict[str, float]:
    """Each region's mean total in 2019: national mean + its deviation; West balances."""
    n = regions.value_counts()
    dev = dict(REGION_TARGETS_2019)
    dev["West"] = -sum(n[r] * d for r, d in dev.items()) / n["West"]
    return {r: TARGET_MEAN_2019 + d for r, d in dev.items()}


def generate_2019(df17: pd.DataFrame, seed: int = SEED_2019) -> tuple[pd.DataFrame, dict]:
    """The second simulated year from the 2017 simulated file (see the module doc)."""
    from cityrank.scoring.engine import score

    rng = np.random.default_rng(seed)
    system = load_system(SYSTEM)
    units = load_units()
    cities = prefecture_cities(units).set_index("code").loc[df17["code"]].reset_index()
    s17 = score(system, df17.set_index("code")[system.leaves].astype(float), units=units,
                synthetic=True).set_index("code").loc[cities["code"]]
    t17 = s17["total"].to_numpy(float)
    growth = (TARGET_MEAN_2019 - t17.mean()) - CATCH_UP * (t17 - t17.mean())
    growth += SHOCK_SD * _smooth_field(cities, rng, SHOCK_KM)
    growth += NOISE_SD * rng.standard_normal(len(cities))
    growth += cities["code"].map(LEAPERS).fillna(0.0).to_numpy(float)
    t19 = t17 + growth
    targets = region_targets_2019(cities["region"])
    for region, target in targets.items():
        sel = (cities["region"] == region).to_numpy()
        t19[sel] += target - t19[sel].mean()
    t19 = np.round(t19, 2)
    resid = round(TARGET_MEAN_2019 * len(t19) - t19.sum(), 2)  # rounding: one city takes it
    j = int(np.argmin(np.abs(t19 - TARGET_MEAN_2019)))
    t19[j] = round(t19[j] + resid, 2)

    maxima = np.array([system.nodes[f].max_points for f in FIRST])
    rates = np.array([TARGET_RATES[f] for f in FIRST]) * (TARGET_MEAN_2019 / TARGET_MEAN)
    col_sums = rates * maxima * len(t19)
    col_sums *= t19.sum() / col_sums.sum()
    x0 = s17[FIRST].to_numpy(float) * (t19 / t17)[:, None]
    l1 = split_first_level(t19, col_sums, maxima, rng, x0=x0)
    rows = []
    for i, code in enumerate(cities["code"]):
        v = np.round(l1[i], 2)
        v[int(np.argmax(v))] += round(t19[i] - v.sum(), 2)
        rows.append({"code": code, **city_points(dict(zip(FIRST, v, strict=True)), system, rng)})
    pts = pd.DataFrame(rows).set_index("code")
    df = df17[["code", "name", "province", "synthetic"]].copy()
    for leaf in system.leaves:
        df[leaf] = df["code"].map(pts[leaf]).round(2)
    info = {
        "synthetic": True,
        "title": "SIMULATED second year (2019) for the 2017 smart-governance system",
        "warning": "Simulated data, invented city by city. There was no 2019 round of this "
                   "assessment. Only the ratio of the national evaluation's means (68.16 / "
                   "58.03, on its own system) and its 2019 regional statement are borrowed.",
        "generator": "scripts/make_demo_data.py (generate_2019)",
        "seed": seed,
        "from": f"{STEM}.csv",
        "system": "config/indicators/ndrc-2017.yaml",
        "units": "today's 293 prefecture-level cities (the 2019 list: 莱芜 merged into 济南 "
                 "in January 2019, 那曲 a city since 2018)",
        "borrowed": {
            "mean_rise": {"from": 58.03, "to": 68.16, "ratio": round(RISE, 6),
                          "source": "national new-type smart city evaluation, 2017 and 2019 "
                                    "rounds (seed 001; its own system)"},
            "target_mean": TARGET_MEAN_2019,
            "regions_vs_national_mean_points": {r: round(t - TARGET_MEAN_2019, 3)
                                                for r, t in targets.items()},
            "regions_source": "2019 round: East and Central more than 4 percentage points "
                              "above the national mean score rate, Northeast and West more "
                              "than 4 below (seed 001)",
            "leapers": {"武汉市": 4.0, "郑州市": 4.0, "西安市": 4.0,
                        "source": "China City Digital Governance Report 2020 (seeds 002/003)"},
        },
        "invented": {"catch_up_beta": -CATCH_UP, "shock_kernel_km": SHOCK_KM,
                     "shock_sd": SHOCK_SD, "noise_sd": NOISE_SD,
                     "first_level_rates": {f: round(float(r), 4) for f, r in
                                           zip(FIRST, rates, strict=True)},
                     "every city's value": True},
        "sources": ["seed 001 (national evaluation)", "seeds 002/003", "DOMAIN.md section B"],
    }
    return df, info


def check(df: pd.DataFrame) -> dict:
    """Score the generated file with the shipped system and return the achieved figures."""
    from cityrank.scoring.engine import score
    from cityrank.scoring.summary import summarise

    system = load_system(SYSTEM)
    units = load_units()
    data = df.set_index("code")[system.leaves].astype(float)
    s = score(system, data, units=units, synthetic=True)
    summ = summarise(s, system)
    reg = s.groupby("region")["total"].mean().round(3).to_dict()
    return {"mean": round(summ["mean"], 4), "bins": {b["label"]: b["count"] for b in summ["bins"]},
            "score_rates": {k: round(v, 4) for k, v in summ["score_rates"].items()},
            "region_means": reg}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--seed-2019", type=int, default=SEED_2019)
    ap.add_argument("--out-dir", default=str(ROOT / "cityrank" / "data" / "demo"))
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    df, info = generate(args.seed)
    write(out, STEM, df, info)
    df19, info19 = generate_2019(df, args.seed_2019)
    write(out, STEM_2019, df19, info19)
    return 0


def write(out: Path, stem: str, df: pd.DataFrame, info: dict) -> None:
    info["achieved"] = check(df)
    csv = out / f"{stem}.csv"
    atomic_write(csv, lambda p: df.to_csv(p, index=False, float_format="%.2f",
                                          lineterminator="\n"))
    atomic_write(out / f"{stem}.meta.json", lambda p: p.write_text(
        json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"))
    print(f"wrote {csv} ({len(df)} cities) and {stem}.meta.json")
    print(json.dumps(info["achieved"], ensure_ascii=False))


if __name__ == "__main__":
    raise SystemExit(main())
