"""Drawing primitives of the print maps: projected clipping, polygons and lines as single
matplotlib collections, scale bar and north arrow.

Collections rather than ``GeoDataFrame.plot``: under Agg every ``plot`` call redraws the
whole canvas, which made one national map take 8 s instead of 2.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import box

from cityrank.geo import map_style as S
from cityrank.geo.projection import ANALYSIS_CRS


def clip_project(gdf: gpd.GeoDataFrame, bbox) -> gpd.GeoDataFrame:
    clipped = gdf.clip(box(*bbox))
    clipped = clipped[~clipped.geometry.is_empty]
    return clipped.to_crs(ANALYSIS_CRS)


def project_point(lon: float, lat: float) -> tuple[float, float]:
    from pyproj import Transformer

    tr = Transformer.from_crs(4490, ANALYSIS_CRS, always_xy=True)
    return tr.transform(lon, lat)


def polygon_paths(geoms):
    """Matplotlib paths of (multi)polygons, holes included; one path per polygon part."""
    from matplotlib.path import Path as MplPath

    paths, owners = [], []
    for idx, geom in enumerate(geoms):
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            rings = [poly.exterior, *poly.interiors]
            paths.append(MplPath.make_compound_path(
                *[MplPath(np.asarray(r.coords)[:, :2], closed=True) for r in rings]))
            owners.append(idx)
    return paths, np.asarray(owners, dtype=int)


def add_polygons(ax, geoms, facecolors, *, edgecolor, linewidth, hatch=None, zorder=2):
    """Add polygons as one PathCollection. (GeoDataFrame.plot redraws the whole canvas on
    every call under Agg, which made a map take 8 s.)"""
    from matplotlib.collections import PathCollection

    paths, owners = polygon_paths(geoms)
    if not paths:
        return
    fc = [facecolors[i] for i in owners] if isinstance(facecolors, list) else facecolors
    coll = PathCollection(paths, facecolors=fc, edgecolors=edgecolor, linewidths=linewidth,
                          hatch=hatch, zorder=zorder)
    coll.set_transform(ax.transData)
    ax.add_collection(coll, autolim=False)


def add_lines(ax, geoms, *, color, linewidth, linestyle="solid", zorder=3):
    from matplotlib.collections import LineCollection

    segs = []
    for geom in geoms:
        for part in shapely.get_parts(geom):
            if part.geom_type == "LinearRing" or part.geom_type == "LineString":
                segs.append(np.asarray(part.coords)[:, :2])
            elif part.geom_type in ("Polygon",):
                segs.extend(np.asarray(r.coords)[:, :2] for r in (part.exterior, *part.interiors))
            elif part.geom_type == "MultiLineString":
                segs.extend(np.asarray(p.coords)[:, :2] for p in part.geoms)
    if segs:
        ax.add_collection(LineCollection(segs, colors=color, linewidths=linewidth,
                                         linestyles=linestyle, zorder=zorder), autolim=False)


def draw_units(ax, gdf_proj, keys, classes, colours, *, linewidth=0.15):
    geoms = gdf_proj.geometry.to_numpy()
    for key in ("not_evaluated", "no_data", "sar", "taiwan_no_data"):
        sel = keys == key
        if sel.any():
            st = S.NEUTRAL[key]
            add_polygons(ax, geoms[sel], st["facecolor"], edgecolor=st["edgecolor"],
                          hatch=st["hatch"], linewidth=linewidth)
    sel = keys == "class"
    if sel.any():
        fc = [colours[c] for c in classes[sel]]
        add_polygons(ax, geoms[sel], fc, edgecolor=S.PREFECTURE_EDGE, linewidth=linewidth)


def outline(gdf: gpd.GeoDataFrame, bbox) -> np.ndarray:
    """Polygon outlines clipped to ``bbox`` (lon/lat) and projected. Clipping the outline, not
    the polygon, avoids drawing the clip rectangle's edge as if it were a boundary."""
    lines = shapely.clip_by_rect(shapely.boundary(gdf.geometry.to_numpy()), *bbox)
    lines = lines[~shapely.is_empty(lines)]
    return gpd.GeoSeries(lines, crs=gdf.crs).to_crs(ANALYSIS_CRS).to_numpy()


def draw_lines(ax, provinces, national, lines, bbox, *, scale=1.0):
    add_lines(ax, outline(provinces, bbox), color=S.PROVINCE_EDGE, linewidth=0.45 * scale)
    add_lines(ax, outline(national, bbox), color=S.NATIONAL_EDGE, linewidth=0.9 * scale,
               zorder=4)
    lines_proj = clip_project(lines, bbox)
    if len(lines_proj):
        kind = lines_proj["kind"].to_numpy()
        geoms = lines_proj.geometry.to_numpy()
        dashed = kind == "south_china_sea_dashed_line"
        add_lines(ax, geoms[~dashed], color=S.LINE_COLOUR, linewidth=0.6 * scale,
                   linestyle=(0, (4, 2)), zorder=4)
        # the dashed line is stored as its separate dashes; draw them solid
        add_lines(ax, geoms[dashed], color=S.LINE_COLOUR, linewidth=1.3 * scale, zorder=4)


def scale_bar(ax, font, lang, x0, y0, length_m, height):
    from matplotlib.patches import Rectangle

    half = length_m / 2
    for i, fc in enumerate(("black", "white", "black", "white")):
        ax.add_patch(Rectangle((x0 + i * half / 2, y0), half / 2, height, facecolor=fc,
                               edgecolor="black", linewidth=0.6, zorder=20))
    labels = [f"{length_m / 1000 * f:g}" for f in (0, 0.25, 0.5, 1.0)]
    for frac, lab in zip((0, 0.25, 0.5, 1.0), labels, strict=True):
        ax.text(x0 + frac * length_m, y0 + height * 1.6, str(lab), ha="center", va="bottom",
                fontsize=6.5, zorder=20)
    unit = S.text(lang, "km")
    ax.text(x0 + length_m + height * 1.5, y0 + height / 2, unit, ha="left", va="center",
            fontsize=6.5, zorder=20)
    return labels + [unit]


def north_arrow(ax, lang, fx, fy, size):
    """Arrow along the true meridian at axes fraction (fx, fy): conic meridians converge, so
    'up' is not north away from the central meridian."""
    from pyproj import Transformer

    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    x0, y0 = x_lo + fx * (x_hi - x_lo), y_lo + fy * (y_hi - y_lo)
    lon, lat = Transformer.from_crs(ANALYSIS_CRS, 4490, always_xy=True).transform(x0, y0)
    x1, y1 = project_point(lon, lat + 0.5)
    v = np.array([x1 - x0, y1 - y0])
    v = v / np.linalg.norm(v) * size
    ax.annotate("", xy=(x0 + v[0], y0 + v[1]), xytext=(x0, y0), annotation_clip=False,
                arrowprops={"arrowstyle": "-|>,head_width=0.45,head_length=1.0",
                            "color": "black", "linewidth": 1.6, "shrinkA": 0, "shrinkB": 0},
                zorder=20)
    label = S.text(lang, "north")
    ax.text(x0 + v[0] * 1.28, y0 + v[1] * 1.28, label, ha="center", va="center",
            fontsize=10, fontweight="bold", zorder=20)
    return [label]


def nice_length(target_m: float) -> float:
    """Largest 1/2/5 x 10^n metres not above ``target_m`` (scale bar length)."""
    exp = 10 ** np.floor(np.log10(target_m))
    for m in (5, 2, 1):
        if m * exp <= target_m:
            return float(m * exp)
    return float(exp)
