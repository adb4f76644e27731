"""Size and speed figures for the geography core. Prints; asserts nothing.

Run: ``python bench/bench_geo.py``. Reports the prefecture layer as GeoJSON (raw and gzip)
next to the coverage-simplified ``prefecture_web`` layer at a few tolerances, the time to
build it, the time of a full join of 293 cities, and the time and size of a print map.
"""

from __future__ import annotations

import gzip
import time

import shapely

from cityrank.geo.boundaries import available_layers, load_layer
from cityrank.geo.simplify import DEFAULT_TOLERANCE_DEG, build_web_layer


def geojson_bytes(gdf) -> bytes:
    """GeoJSON as the web layer would serve it: code and name only, compact separators."""
    return gdf[["code", "name", gdf.geometry.name]].to_json(
        drop_id=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def row(label, gdf, seconds=None):
    raw = geojson_bytes(gdf)
    gz = gzip.compress(raw, compresslevel=9)
    n = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    t = "" if seconds is None else f"{seconds:8.2f}"
    print(f"{label:<34}{n:>10,}{len(raw) / 1e6:>12.2f}{len(gz) / 1e6:>12.2f}{t:>10}")


def main() -> None:
    pref = load_layer("prefecture")
    print(f"{'layer':<34}{'vertices':>10}{'GeoJSON MB':>12}{'gzip MB':>12}{'build s':>10}")
    row("prefecture (raw)", pref)
    if "prefecture_web" in available_layers():
        row("prefecture_web (committed)", load_layer("prefecture_web"))
    for tol in (0.01, DEFAULT_TOLERANCE_DEG, 0.05):
        t0 = time.perf_counter()
        web = build_web_layer(pref, tolerance=tol)
        dt = time.perf_counter() - t0
        row(f"build_web_layer(tolerance={tol})", web, dt)

    try:
        import pandas as pd

        from cityrank.geo.join import join_scores
    except ImportError:
        return
    cities = pref[pref["type"].isin(["副省级市", "地级市"])]
    scores = pd.DataFrame({"code": cities["code"], "total": range(len(cities))})
    t0 = time.perf_counter()
    res = join_scores(scores)
    print(f"join_scores(293 codes): {time.perf_counter() - t0:.3f} s, "
          f"scored={int((res.gdf['status'] == 'scored').sum())}")
    names = pd.DataFrame({"city": cities["name"], "total": range(len(cities))})
    t0 = time.perf_counter()
    res = join_scores(names)
    print(f"join_scores(293 names): {time.perf_counter() - t0:.3f} s, "
          f"scored={int((res.gdf['status'] == 'scored').sum())}")

    import tempfile
    from pathlib import Path

    from cityrank.geo.static_map import render_map

    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".png", ".svg", ".pdf"):
            out = Path(tmp) / f"map{suffix}"
            t0 = time.perf_counter()
            render_map(res.gdf, "total", out, classification="quantiles", title="bench")
            print(f"render_map({suffix}, 200 dpi): {time.perf_counter() - t0:.2f} s, "
                  f"{out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
