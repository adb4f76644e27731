"""Everything the views need, as plain functions over the scoring and geo cores.

Views stay one-liners: they parse the request, call one function here and serialise. This
module owns the per-app caches (joined layers, rendered GeoJSON) and the translation of
request parameters into core calls; it raises :class:`ParameterError` (HTTP 400) and the
core's :class:`~cityrank.errors.NotFoundError` (HTTP 404).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from cityrank.errors import CityrankError, NotFoundError, UnknownUnitError
from cityrank.jsonsafe import num
from cityrank.web import i18n

HMT_TYPES = ("特别行政区", "台湾省")
TAIWAN = "710000"
UNIVERSE_TYPES = ("副省级市", "地级市")
CACHE_ENTRIES = 64  # a rendered national map is ~0.7 MB; 64 entries stay well under 100 MB
MAP_SIMPLIFY = 0.04  # degrees; ~4 km, below a pixel at the map's national zooms


class ParameterError(CityrankError):
    """A request parameter is invalid (HTTP 400)."""


class Services:
    """Per-app access to datasets and layers; thread-safe caches keyed by dataset id."""

    def __init__(self, data_dir: str | Path | None = None):
        self.data_dir = Path(data_dir) if data_dir else None
        from cityrank.geo.boundaries import load_layer
        from cityrank.geo.join import join_scores
        from cityrank.scoring.datasets import load_catalog

        self._load_catalog, self._load_layer, self._join = load_catalog, load_layer, join_scores
        self._lock = threading.RLock()
        self._cache: OrderedDict[tuple, object] = OrderedDict()
        from cityrank.web.upload_service import UploadStore

        self.uploads = UploadStore(on_evict=self.forget)  # users' uploaded datasets (web/upload_service)

    def forget(self, dataset_id: str) -> None:
        """Drop every cached object built from one dataset (an expired upload)."""
        with self._lock:
            for key in [k for k in self._cache if dataset_id in k]:
                del self._cache[key]

    def cached(self, key: tuple, make):
        """LRU cache of built objects (layers, joins, rendered maps, geometry documents)."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            value = make()
            self._cache[key] = value
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
            return value

    # -- datasets ---------------------------------------------------------------------------
    @cached_property
    def catalog(self):
        return self._load_catalog(self.data_dir)

    def dataset(self, dataset_id: str | None = None):
        if dataset_id and dataset_id.startswith("upload-"):
            return self.uploads.get(dataset_id)
        return self.catalog.get(dataset_id or self.catalog.default_id)

    def datasets(self) -> list:
        return [self.catalog.get(i) for i in self.catalog.ids()]

    def scores(self, dataset_id: str | None = None) -> pd.DataFrame:
        return self.dataset(dataset_id).scores()

    def indicators(self, dataset) -> list[dict]:
        """Every mappable indicator: the total first, then every node in system order."""
        system = dataset.system
        out = [{"id": "total", "name": "总分", "name_en": "Total score", "level": 0,
                "max": _total_max(system)}]
        for nid, node in system.nodes.items():
            out.append({"id": nid, "name": node.name, "name_en": node.name_en or nid,
                        "level": node.level, "max": node.max_points, "parent": node.parent})
        return out

    def check_indicator(self, dataset, indicator: str | None) -> str:
        indicator = indicator or "total"
        if indicator != "total" and indicator not in dataset.system.nodes:
            raise ParameterError(
                f"unknown indicator {indicator!r} for dataset {dataset.id!r}; "
                f"see /api/v1/datasets/{dataset.id}/system"
            )
        if indicator not in dataset.scores().columns:
            raise ParameterError(f"dataset {dataset.id!r} has no scores for indicator {indicator!r}")
        return indicator

    def indicator_label(self, dataset, indicator: str, lang: str) -> str:
        if indicator == "total":
            return i18n.t("total", lang)
        return i18n.label(dataset.system.nodes[indicator], lang)

    def published_bins(self, dataset, indicator: str, method: str) -> list[float] | None:
        """Published bands exist for the 100-point total only (geo.classify's defaults)."""
        if method != "published":
            return None
        if indicator != "total" or abs(_total_max(dataset.system) - 100) > 1e-6:
            raise ParameterError(
                f"published bins exist only for the total score out of 100, not {indicator!r}"
            )
        return None  # geo.classify.PUBLISHED_BINS

    # -- geometry ---------------------------------------------------------------------------
    def layer(self, name: str = "prefecture_web") -> gpd.GeoDataFrame:
        return self.cached(("layer", name), lambda: self._load_layer(name))

    def joined(self, dataset_id: str | None = None, layer: str = "prefecture_web") -> gpd.GeoDataFrame:
        """The web layer with scores; adds ``display`` = status, or 'hmt' for HK/Macao/Taiwan."""
        ds = self.dataset(dataset_id)

        def make():
            result = self._join(ds.scores(), layer=layer)
            gdf = result.gdf.copy()
            if "rank" in gdf.columns:
                gdf["rank"] = gdf["rank"].astype("Int64")  # integer ranks in GeoJSON/OGC
            gdf["display"] = gdf["status"]
            hmt = gdf["type"].isin(HMT_TYPES) & (gdf["status"] != "scored")
            gdf.loc[hmt, "display"] = "hmt"
            gdf.attrs["synthetic"] = bool(ds.synthetic)
            gdf.attrs["warnings"] = list(result.warnings)
            return gdf

        return self.cached(("joined", ds.id, layer), make)

    def map_layer(self, dataset_id: str | None = None, tolerance: float = MAP_SIMPLIFY) -> gpd.GeoDataFrame:
        """The joined web layer simplified further for the interactive national map.

        Coverage simplification keeps shared borders shared (no slivers) while cutting the
        embed's GeoJSON to about a third; fine at the national zooms the map allows.
        """
        ds = self.dataset(dataset_id)

        def make():
            gdf = self.joined(ds.id).copy()
            gdf["geometry"] = shapely.coverage_simplify(gdf.geometry.values, tolerance)
            gdf.attrs = dict(self.joined(ds.id).attrs)
            return gdf

        return self.cached(("map_layer", ds.id, tolerance), make)

    def names_en(self) -> dict[str, str]:
        """Code -> pinyin name (``name_en`` of the admin layer) for English pages; scores
        files carry only the Chinese name."""

        def make():
            units = self.layer("prefecture_web")
            return {str(c): str(n) for c, n in zip(units["code"], units["name_en"], strict=True) if n == n and n}

        return self.cached(("names_en",), make)

    def province_names_en(self) -> dict[str, str]:
        """Province name (and code) -> English name (``name_en`` of the province layer:
        Shaanxi, Inner Mongolia); scores files carry only the Chinese province name."""

        def make():
            prov = self.layer("province")
            out: dict[str, str] = {}
            for c, n, en in zip(prov["code"], prov["name"], prov["name_en"], strict=True):
                if en == en and en:
                    out[str(n)] = out[str(c)] = str(en)
            return out

        return self.cached(("province_names_en",), make)

    def province_name(self, name, lang: str) -> str:
        """A province for the page language; unknown or empty names pass through unchanged."""
        if name is None or name != name:
            return ""
        return self.province_names_en().get(str(name), str(name)) if lang == "en" else str(name)

    def scs_lines(self) -> gpd.GeoDataFrame:
        """Boundary lines (incl. the South China Sea dashed line) for the map hint."""
        try:
            return self.layer("boundary_line")
        except CityrankError:
            return gpd.GeoDataFrame(geometry=[], crs=4490)

    # -- cities, regions, clusters ----------------------------------------------------------
    def resolve(self, key: str):
        """A code or name (any form the ONE resolver accepts: 杭州, 杭州市, 杭州市 in traditional
        characters, 156330100, historical 371200) -> ``UnitMatch``; unknown -> NotFoundError."""
        from cityrank.scoring.units import UnitResolver

        resolver = self.cached(("resolver",), UnitResolver)
        try:
            return resolver.resolve(key)
        except UnknownUnitError as exc:
            raise NotFoundError(str(exc)) from exc

    def city(self, dataset_id: str | None, key: str) -> dict:
        ds = self.dataset(dataset_id)
        match = self.resolve(key)
        code = match.code
        scores = ds.scores()
        row = scores[scores["code"] == code]
        if row.empty:
            units = self.layer("prefecture_web")
            if code in set(units["code"]):
                raise NotFoundError(f"city {code} has no scores in dataset {ds.id!r}")
            raise NotFoundError(f"unknown city code {code!r} (use the 6-digit administrative code)")
        r = row.iloc[0]
        ids = ["total"] + list(ds.system.nodes)
        ids = [i for i in ids if i in scores.columns]
        region = r.get("region")
        reg = scores[scores["region"] == region] if region else scores.iloc[0:0]
        clusters = self.clusters_of(code)
        comparisons = []
        for nid in ids:
            item = {"id": nid, "value": num(r[nid], 4), "national_mean": num(scores[nid].mean(), 4),
                    "regional_mean": num(reg[nid].mean(), 4) if len(reg) else None}
            for cid, members in clusters.items():
                sub = scores[scores["code"].isin(members)]
                item[f"cluster_mean:{cid}"] = num(sub[nid].mean(), 4) if len(sub) else None
            comparisons.append(item)
        return {
            "dataset": ds.id, "synthetic": bool(ds.synthetic), "code": code,
            "name": r["name"], "province": r.get("province"),
            "province_en": self.province_names_en().get(str(r.get("province"))), "region": region,
            "rank": int(r["rank"]), "total": num(r["total"], 4), "n_ranked": int(len(scores)),
            "scores": {nid: num(r[nid], 4) for nid in ids},
            "comparisons": comparisons, "clusters": list(clusters),
            # Unchecked memberships were compiled from plan summaries; clients must be able to say so.
            "cluster_info": [self.cluster_info(cid) for cid in clusters],
            "neighbours": self.neighbours(ds.id, code),
            "resolved_from": key if key != code else None, "warning": match.warning,
        }

    def neighbours(self, dataset_id: str | None, code: str) -> list[dict]:
        gdf = self.joined(dataset_id)
        me = gdf[gdf["code"] == code]
        if me.empty:
            return []
        geom = me.geometry.iloc[0].buffer(0.01)
        near = gdf[gdf.geometry.intersects(geom) & (gdf["code"] != code)]
        return [{"code": c, "name": n, "total": num(t, 4), "rank": None if pd.isna(rk) else int(rk)}
                for c, n, t, rk in zip(near["code"], near["name"], near["total"], near["rank"], strict=True)]

    def clusters(self) -> dict:
        try:
            from cityrank.geo.regions import load_clusters
        except ImportError:
            return {}
        return self.cached(("clusters",), load_clusters)

    def clusters_of(self, code: str) -> dict[str, list[str]]:
        out = {}
        for cid, cl in self.clusters().items():
            members = [_member_code(m) for m in cl.members]
            if code in members:
                out[cid] = members
        return out

    def group_summary(self, dataset_id: str | None, codes: list[str] | None = None,
                      region: str | None = None) -> dict:
        ds = self.dataset(dataset_id)
        s = ds.scores()
        sub = s[s["region"] == region] if region else s[s["code"].isin(codes or [])]
        ids = [i for i in ["total"] + list(ds.system.first_level) if i in s.columns]
        return {
            "dataset": ds.id, "synthetic": bool(ds.synthetic), "count": int(len(sub)),
            "means": {i: num(sub[i].mean(), 4) for i in ids},
            "national_means": {i: num(s[i].mean(), 4) for i in ids},
            "members": sub[[c for c in ("code", "name", "province", "total", "rank") if c in sub.columns]
                           ].to_dict("records"),
        }

    def cluster_info(self, cluster_id: str) -> dict:
        cl = self.cluster(cluster_id)
        return {"id": cluster_id, "name": cl.name, "name_en": cl.name_en,
                "checked": bool(getattr(cl, "checked", False))}

    def cluster(self, cluster_id: str):
        cl = self.clusters().get(cluster_id)
        if cl is None:
            raise NotFoundError(f"unknown cluster {cluster_id!r}; known: {', '.join(self.clusters())}")
        return cl

    def regions(self) -> list[str]:
        return ["East", "Central", "West", "Northeast"]


def _member_code(member) -> str:
    return member.code if hasattr(member, "code") else member[0]


def _total_max(system) -> float:
    """The system's declared total (deduction items have no maximum to add up)."""
    return float(system.total_max)
