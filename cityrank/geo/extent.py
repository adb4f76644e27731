"""The geographic boxes of cityrank, once: China, the main map, the South China Sea inset.

Every box is (lon_min, lat_min, lon_max, lat_max) in CGCS2000 / WGS-84 degrees. The print
map (:mod:`cityrank.geo.static_map`), the interactive map's inset (:mod:`cityrank.geo.inset`)
and the web map's opening view all draw the same frames, and the checks of users' files and
of analysis layers use the same notion of "in China".

The numbers come from the boundary layer (``shapefiles/china_admin.gpkg``, Tianditu): land
and islands span 73.50-135.09 °E and 3.83-53.56 °N; Hainan's southern tip is at 18.16 °N.
The GCJ-02 formula's own domain (``geo.projection``) is a constant of that published
algorithm, not one of these.

>>> MAIN_MAP.contains(121.5, 25.0)  # Taipei is on the main map
True
>>> SOUTH_CHINA_SEA.contains(112.3, 16.8), MAIN_MAP.contains(112.3, 16.8)  # Xisha
(True, False)
>>> leaflet_bounds(MAIN_MAP)
[[17.5, 73.4], [53.7, 135.2]]
"""

from __future__ import annotations

from typing import NamedTuple


class Extent(NamedTuple):
    """A lon/lat box; a tuple, so it can be passed wherever (x0, y0, x1, y1) is expected."""

    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.lon_min <= lon <= self.lon_max and self.lat_min <= lat <= self.lat_max

    def covers(self, bounds) -> bool:
        """True when the box (x0, y0, x1, y1), e.g. a GeoDataFrame's total_bounds, is inside."""
        x0, y0, x1, y1 = (float(v) for v in bounds)
        return (x0 >= self.lon_min and y0 >= self.lat_min and x1 <= self.lon_max
                and y1 <= self.lat_max)


CHINA = Extent(70.0, 0.0, 140.0, 56.0)
"""Loose box around China's whole territory, South China Sea islands included. Geographic
data outside it is not Chinese lon/lat: a wrong or missing CRS (users' boundary files), or a
layer that needs its own projection (spatial weights)."""

MAIN_MAP = Extent(73.4, 17.5, 135.2, 53.7)
"""The main map of China: the mainland, Taiwan, and Hainan down to its southern tip (the
publishing rule for a map whose South China Sea is an inset); the islands further south
are in :data:`SOUTH_CHINA_SEA`. Print map frame (clip box) and the web map's opening view."""

SOUTH_CHINA_SEA = Extent(105.0, 2.0, 125.0, 25.0)
"""The 南海诸岛 inset (附图): the islands, the dashed line, Hainan and the coast to 25 °N."""


def leaflet_bounds(extent: Extent) -> list[list[float]]:
    """``[[lat_min, lon_min], [lat_max, lon_max]]``, the order of Leaflet's ``fitBounds``."""
    return [[extent.lat_min, extent.lon_min], [extent.lat_max, extent.lon_max]]


def center(extent: Extent) -> tuple[float, float]:
    """(lat, lon) of the box's middle."""
    return ((extent.lat_min + extent.lat_max) / 2, (extent.lon_min + extent.lon_max) / 2)

WEB_INSET = Extent(125.4, 17.5, 135.2, 30.0)
"""Where the web map draws the South China Sea inset: open sea east of Taiwan and Diaoyu, in
the bottom-right corner of :data:`MAIN_MAP`. The map client anchors the inset at this box's
bottom-right corner and keeps it inside the box, so it never covers land, and fitting
:data:`MAIN_MAP` shows China, Hainan's southern tip and the inset together."""

DIAOYU = Extent(123.3, 25.6, 124.7, 26.0)
"""钓鱼岛及其附属岛屿 (Taiwan province): small, yet a map of China must show them, so the web
layer's generalisation (:mod:`cityrank.geo.topology`) keeps their islands whatever their size."""
