"""Time the full spatial analysis (999 permutations) on the 293 cities and a 40,000-cell grid.

Run: ``/work/venv/bin/python bench/bench_analysis.py [--permutations 999] [--grid 200]``

Prints wall-clock seconds per step. Notes on what differs on the grid (and why):

* weights are sparse queen contiguity on 200x200 shapely boxes (0.05 degree cells in
  lon/lat, projected to the China Albers CRS);
* the spatial models use spreg's GM_Lag (spatial 2SLS) instead of ML_Lag, whose
  information matrix inverts the dense n x n (I - rho W);
* impacts use the LeSage-Pace trace approximation (exact tr W, tr W^2; Hutchinson
  estimates of higher powers, series to order 100) instead of eigenvalues, and the hub
  column is one sparse LU solve -- no dense n x n matrix is ever formed;
* SKATER governance zones are skipped (its pairwise dissimilarity matrix is n x n);
* the grid's values are SYNTHETIC (seeded), as are the demo dataset's.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _timed(label: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    dt = time.perf_counter() - t0
    print(f"  {label:<42s} {dt:8.2f} s")
    return out, dt


def bench_cities(permutations: int) -> float:
    from cityrank.geo.analysis.report import build_report
    from cityrank.geo.analysis.service import ANALYSIS_LAYER, dataset_options
    from cityrank.geo.join import join_scores
    from cityrank.scoring.datasets import load_catalog

    ds = load_catalog().get("ndrc-2017-simulated")
    gdf = join_scores(ds.scores(), layer=ANALYSIS_LAYER).gdf
    opts = dataset_options(ds)
    print(f"293 cities (ndrc-2017-simulated, SYNTHETIC), {permutations} permutations, x = perception, hub 330100")
    rep, dt = _timed("build_report (all sections, zones on)", build_report, gdf, "total",
                     x_columns=("perception",), permutations=permutations, hub="330100", **opts,
                     synthetic=True)
    print(f"  -> n analysed {rep['n_analysed']}, Moran's I {rep['global_moran']['I']:.3f}, "
          f"{len(rep['weights']['fixed'])} weight fixes")
    from cityrank.geo.analysis.html import report_images

    _timed("maps + gradient chart (PNG)", report_images, rep, gdf, id_column="code")
    return dt


def _grid(side: int):
    import geopandas as gpd
    import shapely

    cell = 0.05
    cols, rows = np.meshgrid(np.arange(side), np.arange(side))
    cols, rows = cols.ravel(), rows.ravel()
    geoms = shapely.box(100 + cols * cell, 25 + rows * cell, 100 + (cols + 1) * cell, 25 + (rows + 1) * cell)
    rng = np.random.default_rng(42)
    x1 = rng.normal(size=cols.size)
    # A spatial Durbin process with an east-high trend: y = (I - 0.4 W)^-1 (trend + 2 x + 0.8 W x + e),
    # rook-neighbour W on the grid, solved sparsely. Synthetic and seeded.
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    n = cols.size
    idx = np.arange(n).reshape(side, side)
    pairs = [(idx[:, :-1], idx[:, 1:]), (idx[:-1, :], idx[1:, :])]
    i = np.concatenate([a.ravel() for a, b in pairs] + [b.ravel() for a, b in pairs])
    j = np.concatenate([b.ravel() for a, b in pairs] + [a.ravel() for a, b in pairs])
    W = sparse.csr_matrix((np.ones(i.size), (i, j)), shape=(n, n))
    W = sparse.diags(1 / np.asarray(W.sum(axis=1)).ravel()) @ W
    rhs = 30 + 0.05 * cols - 0.03 * rows + 2 * x1 + 0.8 * (W @ x1) + rng.normal(0, 3, n)
    value = spsolve((sparse.identity(n) - 0.4 * W).tocsc(), rhs)
    region = np.where(cols < side // 2, np.where(rows < side // 2, "SW", "NW"),
                      np.where(rows < side // 2, "SE", "NE"))
    return gpd.GeoDataFrame({"id": [f"g{i}" for i in range(cols.size)], "value": value, "x1": x1,
                             "region": region}, geometry=geoms, crs=4326)


def bench_grid(side: int, permutations: int) -> float:
    from cityrank.geo.analysis.report import build_report

    gdf, _ = _timed(f"build {side}x{side} grid", _grid, side)
    print(f"{len(gdf):,}-cell synthetic grid, {permutations} permutations, x = x1, hub = centre cell")
    hub = f"g{(side // 2) * side + side // 2}"
    rep, dt = _timed("build_report (zones off; GM + trace impacts)", build_report, gdf, "value",
                     x_columns=("x1",), permutations=permutations, hub=hub, id_column="id",
                     zones=False, synthetic=True)
    lag = rep["spillover"]["models"]["lag"]
    print(f"  -> Moran's I {rep['global_moran']['I']:.3f}; lag rho {lag['rho']:.3f} ({lag['estimator']}), "
          f"traces: {lag['traces']}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--grid", type=int, default=200, help="grid side (200 -> 40,000 cells)")
    ap.add_argument("--skip-grid", action="store_true")
    args = ap.parse_args()
    t_cities = bench_cities(args.permutations)
    t_grid = None if args.skip_grid else bench_grid(args.grid, args.permutations)
    print("\nsummary")
    print(f"  full analysis, 293 cities:          {t_cities:8.2f} s")
    if t_grid is not None:
        print(f"  full analysis, {args.grid * args.grid:,}-cell grid:   {t_grid:8.2f} s")


if __name__ == "__main__":
    main()
