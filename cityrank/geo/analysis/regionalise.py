"""Data-driven "governance zones": contiguous regions of similar scores (spopt SKATER / max-p).

Configured clusters are political; a regionalisation shows where the scores themselves group
into contiguous zones, which planners can set against the plans. Methods are a registry by
name. SKATER is deterministic given W; max-p is randomised and runs under ``seed`` (spopt
draws from NumPy's global state, so we seed and restore it).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from libpysal import weights as lw

from cityrank.errors import ConfigError, DataError
from cityrank.geo.analysis._common import quiet, seeded
from cityrank.geo.analysis.weights import SpatialWeights
from cityrank.jsonsafe import num


def _l1_to_centre(x, centre=None):
    """Manhattan distances like sklearn's: pairwise when ``centre`` is None, else to the centre."""
    from scipy.spatial.distance import cdist

    x = np.asarray(x, dtype=float)
    if centre is None:
        return cdist(x, x, metric="cityblock")
    return np.abs(x - np.asarray(centre, dtype=float)).sum(axis=1, keepdims=True)


def _skater(gdf, sw, attrs, *, n_zones=8, floor=3, **_):
    from spopt.region import Skater

    # spopt's default dissimilarity calls sklearn's manhattan_distances thousands of times
    # (seconds on 293 units); the same L1 distance to the centre in NumPy is ~20x faster.
    kwds = {"dissimilarity": _l1_to_centre, "reduction": np.sum, "center": np.mean}
    model = Skater(gdf, sw.w, attrs, n_clusters=n_zones, floor=floor, islands="increase",
                   spanning_forest_kwds=kwds)
    model.solve()
    return np.asarray(model.labels_)


def _maxp(gdf, sw, attrs, *, threshold=None, floor=3, **_):
    from spopt.region import MaxPHeuristic

    data = gdf.copy()
    data["_count"] = 1
    model = MaxPHeuristic(data, sw.w, attrs, "_count", threshold or floor, top_n=2)
    model.solve()
    return np.asarray(model.labels_)


REGIONALISERS = {"skater": _skater, "maxp": _maxp}


def governance_zones(
    gdf,
    sw: SpatialWeights,
    columns: list[str],
    *,
    method: str = "skater",
    n_zones: int = 8,
    floor: int = 3,
    seed: int | None = 12345,
) -> dict:
    """Contiguous zones of units with similar (standardised) values of ``columns``.

    Returns one zone label per unit id, and per zone its size and mean of each column.
    """
    if method not in REGIONALISERS:
        raise ConfigError(f"unknown regionalisation {method!r}; choose one of {sorted(REGIONALISERS)}")
    data = pd.DataFrame({c: pd.to_numeric(gdf[c], errors="coerce").to_numpy() for c in columns})
    if data.isna().any().any():
        raise DataError("governance zones: values missing; drop unscored units first")
    std = data.std(ddof=0).replace(0, 1)
    z = (data - data.mean()) / std
    attrs = [f"_z{i}" for i in range(len(columns))]
    frame = gdf[[gdf.geometry.name]].reset_index(drop=True).copy()
    for a, c in zip(attrs, columns, strict=True):
        frame[a] = z[c].to_numpy()
    # spopt changes w.transform in place; give it a copy so the caller's W stays row-standardised.
    private = copy.copy(sw)
    private.w = lw.W(dict(sw.w.neighbors), {i: [1.0] * len(v) for i, v in sw.w.neighbors.items()},
                     id_order=list(sw.w.id_order), silence_warnings=True)
    with seeded(seed), quiet():
        labels = REGIONALISERS[method](frame, private, attrs, n_zones=n_zones, floor=floor)
    labels = np.asarray(labels)
    zones = []
    for lab in sorted(set(labels.tolist())):
        mask = labels == lab
        zones.append({"zone": int(lab), "n": int(mask.sum()),
                      "means": {c: num(data.loc[mask, c].mean()) for c in columns}})
    zones.sort(key=lambda z_: -(z_["means"][columns[0]] or 0))
    return {
        "method": method,
        "columns": list(columns),
        "n_zones": len(zones),
        "floor": floor,
        "seed": seed,
        "zones": zones,
        "labels": {i: int(v) for i, v in zip(sw.ids, labels, strict=True)},
        "note": "values standardised (z-scores) before regionalisation; zones are contiguous under the weights",
    }
