"""The 南海诸岛 inset (附图) of the interactive maps, as a small inline SVG.

Chinese map conventions (《公开地图内容表示规范》) ask that a map of the whole country show the
South China Sea islands and the dashed line; the interactive maps open on the mainland and
Hainan, so like printed maps they carry the sea as an inset. The SVG is drawn server-side
from the committed layers (no tiles, no external requests, no script), a few KB, and is
computed once per process: it does not depend on the data shown.

Projection: plate carrée with longitudes shrunk by cos(mid-latitude), which for a 20°×23°
box near the equator is indistinguishable from the static map's Albers at this size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box

from cityrank.errors import DataError
from cityrank.i18n import both, t

from .boundaries import load_layer
from .extent import SOUTH_CHINA_SEA

INSET_BOX = SOUTH_CHINA_SEA  # the one inset box (geo.extent), shared with the print map
DASHED_KIND = "south_china_sea_dashed_line"
VIEW_WIDTH = 200  # SVG user units across the box; coordinates are written as integers
TOLERANCE = 0.06  # degrees; one user unit is ~0.1°, so finer detail would not show
ISLAND_AREA = 0.02  # deg²: smaller land parts are drawn as island dots, not outlines
ISLAND_GRID = 0.6  # degrees: island dots closer than this are merged (Xisha, Nansha groups)
ISLAND_RADIUS = 1.3  # user units

TITLES = both("map.inset_title")
"""{"zh": ..., "en": ...} of the inset's title (a view of the catalogue key map.inset_title)."""


@dataclass(frozen=True)
class InsetGeometry:
    """The projected drawing: land path data, island dots, dashed-line path data."""

    width: int
    height: int
    land: tuple[str, ...]
    islands: tuple[tuple[int, int], ...]
    dashes: tuple[str, ...]


def _projector(bbox: tuple[float, float, float, float], width: int):
    x0, y0, x1, y1 = bbox
    kx = math.cos(math.radians((y0 + y1) / 2))
    scale = width / ((x1 - x0) * kx)
    height = round((y1 - y0) * scale)

    def project(coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] - x0) * kx * scale
        out[:, 1] = (y1 - coords[:, 1]) * scale
        return np.rint(out).astype(int)

    return project, height


def _path_data(rings: list[np.ndarray], closed: bool) -> str:
    """SVG path data with integer coordinates; repeated points (after rounding) dropped."""
    parts = []
    for pts in rings:
        keep = np.ones(len(pts), dtype=bool)
        keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
        pts = pts[keep]
        if len(pts) < (3 if closed else 2):
            continue
        head = f"M{pts[0, 0]} {pts[0, 1]}"
        tail = "L" + " ".join(f"{x} {y}" for x, y in pts[1:])
        parts.append(head + tail + ("Z" if closed else ""))
    return "".join(parts)


def build_inset(path: Path | str | None = None, bbox: tuple[float, float, float, float] = INSET_BOX,
                width: int = VIEW_WIDTH, tolerance: float = TOLERANCE) -> InsetGeometry:
    """Clip, simplify and project the province and dashed-line layers into the inset box."""
    provinces = load_layer("province", path)
    lines = load_layer("boundary_line", path)
    if "kind" not in lines.columns:
        raise DataError(f"{path or 'china_admin.gpkg'}: layer 'boundary_line' has no column 'kind'")
    dashed = lines[lines["kind"] == DASHED_KIND]
    if dashed.empty:
        raise DataError(f"{path or 'china_admin.gpkg'}: layer 'boundary_line' has no row with "
                        f"kind {DASHED_KIND!r} (the 南海断续线 the inset must show)")
    project, height = _projector(bbox, width)
    frame = box(*bbox)

    land: list[str] = []
    dots: set[tuple[int, int]] = set()
    for geom in provinces.geometry:
        if geom is None or not geom.intersects(frame):
            continue
        clipped = shapely.clip_by_rect(geom, *bbox)
        rings: list[np.ndarray] = []
        for part in shapely.get_parts(clipped):
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            if part.area < ISLAND_AREA:
                c = part.centroid
                dots.add((round(c.x / ISLAND_GRID), round(c.y / ISLAND_GRID)))
                continue
            simple = part.simplify(tolerance, preserve_topology=True)
            rings.append(project(np.asarray(simple.exterior.coords)[:, :2]))
        d = _path_data(rings, closed=True)
        if d:
            land.append(d)

    dash_d: list[str] = []
    for geom in dashed.geometry:
        clipped = shapely.clip_by_rect(geom, *bbox)
        segs = [project(np.asarray(p.simplify(tolerance / 2).coords)[:, :2])
                for p in shapely.get_parts(clipped) if p.geom_type == "LineString" and not p.is_empty]
        d = _path_data(segs, closed=False)
        if d:
            dash_d.append(d)
    if not dash_d:
        raise DataError(f"the dashed line does not cross the inset box {bbox}")

    islands = []
    for gx, gy in sorted(dots):
        (x, y), = project(np.array([[gx * ISLAND_GRID, gy * ISLAND_GRID]], dtype=float))
        islands.append((int(x), int(y)))
    return InsetGeometry(width, height, tuple(land), tuple(islands), tuple(dash_d))


@lru_cache(maxsize=4)
def _cached(path: str | None) -> InsetGeometry:
    return build_inset(path)


def inset_geometry(path: Path | str | None = None) -> InsetGeometry:
    """The default inset drawing, built once per process (per layer file)."""
    return _cached(None if path is None else str(path))


def inset_svg(lang: str = "zh", path: Path | str | None = None, css_class: str = "cr-inset-svg") -> str:
    """The inset as an inline ``<svg>`` element (no scripts, no event handlers, no styles).

    Presentation attributes give the default look; the classes (``cr-inset-land``,
    ``cr-inset-island``, ``cr-inset-dash``) let a page restyle it, e.g. in dark mode.
    """
    g = inset_geometry(path)
    title = t("map.inset_title", lang)
    land = "".join(f'<path d="{d}"/>' for d in g.land)
    islands = "".join(f'<circle cx="{x}" cy="{y}" r="{ISLAND_RADIUS}"/>' for x, y in g.islands)
    dashes = "".join(f'<path d="{d}"/>' for d in g.dashes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {g.width} {g.height}" '
        f'role="img" aria-label="{title}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{title}</title>"
        f'<g class="cr-inset-land" fill="#e3e3e3" stroke="#8a8a8a" stroke-width="0.8" '
        f'stroke-linejoin="round">{land}</g>'
        f'<g class="cr-inset-island" fill="#8a8a8a">{islands}</g>'
        f'<g class="cr-inset-dash" fill="none" stroke="#555555" stroke-width="1.6" '
        f'stroke-linecap="round" data-kind="{DASHED_KIND}">{dashes}</g>'
        "</svg>"
    )
