"""The web map's geometry: ONE quantised, topology-preserving TopoJSON of the prefecture layer.

Browsers get the boundaries once, as a file with a content-hashed URL every page and embed
shares, and small JSON for everything else. The layer must stay a true coverage on the way:
no gaps or overlaps between neighbours, no lost border, every polygon valid. The steps:

1. repair the source into a valid coverage (:func:`cityrank.geo.simplify.make_coverage`);
2. simplify it *as a coverage* (``shapely.coverage_simplify``, Visvalingam-Whyatt on shared
   edges, nodes fixed): both sides of a border get the same line, and a border between two
   nodes can shrink to one segment but never vanish;
3. snap every vertex to the quantisation grid the TopoJSON transform describes
   (``shapely.set_precision`` in grid units, so the file's integers are exact, not rounded
   again by a TopoJSON encoder);
4. drop small *islands* only: a part smaller than ``island_area`` that shares no border with
   another unit, is not its unit's largest part and is not in a box to keep (钓鱼岛, which a map
   of China must show). Dropping small parts regardless of borders is what loses 徐州–淮北,
   珠海–澳门 and 克孜勒苏–图木舒克 (mapshaper's default part filtering does);
5. build arcs with the ``topojson`` package (no quantisation there: the coordinates are
   already grid integers), delta-encode them, and write compact objects (``id`` = code).

:func:`decode` reads the file back into shapely geometries and :func:`check` measures what the
tests assert: invalid polygons, overlapping neighbours, borders lost against the source.
``scripts/build_topology.py`` writes the package's file with its provenance.

>>> from shapely.geometry import box
>>> import geopandas as gpd
>>> gdf = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4490)
>>> topo = build(gdf, tolerance=0.01, grid=0.01, island_area=0, props={})
>>> [g["id"] for g in topo["objects"]["units"]["geometries"]]
['A', 'B']
>>> check(topo, gdf)["lost"], check(topo, gdf)["invalid"]
([], [])
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from cityrank.errors import DataError
from cityrank.geo.simplify import make_coverage, shared_borders

UNITS = "units"
LINES = "lines"
TOLERANCE_DEG = 0.1
"""Coverage simplification (sqrt of the triangle areas removed, degrees): about two pixels of a
national map 1,400 px wide (1 px ≈ 0.044°), the widest the viewer draws it."""
GRID_DEG = 0.004
"""Quantisation step (≈ 440 m): the shortest border of the layer (乐东–保亭, about 540 m)
still has two distinct end nodes; :func:`check` proves no border is lost."""
ISLAND_AREA_DEG2 = 1e-3
"""Islands (parts sharing no border) smaller than this (≈ 12 km²) are dropped."""
LINE_TOLERANCE_DEG = 0.03
UNIT_PROPS = {"name": "n", "name_en": "e"}
"""Layer column -> property key in the file (short keys: the file is downloaded by everyone)."""


def _to_grid(geoms, origin, grid):
    x0, y0 = origin
    scaled = shapely.transform(geoms, lambda xy: (xy - [x0, y0]) / grid)
    return shapely.set_precision(scaled, 1.0)


def _polygons(geom) -> list:
    return [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]


def _drop_islands(geoms, island_area_units: float, keep_boxes) -> np.ndarray:
    """Drop parts smaller than ``island_area_units`` (grid units²) that touch no neighbour."""
    geoms = np.asarray(geoms, dtype=object)
    if island_area_units <= 0:
        return np.array([MultiPolygon(_polygons(g)) for g in geoms], dtype=object)
    tree = shapely.STRtree(geoms)
    bounds = shapely.boundary(geoms)
    out = []
    for i, g in enumerate(geoms):
        parts = _polygons(g)
        areas = np.array([p.area for p in parts])
        near = [j for j in tree.query(g) if j != i]
        others = shapely.union_all(bounds[near]) if near else None
        keep = []
        for p, a in zip(parts, areas, strict=True):
            if a >= island_area_units or a == areas.max():
                keep.append(p)
            elif others is not None and p.boundary.intersection(others).length > 0:
                keep.append(p)  # a small part on a border: dropping it would lose the border
            elif any(p.intersects(b) for b in keep_boxes):
                keep.append(p)
        out.append(MultiPolygon(keep))
    return np.array(out, dtype=object)


def _arc_json(arc) -> list[list[int]]:
    a = np.rint(np.asarray(arc, dtype=float)).astype(np.int64)
    d = np.vstack([a[:1], np.diff(a, axis=0)])
    return d.tolist()


def _compact(geom: dict, ident: str, props: dict) -> dict:
    """A compact TopoJSON geometry object: Polygon when there is one part, ``id`` = the code."""
    arcs = geom["arcs"]
    kind = geom["type"]
    if kind == "MultiPolygon" and len(arcs) == 1:
        kind, arcs = "Polygon", arcs[0]
    out = {"type": kind, "arcs": arcs, "id": ident}
    if props:
        out["properties"] = props
    return out


def build(units, lines=None, *, tolerance: float = TOLERANCE_DEG, grid: float = GRID_DEG,
          island_area: float = ISLAND_AREA_DEG2, keep_boxes=(), props: dict | None = None,
          line_tolerance: float = LINE_TOLERANCE_DEG) -> dict:
    """The TopoJSON dict of ``units`` (polygons, column ``code``) and optional ``lines``.

    ``props`` maps layer columns to property keys (default :data:`UNIT_PROPS`); ``keep_boxes``
    are (x0, y0, x1, y1) boxes whose islands are kept whatever their size. Raises DataError
    when the result is not a valid coverage or a unit would vanish.
    """
    import geopandas as gpd
    import topojson

    if units.crs is None or not units.crs.is_geographic:
        raise DataError(f"topology.build expects lon/lat polygons (EPSG:4490); got CRS {units.crs!r}")
    props = UNIT_PROPS if props is None else props
    units = units.sort_values("code", kind="stable").reset_index(drop=True)
    codes = [str(c) for c in units["code"]]
    geoms, _ = make_coverage(units.geometry.to_numpy(), codes)
    simplified = shapely.coverage_simplify(geoms, tolerance)
    x0, y0, x1, y1 = shapely.total_bounds(simplified)
    origin = (math.floor(x0 / grid) * grid, math.floor(y0 / grid) * grid)
    snapped = _to_grid(simplified, origin, grid)
    boxes = [_to_grid(shapely.box(*b), origin, grid) for b in keep_boxes]
    cleaned = _drop_islands(snapped, island_area / grid**2, boxes)
    empty = [codes[i] for i in np.flatnonzero(shapely.is_empty(cleaned))]
    invalid = [codes[i] for i in np.flatnonzero(~shapely.is_valid(cleaned))]
    if empty or invalid:
        raise DataError(f"topology: units emptied {empty} or invalid {invalid} (grid {grid}, tolerance {tolerance})")
    if not shapely.coverage_is_valid(cleaned):
        raise DataError(f"topology: the quantised layer is not a valid coverage (grid {grid})")
    data = [gpd.GeoDataFrame({"i": range(len(cleaned))}, geometry=list(cleaned))]
    names = [UNITS]
    if lines is not None and len(lines):
        simple = shapely.simplify(lines.geometry.to_numpy(), line_tolerance)
        line_geoms = _to_grid(simple, origin, grid)
        line_geoms = [g for g in line_geoms if not g.is_empty]
        data.append(gpd.GeoDataFrame({"i": range(len(line_geoms))}, geometry=line_geoms))
        names.append(LINES)
    raw = topojson.Topology(data, prequantize=False, topology=True, toposimplify=False,
                            object_name=names).to_dict()
    objects = {}
    unit_geoms = sorted(raw["objects"][UNITS]["geometries"], key=lambda g: g["properties"]["i"])
    objects[UNITS] = {"type": "GeometryCollection", "geometries": [
        _compact(g, codes[g["properties"]["i"]],
                 {key: _prop(units.at[g["properties"]["i"], col]) for col, key in props.items()
                  if col in units.columns})
        for g in unit_geoms]}
    if LINES in raw["objects"]:
        line_objs = sorted(raw["objects"][LINES]["geometries"], key=lambda g: g["properties"]["i"])
        kinds = list(lines["kind"]) if "kind" in lines.columns else [""] * len(line_objs)
        objects[LINES] = {"type": "GeometryCollection", "geometries": [
            {"type": g["type"], "arcs": g["arcs"], "properties": {"k": str(kinds[g["properties"]["i"]])}}
            for g in line_objs]}
    return {
        "type": "Topology",
        "transform": {"scale": [grid, grid], "translate": [round(origin[0], 9), round(origin[1], 9)]},
        "objects": objects,
        "arcs": [_arc_json(a) for a in raw["arcs"]],
    }


def _prop(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def web_documents(topo: dict) -> tuple[dict, dict]:
    """What browsers get of the shipped file: ``(geometry, english)``.

    ``geometry`` is ``topo`` with the units' properties moved into one array per language: the
    Chinese names (``names``, in the order of the unit geometries) and the provinces' Chinese
    names (``provinces``: code prefix -> name) stay, the English ones go to ``english``
    (``names`` and ``provinces`` alike), which only English pages fetch. Every page draws the
    same geometry file; a Chinese embed downloads no English name.

    >>> topo = {"type": "Topology", "arcs": [], "objects": {UNITS: {"type": "GeometryCollection", "geometries": [
    ...     {"type": "Polygon", "arcs": [], "id": "110000", "properties": {"n": "北京市", "e": "Beijing"}}]}},
    ...     "provinces": {"11": ["北京市", "Beijing"]}}
    >>> geo, en = web_documents(topo)
    >>> geo["names"], geo["provinces"], "properties" in geo["objects"][UNITS]["geometries"][0]
    (['北京市'], {'11': '北京市'}, False)
    >>> en
    {'names': ['Beijing'], 'provinces': {'11': 'Beijing'}}
    """
    zh_key, en_key = UNIT_PROPS["name"], UNIT_PROPS["name_en"]
    units = topo["objects"][UNITS]["geometries"]
    geoms = [{k: v for k, v in g.items() if k != "properties"} for g in units]
    provinces = topo.get("provinces", {})
    geometry = {**topo, "objects": {**topo["objects"], UNITS: {**topo["objects"][UNITS], "geometries": geoms}},
                "names": [(g.get("properties") or {}).get(zh_key) for g in units],
                "provinces": {k: v[0] for k, v in provinces.items()}}
    english = {"names": [(g.get("properties") or {}).get(en_key) for g in units],
               "provinces": {k: v[1] for k, v in provinces.items()}}
    return geometry, english


# --- reading back ------------------------------------------------------------------------

def _arcs_absolute(topo: dict) -> list[np.ndarray]:
    tr = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=float)
        if tr:
            a = np.cumsum(a, axis=0) * tr["scale"] + tr["translate"]
        out.append(a)
    return out


def _ring(arcs: list[np.ndarray], indexes) -> np.ndarray:
    pts = []
    for k in indexes:
        a = arcs[k] if k >= 0 else arcs[~k][::-1]
        pts.append(a if not pts else a[1:])
    return np.vstack(pts)


def _geometry(arcs, geom: dict):
    kind = geom["type"]
    if kind == "Polygon":
        rings = [_ring(arcs, r) for r in geom["arcs"]]
        return Polygon(rings[0], rings[1:])
    if kind == "MultiPolygon":
        return MultiPolygon([Polygon(_ring(arcs, p[0]), [_ring(arcs, r) for r in p[1:]]) for p in geom["arcs"]])
    if kind == "LineString":
        return shapely.LineString(_ring(arcs, geom["arcs"]))
    if kind == "MultiLineString":
        return shapely.MultiLineString([_ring(arcs, line) for line in geom["arcs"]])
    raise DataError(f"topology: unsupported geometry type {kind!r}")


def decode(topo: dict, name: str = UNITS):
    """A GeoDataFrame (``code`` + properties + geometry, EPSG:4490) of one object of ``topo``."""
    import geopandas as gpd

    arcs = _arcs_absolute(topo)
    geoms = topo["objects"][name]["geometries"]
    rows = [{"code": g.get("id"), **g.get("properties", {})} for g in geoms]
    return gpd.GeoDataFrame(rows, geometry=[_geometry(arcs, g) for g in geoms], crs=4490)


def check(topo: dict, source) -> dict:
    """What a map of the layer must not have, measured on ``topo`` read back against ``source``
    (the layer it was built from): ``invalid`` codes, ``overlaps`` (pairs of codes overlapping by
    more than numerical noise), ``lost`` (pairs sharing a border in ``source`` but not in
    ``topo``), ``missing`` codes and the point count."""
    out = decode(topo)
    src = source.sort_values("code", kind="stable").reset_index(drop=True)
    src_codes = [str(c) for c in src["code"]]
    by_code = dict(zip(out["code"], out.geometry, strict=True))
    missing = [c for c in src_codes if c not in by_code]
    geoms = np.array([by_code.get(c, Polygon()) for c in src_codes], dtype=object)
    invalid = [c for c, g in zip(src_codes, geoms, strict=True) if not g.is_valid]
    left, right, _ = shared_borders(src.geometry.to_numpy())
    bounds = shapely.boundary(geoms)
    shared = shapely.length(shapely.intersection(bounds[left], bounds[right]))
    lost = [(src_codes[i], src_codes[j]) for i, j, s in zip(left, right, shared, strict=True) if s <= 0]
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    areas = shapely.area(shapely.intersection(geoms[a[keep]], geoms[b[keep]]))
    overlaps = [(src_codes[i], src_codes[j]) for i, j, ar in zip(a[keep], b[keep], areas, strict=True) if ar > 1e-12]
    return {"invalid": invalid, "overlaps": overlaps, "lost": lost, "missing": missing,
            "points": int(sum(len(x) for x in topo["arcs"]))}
