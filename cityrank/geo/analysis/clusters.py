"""City clusters (城市群) against the nation and their own provinces, with a core-periphery profile.

The planners' questions: is the Yangtze River Delta really "well above the national level",
is it above the rest of Jiangsu/Zhejiang/Anhui too (or just the richer half of rich
provinces), how unequal is it inside, and does the score fall with distance from the core
cities? Each answer carries a seeded bootstrap 95% interval (gaps) or a t-interval (the
distance slope). Clusters and their cores come from config/clusters.yaml via geo.regions;
"partial" members (only some counties in the plan) are included by default and flagged.
Distances are geodesic metres on the GRS80 ellipsoid (geo.projection.geodesic_distance_m).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cityrank.errors import DataError
from cityrank.geo.analysis.disparity import _ci, ci_text, inequality_indices
from cityrank.geo.analysis.gradients import ols
from cityrank.jsonsafe import num
from cityrank.scoring.summary import cv_percent

KM_PER_STEP = 100.0
"""Core-periphery slopes are per 100 km of distance to the nearest core city."""


def _boot_gap(inner: np.ndarray, outer: np.ndarray, *, pooled: bool, n_boot: int, rng) -> list:
    """Bootstrap CI of mean(inner) - mean(reference); reference = outer, or inner+outer pooled."""
    if n_boot == 0 or inner.size == 0 or outer.size == 0:
        return [None, None]
    a = inner[rng.integers(0, inner.size, (n_boot, inner.size))]
    b = outer[rng.integers(0, outer.size, (n_boot, outer.size))]
    ref = (a.sum(1) + b.sum(1)) / (inner.size + outer.size) if pooled else b.mean(1)
    return _ci(a.mean(1) - ref)


def core_periphery(frame: pd.DataFrame, value: str, member_codes: list[str], cores: list[str]) -> dict:
    """Value against geodesic distance (m) to the nearest core city, for the scored members."""
    from cityrank.geo.projection import geodesic_distance_m

    coords = frame.set_index("code")[["lon", "lat"]]
    core_xy = coords.reindex([c for c in cores if c in coords.index]).dropna()
    if core_xy.empty:
        return {"available": False, "reason": "no core city of this cluster is in the layer"}
    rows = frame[frame["code"].isin(member_codes) & frame[value].notna()]
    dists = np.column_stack([
        geodesic_distance_m(rows["lon"].to_numpy(), rows["lat"].to_numpy(), lon, lat)
        for lon, lat in core_xy.itertuples(index=False)
    ])
    nearest = dists.min(axis=1)
    which = np.asarray(core_xy.index)[dists.argmin(axis=1)]
    profile = [
        {"code": c, "name": n, "value": num(v), "distance_m": num(d), "nearest_core": k}
        for c, n, v, d, k in zip(rows["code"], rows.get("name", rows["code"]), rows[value], nearest, which,
                                 strict=True)
    ]
    profile.sort(key=lambda r: r["distance_m"])
    out = {"available": True, "cores": list(core_xy.index), "distance_unit": "metres (geodesic)",
           "units": profile}
    periphery = nearest > 1.0  # the cores themselves sit at distance 0
    if periphery.sum() >= 4:
        fit = ols(rows[value].to_numpy()[periphery], [nearest[periphery] / 1000.0 / KM_PER_STEP], ["distance"])
        slope = fit["coefficients"]["distance"]
        out["fit"] = {"model": f"value ~ distance to nearest core (per {KM_PER_STEP:g} km), cores excluded",
                      **fit, "slope_per_100km": slope}
        c, (lo, hi) = slope["coef"], slope["ci95"]
        out["statement"] = (f"{c:+.2f} points per 100 km from the nearest core city "
                            f"(95% CI {lo:+.2f} to {hi:+.2f}; n={fit['n']}).")
    else:
        out["fit"] = None
        out["statement"] = "too few scored non-core members for a distance slope"
    return out


def cluster_comparison(
    frame: pd.DataFrame,
    value: str,
    *,
    clusters: dict | None = None,
    include_partial: bool = True,
    n_boot: int = 999,
    seed: int | None = 12345,
) -> list[dict]:
    """One record per configured cluster: vs national, vs rest of its provinces, inside, profile.

    ``frame`` needs ``code``, ``value``, ``province_code``, ``lon``, ``lat`` (and ``name``);
    units without a value are treated as unscored and used only as locations (e.g. Shanghai,
    a municipality outside the 293-city universe, still anchors the YRD profile).
    """
    need = {"code", value, "province_code", "lon", "lat"}
    missing = need - set(frame.columns)
    if missing:
        raise DataError(f"cluster comparison: columns {sorted(missing)} missing")
    if clusters is None:
        from cityrank.geo.regions import load_clusters

        clusters = load_clusters()
    frame = frame.copy()
    frame["code"] = frame["code"].astype(str)
    frame[value] = pd.to_numeric(frame[value], errors="coerce")
    scored = frame[frame[value].notna()]
    y_all = scored[value].to_numpy(dtype=float)
    names = dict(zip(frame["code"], frame["name"] if "name" in frame else frame["code"], strict=True))
    rng = np.random.default_rng(seed)
    nat_mean = float(y_all.mean())
    out = []
    for cid, cl in clusters.items():
        members = [m.code for m in cl.members if include_partial or not m.partial]
        partial = [m.code for m in cl.members if m.partial]
        in_mask = scored["code"].isin(members)
        inner = scored.loc[in_mask, value].to_numpy(dtype=float)
        rec = {
            "id": cid, "name": cl.name, "name_en": cl.name_en, "plan": cl.plan, "year": cl.year,
            "checked": bool(getattr(cl, "checked", False)),
            "members": len(members), "partial_members": partial,
            "scored_members": int(in_mask.sum()),
            "unscored_members": [c for c in members if c not in set(scored["code"])],
        }
        if inner.size == 0:
            rec["available"] = False
            out.append(rec)
            continue
        outer = scored.loc[~in_mask, value].to_numpy(dtype=float)
        provinces = sorted(set(frame.loc[frame["code"].isin(members), "province_code"].astype(str)))
        rest = scored[~in_mask & scored["province_code"].astype(str).isin(provinces)]
        rest_vals = rest[value].to_numpy(dtype=float)
        mean = float(inner.mean())
        gap_nat = mean - nat_mean
        ci_nat = _boot_gap(inner, outer, pooled=True, n_boot=n_boot, rng=rng)
        rec.update({
            "available": True,
            "mean": num(mean),
            "national_mean": num(nat_mean),
            "gap_vs_national": num(gap_nat),
            "gap_vs_national_ci95": ci_nat,
            "provinces": provinces,
            "rest_of_provinces_n": int(rest_vals.size),
            "rest_of_provinces_mean": num(rest_vals.mean()) if rest_vals.size else None,
            "gap_vs_rest_of_provinces": num(mean - rest_vals.mean()) if rest_vals.size else None,
            "gap_vs_rest_of_provinces_ci95": _boot_gap(inner, rest_vals, pooled=False, n_boot=n_boot, rng=rng),
            "intra": {
                "cv_percent": num(cv_percent(inner)),
                "min": {"code": scored.loc[in_mask, "code"].iloc[int(inner.argmin())], "value": num(inner.min())},
                "max": {"code": scored.loc[in_mask, "code"].iloc[int(inner.argmax())], "value": num(inner.max())},
                **(inequality_indices(inner, np.zeros(inner.size, dtype=int), n_boot=n_boot, seed=seed)
                   if inner.size >= 2 else {}),
            },
            "core_periphery": core_periphery(frame, value, members, list(getattr(cl, "cores", ()) or ())),
        })
        word = "above" if gap_nat >= 0 else "below"
        rest_txt = ""
        if rest_vals.size:
            g2 = mean - rest_vals.mean()
            rest_txt = (f"; {abs(g2):.2f} points {'above' if g2 >= 0 else 'below'} the rest of its provinces"
                        f"{ci_text(rec['gap_vs_rest_of_provinces_ci95'], f'{rest_vals.size} cities')}")
        rec["statement"] = (f"{cl.name_en}: mean {mean:.2f} over {inner.size} scored cities, "
                            f"{abs(gap_nat):.2f} points {word} the national mean{ci_text(ci_nat)}"
                            f"{rest_txt}; intra-cluster CV {cv_percent(inner):.1f}%.")
        rec["member_names"] = {c: names.get(c, c) for c in members}
        out.append(rec)
    return out


def compare_groups(frame: pd.DataFrame, columns: list[str], groups: dict[str, list[str]], *,
                   n_boot: int = 999, seed: int | None = 12345) -> dict:
    """Groups of units (clusters, a cluster's provinces' rest, ...) side by side per column:
    mean, n and CV of each, and every group's gap to the first (the reference) with a seeded
    bootstrap 95% interval (each group resampled within itself; groups that share members are
    treated as independent samples, which makes the interval a little wide, never narrow).

    ``frame`` has ``code`` and the ``columns``; ``groups`` maps a group id to member codes, in
    the order shown (the first is the reference). Units without a value are left out per
    column and counted."""
    frame = frame.copy()
    frame["code"] = frame["code"].astype(str)
    rng = np.random.default_rng(seed)
    ids = list(groups)
    out: dict = {"groups": ids, "reference": ids[0] if ids else None, "columns": {},
                 "bootstrap": {"replicates": int(n_boot), "seed": seed,
                               "scheme": "each group resampled within itself; groups independent"}}
    for col in columns:
        vals = pd.to_numeric(frame[col], errors="coerce")
        per = {g: vals[frame["code"].isin(codes)].dropna().to_numpy(dtype=float) for g, codes in groups.items()}
        row = {}
        ref = per[ids[0]] if ids else np.array([])
        for g in ids:
            v = per[g]
            rec = {"n": int(v.size), "mean": num(v.mean()) if v.size else None,
                   "cv_percent": num(cv_percent(v)) if v.size >= 2 else None}
            if g != ids[0]:
                gap = float(v.mean() - ref.mean()) if v.size and ref.size else None
                rec["gap_vs_reference"] = num(gap)
                rec["gap_ci95"] = _boot_gap(v, ref, pooled=False, n_boot=n_boot, rng=rng)
            row[g] = rec
        out["columns"][col] = row
    return out
