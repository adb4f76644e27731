"""Build the web map's geometry: ``cityrank/shapefiles/prefecture.topo.json`` and its provenance.

The prefecture layer of ``china_admin.gpkg`` (with the boundary lines) as one quantised,
topology-preserving TopoJSON (:func:`cityrank.geo.topology.build`); the file is checked
(:func:`cityrank.geo.topology.check`: 0 invalid polygons, 0 overlaps, no border lost) before it
is written, atomically, with ``prefecture.topo.PROVENANCE.json`` beside it (the GeoPackage's
sha256, the parameters, the tools' versions, the counts and sizes). Deterministic: the same
inputs give the same bytes. Run after ``build_boundaries.py``; ``tests/geo/test_topology.py``
fails when the GeoPackage changed and this was not re-run.

Usage: python scripts/build_topology.py
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cityrank import paths  # noqa: E402
from cityrank.atomic import atomic_write  # noqa: E402
from cityrank.geo import topology  # noqa: E402
from cityrank.geo.boundaries import load_layer  # noqa: E402
from cityrank.geo.extent import DIAOYU  # noqa: E402


def dumps(topo: dict) -> bytes:
    return json.dumps(topo, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def main() -> int:
    import shapely
    import topojson

    units = load_layer("prefecture")
    lines = load_layer("boundary_line")
    provinces = load_layer("province")
    topo = topology.build(units, lines, keep_boxes=[DIAOYU])
    # province names (zh, en) by the 2-digit prefix every unit's code shares with its province
    topo["provinces"] = {str(c)[:2]: [str(n), str(e)] for c, n, e in
                         sorted(zip(provinces["code"], provinces["name"], provinces["name_en"], strict=True))}
    report = topology.check(topo, units)
    bad = {k: v for k, v in report.items() if k != "points" and v}
    if bad:
        raise SystemExit(f"build_topology: refusing to write a broken layer: {bad}")
    body = dumps(topo)
    provenance = {
        "input": {"file": "cityrank/shapefiles/china_admin.gpkg",
                  "sha256": hashlib.sha256(paths.ADMIN_GPKG.read_bytes()).hexdigest(),
                  "layers": ["prefecture", "boundary_line", "province (names)"]},
        "output": {"file": "cityrank/shapefiles/prefecture.topo.json",
                   "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body),
                   "gzip_bytes": len(gzip.compress(body, 9, mtime=0))},
        "parameters": {"tolerance_deg": topology.TOLERANCE_DEG, "grid_deg": topology.GRID_DEG,
                       "island_area_deg2": topology.ISLAND_AREA_DEG2,
                       "line_tolerance_deg": topology.LINE_TOLERANCE_DEG, "keep_boxes": [list(DIAOYU)]},
        "tools": {"shapely": shapely.__version__, "geos": ".".join(map(str, shapely.geos_version)),
                  "topojson": topojson.__version__},
        "counts": {"units": len(topo["objects"]["units"]["geometries"]), "arcs": len(topo["arcs"]),
                   "points": report["points"]},
        "checks": {k: len(v) for k, v in report.items() if k != "points"},
        "built_by": "scripts/build_topology.py",
    }
    atomic_write(paths.WEB_TOPOLOGY, lambda tmp: tmp.write_bytes(body))
    text = json.dumps(provenance, ensure_ascii=False, indent=2) + "\n"
    atomic_write(paths.WEB_TOPOLOGY_PROVENANCE, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(f"build_topology: {paths.WEB_TOPOLOGY.name}: {len(body) / 1024:.1f} KB, "
          f"{provenance['output']['gzip_bytes'] / 1024:.1f} KB gzip, {report['points']} points, "
          f"{len(topo['arcs'])} arcs; invalid/overlaps/lost: 0/0/0")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
