"""Global and local spatial autocorrelation: Moran's I, LISA and Getis-Ord Gi*, via esda.

What we add to esda: seeds everywhere (esda.Moran draws from NumPy's global state), LISA
cluster codes in GeoDa's order with names, an FDR option, and results as plain tables keyed
by unit id so the report, the CLI and the viewer read the same thing.

Cluster codes. esda's ``Moran_Local.q`` is 1 HH, 2 LH, 3 LL, 4 HL (quadrants of the Moran
scatterplot, counter-clockwise). GeoDa's cluster map uses 1 High-High, 2 Low-Low,
3 Low-High, 4 High-Low and 0 for "not significant"; that is what ``cluster`` holds here
(:data:`ESDA_Q_TO_GEODA`), with ``quadrant`` keeping the name regardless of significance.
"""

from __future__ import annotations

from dataclasses import dataclass

import esda
import numpy as np
import pandas as pd

from cityrank.errors import DataError
from cityrank.geo.analysis._common import seeded
from cityrank.geo.analysis.weights import SpatialWeights
from cityrank.jsonsafe import num

ESDA_Q_TO_GEODA = {1: 1, 2: 3, 3: 2, 4: 4}
"""esda quadrant (1 HH, 2 LH, 3 LL, 4 HL) -> GeoDa cluster code (1 HH, 2 LL, 3 LH, 4 HL)."""

GEODA_LABELS = {0: "not significant", 1: "HH", 2: "LL", 3: "LH", 4: "HL"}
# Their long names, in both languages: analysis.lisa.<code> of the catalogue
# (geo.analysis.maps.lisa_label).
GEODA_COLOURS = {0: "#eeeeee", 1: "#e41a1c", 2: "#377eb8", 3: "#a6cee3", 4: "#fb9a99"}
"""GeoDa's LISA palette (red HH, blue LL, light blue LH, pink HL, grey not significant)."""


def _values(y, sw: SpatialWeights) -> np.ndarray:
    arr = np.asarray(y, dtype=float).ravel()
    if arr.shape[0] != sw.n:
        raise DataError(f"values ({arr.shape[0]}) and weights ({sw.n}) differ in length")
    if not np.all(np.isfinite(arr)):
        raise DataError("autocorrelation: values contain NaN/inf; drop or fill those units first")
    if np.allclose(arr, arr[0]):
        raise DataError("autocorrelation: values are constant; Moran's I is undefined")
    return arr


@dataclass
class GlobalMoran:
    I: float  # noqa: E741 -- Moran's I, as everyone writes it
    expected_I: float
    z_norm: float
    p_norm: float
    z_sim: float
    p_sim: float
    permutations: int
    seed: int | None
    n: int

    def to_dict(self) -> dict:
        return {
            "I": num(self.I),
            "expected_I": num(self.expected_I),
            "z": num(self.z_sim if self.permutations else self.z_norm),
            "p": num(self.p_sim if self.permutations else self.p_norm),
            "z_norm": num(self.z_norm),
            "p_norm": num(self.p_norm),
            "z_sim": num(self.z_sim),
            "p_sim": num(self.p_sim),
            "permutations": int(self.permutations),
            "seed": self.seed,
            "n": int(self.n),
            "inference": "permutation (pseudo p, one-sided toward the observed sign)"
            if self.permutations
            else "normal approximation",
        }


def global_moran(y, sw: SpatialWeights, *, permutations: int = 999, seed: int | None = 12345) -> GlobalMoran:
    """Moran's I of ``y`` with permutation inference (esda.Moran), reproducible through ``seed``."""
    arr = _values(y, sw)
    with seeded(seed):
        mi = esda.Moran(arr, sw.w, transformation=sw.w.transform or "r", permutations=permutations)
    return GlobalMoran(
        I=float(mi.I),
        expected_I=float(mi.EI),
        z_norm=float(mi.z_norm),
        p_norm=float(mi.p_norm),
        z_sim=float(mi.z_sim) if permutations else float("nan"),
        p_sim=float(mi.p_sim) if permutations else float("nan"),
        permutations=int(permutations),
        seed=seed,
        n=int(sw.n),
    )


def local_moran(
    y,
    sw: SpatialWeights,
    *,
    permutations: int = 999,
    seed: int | None = 12345,
    alpha: float = 0.05,
    fdr: bool = False,
) -> pd.DataFrame:
    """LISA per unit: Ii, esda quadrant, GeoDa cluster code/label, pseudo p, significance.

    With ``fdr`` the significance cut-off is esda.fdr's Benjamini-Hochberg threshold instead
    of ``alpha`` (the column ``p_threshold`` says which was used).
    """
    arr = _values(y, sw)
    lm = esda.Moran_Local(arr, sw.w, transformation=sw.w.transform or "r",
                          permutations=permutations, seed=seed, n_jobs=1, keep_simulations=False)
    return lisa_frame(sw.ids, lm.Is, lm.z_sim, lm.p_sim, lm.q, alpha=alpha, fdr=fdr)


def lisa_frame(ids, Is, z_sim, p_sim, q, *, alpha: float = 0.05, fdr: bool = False) -> pd.DataFrame:
    """The LISA table from esda's arrays (shared by the single-process and Dask engines)."""
    p = np.asarray(p_sim, dtype=float)
    threshold = float(esda.fdr(p, alpha)) if fdr else float(alpha)
    significant = p <= threshold
    q = np.asarray(q, dtype=int)
    geoda_quad = np.array([ESDA_Q_TO_GEODA[int(v)] for v in q])
    cluster = np.where(significant, geoda_quad, 0)
    return pd.DataFrame(
        {
            "id": list(ids),
            "Ii": np.asarray(Is, dtype=float),
            "z_sim": np.asarray(z_sim, dtype=float),
            "p_sim": p,
            "esda_q": q,
            "quadrant": [GEODA_LABELS[int(c)] for c in geoda_quad],
            "cluster": cluster.astype(int),
            "cluster_label": [GEODA_LABELS[int(c)] for c in cluster],
            "significant": significant,
            "p_threshold": threshold,
        }
    )


def _with_self(sw: SpatialWeights):
    """Binary copy of W with each unit its own neighbour: the Gi* neighbourhood includes i.

    Passing ``star=True`` on a row-standardised W makes esda guess the self-weight (and
    warn); an explicit binary diagonal is the textbook Gi* and needs no guess.
    """
    from libpysal import weights as lw

    neighbors = {i: list(sw.w.neighbors[i]) + [i] for i in sw.w.neighbors}
    return lw.W(neighbors, {i: [1.0] * len(v) for i, v in neighbors.items()},
                id_order=list(sw.w.id_order), silence_warnings=True)


def local_g_star(
    y,
    sw: SpatialWeights,
    *,
    permutations: int = 999,
    seed: int | None = 12345,
    alpha: float = 0.05,
    fdr: bool = False,
) -> pd.DataFrame:
    """Getis-Ord Gi* (esda.G_Local, star): z, pseudo p and hot/cold spot labels per unit.

    Binary weights with the unit itself included, as in Getis and Ord (1995): esda's
    analytic moments assume binary weights, so a row-standardised W would shrink z.
    """
    arr = _values(y, sw)
    if np.any(arr < 0):
        raise DataError("Getis-Ord Gi* needs non-negative values")
    g = esda.G_Local(arr, _with_self(sw), transform="B", permutations=permutations, star=None,
                     seed=seed, n_jobs=1, keep_simulations=False)
    return g_star_frame(sw.ids, g.Gs, g.Zs, g.p_sim if permutations else g.p_norm, alpha=alpha, fdr=fdr)


def g_star_frame(ids, Gs, Zs, p, *, alpha: float = 0.05, fdr: bool = False) -> pd.DataFrame:
    """The Gi* table from esda's arrays (shared by the single-process and Dask engines)."""
    z = np.asarray(Zs, dtype=float)
    p = np.asarray(p, dtype=float)
    threshold = float(esda.fdr(p, alpha)) if fdr else float(alpha)
    sig = p <= threshold
    label = np.where(sig & (z > 0), "hot spot", np.where(sig & (z < 0), "cold spot", "not significant"))
    return pd.DataFrame({"id": list(ids), "Gi_star": np.asarray(Gs, dtype=float), "z": z,
                         "p": p, "significant": sig, "label": label, "p_threshold": threshold})


def lisa_summary(lisa: pd.DataFrame, names: dict[str, str] | None = None) -> dict:
    """Counts per cluster code and the member ids (with names when given) of each."""
    names = names or {}
    out = {}
    for code, label in GEODA_LABELS.items():
        ids = lisa.loc[lisa["cluster"] == code, "id"].tolist()
        out[label] = {
            "code": code,
            "count": len(ids),
            "units": [] if code == 0 else [{"id": i, "name": names.get(i, i)} for i in ids],
        }
    return out
