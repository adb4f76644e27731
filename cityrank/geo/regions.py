"""Regions (NBS four regions, north/south) and city clusters, read from ``config/``.

Memberships are data, not code: ``config/regions.yaml`` and ``config/clusters.yaml`` carry
their sources, and a cluster member can be ``partial`` (only some counties of a prefecture
belong to the plan), which analyses must be able to include or exclude explicitly.

The four NBS regions, their order and their names in both languages exist once, in
``config/regions.yaml``: :func:`region_ids` and :func:`region_name` are the way to them
(the translation catalogue serves the same names as ``region.<id>``, see
:mod:`cityrank.i18n`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from cityrank import i18n
from cityrank.errors import ConfigError, NotFoundError
from cityrank.paths import CONFIG_DIR

UNCHECKED_NOTE = (i18n.t("clusters.unchecked", "zh"), i18n.t("clusters.unchecked", "en"))
"""Shown wherever a cluster with ``checked: false`` is listed, (zh, en): a view of the
catalogue key ``clusters.unchecked`` for callers that still take a pair."""


LEVELS = ("national", "provincial")
"""Who issued a cluster's plan: the State Council / central government, or a province."""


@dataclass(frozen=True)
class Member:
    code: str
    name: str
    partial: bool = False
    tier: str | None = None  # e.g. Central Plains: "core" (核心发展区) or "linked" (联动辐射区)
    note: str = ""  # which counties a partial member contributes, and the like


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str
    name_en: str
    plan: str
    year: int
    source: str
    cores: tuple[str, ...]
    members: tuple[Member, ...] = field(default_factory=tuple)
    # False where membership was compiled from summaries and still needs checking against the plan.
    checked: bool = False
    level: str = "national"  # national or provincial plan (LEVELS)
    note: str = ""
    checked_against: str = ""
    tiers: tuple[tuple[str, str], ...] = ()  # (tier id, description) in the plan's order

    def codes(self, include_partial: bool = True, tier: str | None = None) -> list[str]:
        return [m.code for m in self.members
                if (include_partial or not m.partial) and (tier is None or m.tier == tier)]

    def tier_of(self, code: str) -> str | None:
        return next((m.tier for m in self.members if m.code == code), None)


def _read_yaml(path: Path) -> dict:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return doc


@lru_cache(maxsize=4)
def load_regions(path: Path | None = None) -> dict:
    """The regions document: ``regions`` (id -> name, name_en, provinces) and ``north_south``."""
    path = Path(path or CONFIG_DIR / "regions.yaml")
    doc = _read_yaml(path)
    seen: dict[str, str] = {}
    for rid, spec in doc.get("regions", {}).items():
        for key in ("name", "name_en", "provinces"):
            if key not in spec:
                raise ConfigError(f"{path}: region {rid!r} lacks {key!r}")
        for code in spec["provinces"]:
            if code in seen:
                raise ConfigError(f"{path}: province {code} in both {seen[code]!r} and {rid!r}")
            seen[code] = rid
    return doc


def region_of_province(province_code: str) -> str | None:
    for rid, spec in load_regions()["regions"].items():
        if str(province_code) in spec["provinces"]:
            return rid
    return None


def north_south_of_province(province_code: str) -> str | None:
    """The default side of a province's cities (see :func:`north_south_of` for a city)."""
    ns = load_regions()["north_south"]
    for side in ("North", "South"):
        if str(province_code) in ns[side]:
            return side
    return None


def north_south_of(code: str) -> str | None:
    """A unit's side of the Qinling-Huaihe line: its own entry in ``north_south.cities`` of
    ``config/regions.yaml`` (the line runs through provinces: 徐州 is north, 信阳 south), else
    its province's default. ``config/admin_units.csv`` carries the same value per unit."""
    code = str(code)
    city = (load_regions()["north_south"].get("cities") or {}).get(code)
    if city:
        return city["side"]
    return north_south_of_province(code[:2] + "0000")


def region_ids() -> tuple[str, ...]:
    """The region ids in the order of ``config/regions.yaml`` (East, Central, West, Northeast)."""
    return tuple(load_regions()["regions"])


def region_name(region_id: str, lang: str = "zh") -> str:
    """A region's name in ``lang`` (东部 / East); NotFoundError for an unknown id."""
    spec = load_regions()["regions"].get(str(region_id))
    if spec is None:
        raise NotFoundError(f"unknown region {region_id!r}; known: {', '.join(region_ids())}")
    return spec["name_en"] if i18n.norm_lang(lang) == "en" else spec["name"]


def region_names(lang: str = "zh") -> dict[str, str]:
    """``{id: name in lang}`` in the config's order."""
    return {rid: region_name(rid, lang) for rid in region_ids()}



@lru_cache(maxsize=4)
def load_clusters(path: Path | None = None) -> dict[str, Cluster]:
    path = Path(path or CONFIG_DIR / "clusters.yaml")
    doc = _read_yaml(path)
    out: dict[str, Cluster] = {}
    for cid, spec in (doc.get("clusters") or {}).items():
        try:
            members = tuple(
                Member(str(m["code"]), m["name"], bool(m.get("partial", False)), m.get("tier"),
                       str(m.get("note", "")))
                for m in spec["members"]
            )
            cluster = Cluster(
                id=cid, name=spec["name"], name_en=spec["name_en"], plan=spec["plan"],
                year=int(spec["year"]), source=spec.get("source", spec["plan"]),
                cores=tuple(str(c) for c in spec.get("cores", ())), members=members,
                checked=bool(spec.get("checked", False)), level=spec.get("level", "national"),
                note=str(spec.get("note", "")), checked_against=str(spec.get("checked_against", "")),
                tiers=tuple((str(k), str(v)) for k, v in (spec.get("tiers") or {}).items()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: cluster {cid!r}: missing or invalid field {exc}") from exc
        if cluster.level not in LEVELS:
            raise ConfigError(f"{path}: cluster {cid!r}: level {cluster.level!r} is not one of {', '.join(LEVELS)}")
        tier_ids = {k for k, _ in cluster.tiers}
        bad_tier = [m.code for m in members if (m.tier is not None) != bool(tier_ids)
                    or (m.tier is not None and m.tier not in tier_ids)]
        if bad_tier:
            raise ConfigError(f"{path}: cluster {cid!r}: members {bad_tier} have no tier or one not "
                              f"in its tiers {sorted(tier_ids)}")
        codes = [m.code for m in members]
        if len(set(codes)) != len(codes):
            raise ConfigError(f"{path}: cluster {cid!r} lists a member twice")
        if not set(cluster.cores) <= set(codes):
            raise ConfigError(f"{path}: cluster {cid!r}: core cities must be members")
        out[cid] = cluster
    return out


def get_cluster(cluster_id: str) -> Cluster:
    clusters = load_clusters()
    if cluster_id not in clusters:
        raise NotFoundError(f"unknown cluster {cluster_id!r}; known: {', '.join(clusters)}")
    return clusters[cluster_id]


def cluster_codes(cluster_id: str, include_partial: bool = True) -> list[str]:
    return get_cluster(cluster_id).codes(include_partial)
