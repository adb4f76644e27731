"""One call that runs every analysis on a layer and returns a JSON-serialisable report.

The CLI (``cityrank analyze``), the HTML report and the viewer all read this dict, so a
number shown in the browser is the number in the JSON file. Sections that do not apply to
the data (no regions in a user's district file, no regressors for a spatial model) are
present with ``"available": false`` and the reason, rather than missing, so readers can tell
"not computed" from "forgotten"; a reason the pages must say in their language also carries
``reason_key`` (``report.reason.*`` of the catalogue) and ``params``.

Beside the numbers the report says how they were obtained: ``small_sample`` (``small`` below
:data:`MIN_UNITS` analysed units: no spatial regression, a warning on every surface),
``global_moran.p_value`` / ``local_moran.p_value`` / ``getis_ord.p_value`` /
``gradients.p_value`` (permutation or analytic, one- or two-sided), ``local_moran.standardisation``
(n-1, as esda and GeoDa), ``disparity.regions.nbs`` (the NBS regions' names only on the
built-in layer), ``gradients.*.hac.crs`` (the weights' equal-area projection) and
``spillover.hub`` (``id``, ``name``, ``status``: effect, no_effect, no_data, no_regressor,
no_model, not_in_layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd

from cityrank import __version__
from cityrank.errors import DataError
from cityrank.geo.analysis import autocorrelation as ac
from cityrank.geo.analysis.clusters import cluster_comparison
from cityrank.geo.analysis.disparity import (
    group_disparity,
    inequality_indices,
    weighted_inequality,
)
from cityrank.geo.analysis.findings import bilingual_findings, findings  # noqa: F401  (findings: public name)
from cityrank.geo.analysis.gradients import gradients
from cityrank.geo.analysis.regionalise import governance_zones
from cityrank.geo.analysis.spillover import (
    EXACT_MAX_N,
    distance_decay,
    fit_spatial_model,
    hub_column,
    simulate_impacts,
    trace_operator,
)
from cityrank.geo.analysis.weights import build_weights
from cityrank.geo.regions import region_ids, region_name
from cityrank.i18n import both, t
from cityrank.jsonsafe import jsonable, num
from cityrank.scoring.summary import cv_percent, std

SCHEMA = "cityrank/analysis-report/1"
MIN_UNITS = 30
"""Below this many analysed units the report says it is a small sample (on the page, in the
findings) and fits no spatial regression: permutation tests and intervals on a handful of
units (the published top 10) are unreliable, and nothing is called significant silently."""

P_VALUES = {
    "moran": {"p": "permutation (pseudo p), one-sided toward the observed sign",
              "p_norm": "analytic normal approximation, two-sided"},
    "lisa": "conditional permutation (pseudo p), one-sided toward the observed side",
    "gi_star": {True: "permutation (pseudo p), one-sided toward the observed side",
                False: "analytic normal approximation, one-sided"},
}
"""How each p-value of the report is obtained (esda's conventions), stored beside it."""
LISA_STANDARDISATION = "n-1 (I_i = (n-1) z_i sum_j w_ij z_j / sum_k z_k^2, as esda and GeoDa)"


def unavailable(key: str, **params) -> dict:
    """A section not computed: ``reason`` in English for JSON readers, ``reason_key`` (a key
    of the catalogue's ``report`` domain) and ``params`` for the pages to say it in their
    language."""
    en = {k: v["en"] if isinstance(v, dict) else v for k, v in params.items()}
    return {"available": False, "reason": t(f"report.{key}", "en", **en),
            "reason_key": f"report.{key}", "params": params}


def _coordinates(gdf: gpd.GeoDataFrame) -> tuple[pd.DataFrame, bool]:
    """lon/lat per unit: the layer's own columns, else representative points in lon/lat.

    Returns (frame with lon, lat, geographic flag). Without a CRS we can only give planar
    x/y; gradients are then "per 10 units of x" and distances are not geodesic.
    """
    if {"lon", "lat"} <= set(gdf.columns):
        return gdf[["lon", "lat"]].apply(pd.to_numeric, errors="coerce"), True
    pts = gdf.geometry.representative_point()
    if gdf.crs is None:
        return pd.DataFrame({"lon": pts.x.to_numpy(), "lat": pts.y.to_numpy()}, index=gdf.index), False
    ll = gpd.GeoSeries(pts, crs=gdf.crs).to_crs(4326)
    return pd.DataFrame({"lon": ll.x.to_numpy(), "lat": ll.y.to_numpy()}, index=gdf.index), True


def _section(fn, *args, **kwargs) -> dict:
    """Run one analysis; a data problem becomes ``available: false`` with the reason."""
    try:
        out = fn(*args, **kwargs)
    except DataError as exc:
        return {"available": False, "reason": str(exc)}
    if isinstance(out, dict):
        out.setdefault("available", True)
    return out


def covariate_info(covariates) -> dict | None:
    """What a report says of its covariates: the files they came from, the columns, how many
    units have a value, and each column's provenance (unit, source, date)."""
    if covariates is None:
        return None
    meta = covariates.metadata()
    files = list(dict.fromkeys(m["source"] for m in meta))
    return {"file": ", ".join(files), "columns": list(covariates.names),
            "n": int(covariates.values.notna().any(axis=1).sum()), "metadata": meta}


def build_report(
    gdf: gpd.GeoDataFrame,
    value_column: str,
    *,
    x_columns: Sequence[str] = (),
    weights: str = "queen",
    permutations: int = 999,
    seed: int = 12345,
    hub: str | None = None,
    id_column: str | None = None,
    name_column: str | None = None,
    fdr: bool = False,
    alpha: float = 0.05,
    max_value: float | None = None,
    indicators: dict[str, float | None] | None = None,
    zones: bool = True,
    n_zones: int = 8,
    draws: int = 1000,
    synthetic: bool | None = None,
    title: str | None = None,
    weights_params: dict | None = None,
    indicator_names: dict[str, dict[str, str]] | None = None,
    weights_cache: dict | None = None,
    covariates=None,
    weight_column: str | None = None,
    engine=None,
) -> dict:
    """Full spatial analysis of ``value_column`` over the units of ``gdf``.

    Units with a missing value (or missing regressor) are left out of the analysis and
    listed; they still serve as locations (a hub, a cluster core). ``hub`` is a unit id
    (a 6-digit code on the built-in layer). ``synthetic`` defaults to ``gdf.attrs``.
    ``indicator_names`` ({column: {"zh": ..., "en": ...}}) lets the findings name indicators
    in both languages. ``weights_cache`` is a dict the caller keeps between calls on the SAME
    layer (the viewer): weights depend only on the analysed units, not on the value, and
    building contiguity on full-resolution polygons is a large part of a report's time.
    ``covariates`` (:class:`cityrank.geo.covariates.Covariates`, keyed by the unit ids) are
    joined to the layer first, so ``x_columns`` and ``weight_column`` may name them: raster
    covariates as regressors of the spatial models, population as the weights of the
    population-weighted Theil and Gini (``disparity.overall_weighted``). ``engine`` (a
    :class:`cityrank.geo.analysis.partitioned.DaskEngine`) runs contiguity weights, LISA and
    Gi* partitioned on Dask, with the same results.
    """
    if covariates is not None:
        gdf = covariates.join_to(gdf, id_column or "code")
    if weight_column is not None and weight_column not in gdf.columns:
        raise DataError(f"analysis: weight column {weight_column!r} not found; columns: {list(gdf.columns)}")
    if value_column not in gdf.columns:
        raise DataError(f"analysis: no column {value_column!r}; columns: {list(gdf.columns)}")
    for x in x_columns:
        if x not in gdf.columns:
            raise DataError(f"analysis: regressor column {x!r} not found; columns: {list(gdf.columns)}")
    if synthetic is None:
        synthetic = bool(gdf.attrs.get("synthetic", False))
    frame = gdf.reset_index(drop=True).copy()
    if id_column is None:
        id_column = "code" if "code" in frame.columns else None
    ids = frame[id_column].astype(str) if id_column else pd.Series([str(i) for i in gdf.index])
    if ids.duplicated().any():
        raise DataError(f"analysis: ids in {id_column or 'the index'} are not unique: "
                        f"{sorted(set(ids[ids.duplicated()]))[:5]}")
    frame["_id"] = ids.to_numpy()
    name_column = name_column or ("name" if "name" in frame.columns else None)
    names = dict(zip(frame["_id"], frame[name_column].astype(str) if name_column else frame["_id"],
                     strict=True))
    coords, geographic = _coordinates(frame)
    frame["lon"], frame["lat"] = coords["lon"].to_numpy(), coords["lat"].to_numpy()
    frame[value_column] = pd.to_numeric(frame[value_column], errors="coerce")
    for x in x_columns:
        frame[x] = pd.to_numeric(frame[x], errors="coerce")
    ok = frame[value_column].notna() & frame.geometry.notna() & ~frame.geometry.is_empty
    for x in x_columns:
        ok &= frame[x].notna()
    excluded = frame.loc[~ok, "_id"].tolist()
    data = frame[ok].reset_index(drop=True)
    if len(data) < 5:
        raise DataError(f"analysis: only {len(data)} units have a value for {value_column!r}")
    y = data[value_column].to_numpy(dtype=float)
    wkey = (weights, tuple(data["_id"]), tuple(sorted((weights_params or {}).items())))
    sw = weights_cache.get(wkey) if weights_cache is not None else None
    if sw is None:
        if engine is not None and weights in ("queen", "rook"):
            sw = engine.build_weights(data, weights, ids=data["_id"].tolist(), **(weights_params or {}))
        else:
            sw = build_weights(data, weights, ids=data["_id"].tolist(), **(weights_params or {}))
        if weights_cache is not None:
            weights_cache[wkey] = sw

    report: dict = {
        "schema": SCHEMA,
        "title": title or t("analysis.default_title", "en", value=value_column),
        "synthetic": bool(synthetic),
        "value": value_column,
        "x_columns": list(x_columns),
        "indicator_names": {k: dict(v) for k, v in (indicator_names or {}).items()},
        "generated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": f"cityrank {__version__} (libpysal, esda, spreg, spopt, inequality)",
        "seed": seed,
        "permutations": permutations,
        "n_units": int(len(frame)),
        "n_analysed": int(len(data)),
        "excluded_units": excluded,
        "coordinates": "lon/lat (degrees)" if geographic else "planar x/y (no CRS)",
        "weights": sw.to_dict(),
        "engine": engine.describe() if engine is not None else {"engine": "single"},
        "covariates": covariate_info(covariates),
    }
    report["summary"] = {"mean": num(y.mean()), "std": num(std(y)), "min": num(y.min()),
                         "max": num(y.max()), "cv_percent": num(cv_percent(y)),
                         "cv_definition": both("common.cv_definition")}
    gm = ac.global_moran(y, sw, permutations=permutations, seed=seed)
    report["small_sample"] = {"small": len(data) < MIN_UNITS, "n": int(len(data)), "minimum": MIN_UNITS}
    report["global_moran"] = gm.to_dict() | {"p_value": P_VALUES["moran"]}
    local = engine if engine is not None and permutations else ac
    lisa = local.local_moran(y, sw, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr)
    report["local_moran"] = {"alpha": alpha, "fdr": fdr, "p_threshold": num(lisa["p_threshold"].iloc[0]),
                             "cluster_codes": ac.GEODA_LABELS, "summary": ac.lisa_summary(lisa, names),
                             "standardisation": LISA_STANDARDISATION, "p_value": P_VALUES["lisa"]}
    try:
        gstar = local.local_g_star(y, sw, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr)
        vc = gstar["label"].value_counts()
        report["getis_ord"] = {"available": True, "star": True,
                               "counts": {k: int(vc.get(k, 0)) for k in ("hot spot", "cold spot", "not significant")},
                               "p_value": P_VALUES["gi_star"][bool(permutations)]}
    except DataError as exc:
        gstar = None
        report["getis_ord"] = {"available": False, "reason": str(exc)}

    # Disparity: the four regions and provinces when the layer has them.
    boot = min(int(permutations), 999) if permutations else 199
    disp = {"overall": inequality_indices(y, np.zeros(len(y), dtype=int), n_boot=boot, seed=seed)}
    if weight_column is not None:
        disp["overall_weighted"] = _weighted_section(data, y, weight_column, boot, seed)
    if "region" in data.columns and data["region"].notna().any():
        # The NBS region names only on the built-in layer: a user's own "region" column keeps
        # its own names (a user's own "West" is not the NBS region).
        nbs = "province_code" in data.columns and set(data["region"].dropna().astype(str)) <= set(region_ids())
        names_r = {r: f"{region_name(r, 'en')} ({region_name(r, 'zh')})" for r in region_ids()} if nbs else None
        disp["regions"] = _section(group_disparity, data, value_column, "region", max_value=max_value,
                                   indicators=indicators, group_names=names_r, n_boot=boot, seed=seed)
        if disp["regions"].get("available"):
            disp["regions"]["nbs"] = nbs
    else:
        disp["regions"] = {"available": False, "reason": "the layer has no 'region' column"}
    if "province" in data.columns and data["province"].notna().any():
        disp["provinces"] = _section(group_disparity, data, value_column, "province", max_value=max_value,
                                     n_boot=boot, seed=seed)
    report["disparity"] = disp
    report["gradients"] = _section(gradients, data, value_column, geographic=geographic,
                                   crs=getattr(sw, "projection", None), crs_name=sw.crs)
    if not geographic and report["gradients"].get("available"):
        report["gradients"]["caveat"] += " Coordinates are planar x/y (no CRS), not degrees."

    # City clusters: only on a layer keyed by the built-in codes.
    if "code" in frame.columns and "province_code" in frame.columns and geographic:
        cl = cluster_comparison(frame.assign(code=frame["_id"]), value_column, n_boot=boot, seed=seed)
        report["clusters"] = {"available": True, "clusters": cl}
    else:
        report["clusters"] = {"available": False, "reason": "clusters need the built-in codes (code, province_code)"}

    zone_labels = {}
    if zones:
        try:
            z = governance_zones(data, sw, [value_column], n_zones=min(n_zones, max(2, len(data) // 5)), seed=seed)
            zone_labels = z.pop("labels")
            report["zones"] = {"available": True, **z}
        except Exception as exc:  # spopt raises plain exceptions on degenerate inputs
            report["zones"] = {"available": False, "reason": f"{type(exc).__name__}: {exc}"}
    else:
        report["zones"] = {"available": False, "reason": "disabled"}

    report["spillover"] = _spillover(frame, data, y, sw, value_column, list(x_columns), hub, geographic,
                                     draws=draws, seed=seed, names=names)
    hub_effects = report["spillover"].get("hub_column", {}).pop("effects", {}) if report["spillover"].get("hub_column") else {}

    gi = gstar.set_index("id") if gstar is not None else None
    lisa_i = lisa.set_index("id")
    units = []
    for uid, val in zip(data["_id"], y, strict=True):
        row = {"id": uid, "name": names.get(uid, uid), "value": num(val),
               "lisa_I": num(lisa_i.at[uid, "Ii"]), "lisa_p": num(lisa_i.at[uid, "p_sim"]),
               "lisa_cluster": int(lisa_i.at[uid, "cluster"]), "lisa_label": lisa_i.at[uid, "cluster_label"],
               "lisa_quadrant": lisa_i.at[uid, "quadrant"]}
        if gi is not None:
            row.update({"gi_z": num(gi.at[uid, "z"]), "gi_p": num(gi.at[uid, "p"]), "gi_label": gi.at[uid, "label"]})
        if zone_labels:
            row["zone"] = zone_labels.get(uid)
        if hub_effects:
            row["hub_effect"] = hub_effects.get(uid)
        units.append(row)
    report["units"] = units
    pairs = bilingual_findings(report)
    report["findings"] = [f["en"] for f in pairs]
    report["findings_zh"] = [f["zh"] for f in pairs]
    return jsonable(report)


def _weighted_section(data, y, weight_column: str, boot: int, seed) -> dict:
    """Population-weighted Theil/Gini over the analysed units with a positive weight."""
    w = pd.to_numeric(data[weight_column], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(w) & (w > 0) & (y > 0)
    if ok.sum() < 3:
        return {"available": False, "reason": f"fewer than 3 units with a positive {weight_column!r} and value"}
    labels = data["region"].to_numpy()[ok] if "region" in data.columns and data["region"].notna().all() else None
    out = weighted_inequality(y[ok], w[ok], labels, weight_name=weight_column, n_boot=boot, seed=seed)
    out["group_by"] = "region" if labels is not None else None
    out["left_out"] = [str(i) for i in data.loc[~ok, "_id"]]
    return {"available": True, **out}


def _spillover(frame, data, y, sw, value, x_columns, hub, geographic, *, draws, seed, names=None) -> dict:
    out: dict = {"available": True}
    if hub is not None:
        if geographic:
            out["distance_decay"] = _section(distance_decay, frame.assign(code=frame["_id"]), value, str(hub))
        else:
            out["distance_decay"] = {"available": False, "reason": "needs geographic coordinates"}
    if len(data) < MIN_UNITS:
        out["models"] = unavailable("reason.small_sample", n=int(len(data)), m=MIN_UNITS)
    elif not x_columns:
        out["models"] = unavailable("reason.no_regressor")
    else:
        out["models"] = _models(data, y, sw, value, x_columns, hub, draws=draws, seed=seed, out=out)
    if hub is not None:
        out["hub"] = _hub_status(out, frame, sw, str(hub), names or {})
    return out


def _models(data, y, sw, value, x_columns, hub, *, draws, seed, out) -> dict:
    X = data[x_columns].to_numpy(dtype=float)
    ops = trace_operator(sw, seed=seed)
    models = {}
    for kind in ("lag", "durbin"):
        try:
            fit = fit_spatial_model(y, X, sw, x_names=x_columns, model=kind, y_name=value)
        except (DataError, np.linalg.LinAlgError, ValueError) as exc:
            models[kind] = unavailable("reason.failed", detail=f"{type(exc).__name__}: {exc}")
            continue
        lo, hi = ops.rho_bounds()
        if not lo < fit.rho < hi:
            models[kind] = {**unavailable("reason.unstable", rho=f"{fit.rho:.3f}", lo=f"{lo:.3f}", hi=f"{hi:.3f}"),
                            "estimator": fit.estimator, "rho": num(fit.rho),
                            "coefficients": fit.table, **fit.extra}
            continue
        sim = simulate_impacts(fit, ops, draws=draws, seed=seed)
        models[kind] = {"available": True, "estimator": fit.estimator, "rho": num(fit.rho),
                        "coefficients": fit.table, **fit.extra, **sim}
        if kind == "durbin" and hub is not None and str(hub) not in sw.ids:
            out["hub_column_note"] = (f"hub {hub} is not among the analysed units (no value); "
                                      "its impact column is not computed")
        if kind == "durbin" and hub is not None and str(hub) in sw.ids:
            out["hub_column"] = hub_column(fit, sw, str(hub), x_columns[0], seed=seed,
                                           draws=min(draws, 500) if sw.n <= EXACT_MAX_N else 0,
                                           bounds=(lo, hi))
    return models


def _hub_status(out: dict, frame, sw, hub: str, names: dict) -> dict:
    """What can be said about the hub: ``effect`` / ``no_effect`` (the 95% interval of its
    effect on the other units includes zero), ``no_data`` (no value: outside the evaluated
    universe or missing), ``no_regressor``, ``no_model``, ``not_in_layer``."""
    info = {"id": hub, "name": names.get(hub, hub)}
    models = out.get("models") or {}
    if hub not in set(frame["_id"]):
        return info | {"status": "not_in_layer"}
    if hub not in sw.ids:
        return info | {"status": "no_data"}
    if models.get("reason_key") == "report.reason.no_regressor":
        return info | {"status": "no_regressor"}
    hc = out.get("hub_column")
    if not hc:
        return info | {"status": "no_model"}
    lo, hi = hc.get("effect_on_others_ci95") or (None, None)
    if lo is not None and hi is not None and lo <= 0 <= hi:
        return info | {"status": "no_effect"}
    return info | {"status": "effect"}
