"""Indicator systems as data: a YAML tree of any depth, validated before anything is scored.

Published systems are not always consistent (the 2017 NDRC table declares 数据管理 = 10 points
while its evaluation points sum to 12). Loading such a system fails with a message naming the
node and both numbers unless the file states a policy, so nobody scores out of 102 by accident.

Internally every node carries points: ``max_points`` is its share of the total. Systems that
publish weights instead of points get points derived as ``parent max * weight / sum(weights)``.
``scale`` is the factor applied to the sum of a node's children (1 unless a mismatch policy
rescales them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cityrank import paths
from cityrank.errors import ConfigError, NotFoundError
from cityrank.i18n import t

from .aggregate import COMPENSABILITY
from .messages import Notice

DIRECTIONS = ("higher", "lower")
MISMATCH_POLICIES = ("error", "rescale_children")
AGGREGATIONS = tuple(COMPENSABILITY)
_TOL = 1e-9


def known_methods() -> tuple[str, ...]:
    from .normalise import METHODS

    return tuple(METHODS)


@dataclass
class Node:
    id: str
    name: str
    name_en: str = ""
    max_points: float | None = None
    weight: float | None = None  # share of the parent's points (siblings sum to 1)
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    level: int = 1
    direction: str = "higher"
    unit: str = ""
    method: str = "points"
    description: str = ""
    source: str = ""
    scale: float = 1.0
    declared_weight: float | None = None
    goalposts: tuple[float, float] | None = None
    deduction: bool = False
    children_missing: bool = False
    note: str = ""

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in (
            "id", "name", "name_en", "max_points", "weight", "parent", "children", "level",
            "direction", "unit", "method", "description", "source", "scale", "deduction",
            "children_missing", "note")}
        d["goalposts"] = list(self.goalposts) if self.goalposts else None
        return d


@dataclass
class IndicatorSystem:
    id: str
    name: str
    name_en: str
    nodes: dict[str, Node]
    first_level: list[str]
    leaves: list[str]
    universe: dict
    total_max: float
    aggregation: str = "arithmetic"
    source: str = ""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    path: str = ""
    # scoring.weighting / scoring.weights / scoring.geometric_offset and the ``uncertainty:``
    # section (validated by cityrank.scoring.weighting and cityrank.scoring.uncertainty)
    weighting: str = "published"
    weights: dict | None = None
    geometric_offset: float | None = None
    uncertainty: dict = field(default_factory=dict)

    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise ConfigError(f"system {self.id}: no indicator {node_id!r}") from None

    def postorder(self) -> list[str]:
        """Node ids children-before-parents, so aggregation can run in one pass."""
        out: list[str] = []

        def walk(nid):
            for c in self.nodes[nid].children:
                walk(c)
            out.append(nid)

        for f in self.first_level:
            walk(f)
        return out

    def preorder(self) -> list[str]:
        """Node ids parents-before-children, the reading order of tables and templates."""
        return list(_preorder(self.nodes, self.first_level))

    def descendants_leaves(self, node_id: str) -> list[str]:
        n = self.nodes[node_id]
        if n.is_leaf:
            return [node_id]
        return [leaf for c in n.children for leaf in self.descendants_leaves(c)]

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "name_en": self.name_en, "source": self.source,
            "universe": self.universe, "total_max": self.total_max,
            "aggregation": self.aggregation, "weighting": self.weighting,
            "weights": self.weights, "geometric_offset": self.geometric_offset,
            "uncertainty": self.uncertainty, "first_level": list(self.first_level),
            "leaves": list(self.leaves), "notes": list(self.notes),
            "warnings": list(self.warnings),
            "nodes": {k: v.to_dict() for k, v in self.nodes.items()},
        }


def _num(value, what: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: {what} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{where}: {what} must be positive, got {value!r}")
    return float(value)


def _flatten(items, parent, out: list[dict], where: str) -> None:
    """Turn nested ``children:`` lists into flat records with ``parent`` set."""
    if not isinstance(items, list):
        raise ConfigError(f"{where}: 'indicators'/'children' must be a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: entry #{i + 1} under {parent or 'top level'} is not a "
                              "mapping")
        rec = {k: v for k, v in item.items() if k != "children"}
        if parent is not None:
            if rec.get("parent") not in (None, parent):
                raise ConfigError(f"{where}: node {rec.get('id')!r} is nested under {parent!r} "
                                  f"but says parent {rec['parent']!r}")
            rec["parent"] = parent
        out.append(rec)
        if item.get("children") is not None:
            _flatten(item["children"], rec.get("id"), out, where)


def parse_system(doc: dict, where: str = "<system>") -> IndicatorSystem:
    """Validate a parsed YAML document and build the system (all errors name the node)."""
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: top level must be a mapping")
    for key in ("id", "name", "indicators"):
        if key not in doc:
            raise ConfigError(f"{where}: missing top-level key {key!r}")
    scoring = doc.get("scoring") or {}
    policy = scoring.get("max_mismatch", "error")
    if policy not in MISMATCH_POLICIES:
        raise ConfigError(f"{where}: scoring.max_mismatch {policy!r} is not one of "
                          f"{', '.join(MISMATCH_POLICIES)}")
    aggregation = scoring.get("aggregation", "arithmetic")
    if aggregation not in AGGREGATIONS:
        raise ConfigError(f"{where}: scoring.aggregation {aggregation!r} is not one of "
                          f"{', '.join(AGGREGATIONS)}")
    total_max = _num(doc.get("total_max", 100), "total_max", where)
    methods = known_methods()
    weighting, weights, offset = _weighting_options(scoring, where)

    records: list[dict] = []
    _flatten(doc["indicators"], None, records, where)
    nodes: dict[str, Node] = {}
    for rec in records:
        nid = rec.get("id")
        if not isinstance(nid, str) or not nid.strip():
            raise ConfigError(f"{where}: indicator {rec.get('name')!r} has no string id")
        w = f"{where}: node {nid!r} ({rec.get('name', '')})"
        if nid in nodes:
            raise ConfigError(f"{where}: duplicate indicator id {nid!r}")
        if nid in ("code", "name", "province", "region", "total", "rank", "percentile"):
            raise ConfigError(f"{w}: id {nid!r} is reserved for a scores-table column")
        unknown = set(rec) - {"id", "name", "name_en", "max", "max_points", "weight", "parent",
                              "direction", "unit", "method", "description", "source",
                              "goalposts", "deduction", "children_missing", "note",
                              "max_mismatch"}
        if unknown:
            raise ConfigError(f"{w}: unknown key(s) {', '.join(sorted(unknown))}")
        if not rec.get("name"):
            raise ConfigError(f"{w}: missing Chinese name 'name'")
        direction = rec.get("direction", "higher")
        if direction not in DIRECTIONS:
            raise ConfigError(f"{w}: direction {direction!r} is not 'higher' or 'lower'")
        method = rec.get("method", scoring.get("method", "points"))
        if method not in methods:
            raise ConfigError(f"{w}: unknown normalisation method {method!r} (known: "
                              f"{', '.join(methods)})")
        gp = rec.get("goalposts")
        if gp is not None:
            if (not isinstance(gp, list | tuple) or len(gp) != 2
                    or not all(isinstance(x, int | float) for x in gp) or gp[0] == gp[1]):
                raise ConfigError(f"{w}: goalposts must be two different numbers [worst, best]")
            gp = (float(gp[0]), float(gp[1]))
        if method == "goalposts" and gp is None:
            raise ConfigError(f"{w}: method goalposts needs goalposts: [worst, best]")
        node = Node(
            id=nid, name=str(rec["name"]), name_en=str(rec.get("name_en", "")),
            max_points=_num(rec.get("max", rec.get("max_points")), "max", w),
            declared_weight=_num(rec.get("weight"), "weight", w),
            parent=rec.get("parent"), direction=direction, unit=str(rec.get("unit", "")),
            method=method, description=str(rec.get("description", "")),
            source=str(rec.get("source", "")), goalposts=gp,
            deduction=bool(rec.get("deduction", False)),
            children_missing=bool(rec.get("children_missing", False)),
            note=str(rec.get("note", "")),
        )
        node._policy = rec.get("max_mismatch", policy)  # type: ignore[attr-defined]
        if node._policy not in MISMATCH_POLICIES:  # type: ignore[attr-defined]
            raise ConfigError(f"{w}: max_mismatch {node._policy!r} is not one of "
                              f"{', '.join(MISMATCH_POLICIES)}")
        nodes[nid] = node

    for node in nodes.values():
        if node.parent is not None:
            if node.parent not in nodes:
                raise ConfigError(f"{where}: node {node.id!r} has unknown parent {node.parent!r}")
            nodes[node.parent].children.append(node.id)
    _check_cycles(nodes, where)
    first = [n.id for n in nodes.values() if n.parent is None]
    if not first:
        raise ConfigError(f"{where}: no first-level indicators")

    _infer_parent_max(nodes, first)
    warnings: list[str] = []
    _assign_points(nodes, first, total_max, where, warnings)
    _assign_levels(nodes, first)
    unknown_w = [k for k in (weights or {}) if k not in nodes]
    if unknown_w:
        raise ConfigError(f"{where}: scoring.weights names unknown indicator(s) "
                          f"{', '.join(unknown_w)}")
    leaves = [nid for nid in _preorder(nodes, first) if nodes[nid].is_leaf]
    missing = [f"{nid} ({nodes[nid].name})" for nid in leaves if nodes[nid].children_missing]
    if missing:
        warnings.append(Notice.make("children_missing", {"nodes": ", ".join(missing)}))
    for note in doc.get("warnings", []) or []:
        warnings.append(_note(note, where))
    return IndicatorSystem(
        id=str(doc["id"]), name=str(doc["name"]), name_en=str(doc.get("name_en", "")),
        nodes=nodes, first_level=first, leaves=leaves,
        universe=dict(doc.get("universe") or {}), total_max=total_max,
        aggregation=aggregation, source=str(doc.get("source", "")),
        notes=[str(x) for x in (doc.get("notes") or [])], warnings=warnings,
        weighting=weighting, weights=weights, geometric_offset=offset,
        uncertainty=_uncertainty_section(doc, where),
    )


def _weighting_options(scoring: dict, where: str):
    """``scoring.weighting`` (a name in cityrank.scoring.weighting.WEIGHTINGS),
    ``scoring.weights`` ({node id: weight}, for ``user``) and ``scoring.geometric_offset``."""
    from .weighting import WEIGHTINGS

    weighting = scoring.get("weighting", "published")
    if weighting not in WEIGHTINGS:
        raise ConfigError(f"{where}: scoring.weighting {weighting!r} is not one of "
                          f"{', '.join(WEIGHTINGS)}")
    weights = scoring.get("weights")
    if weights is not None:
        if not isinstance(weights, dict) or not weights:
            raise ConfigError(f"{where}: scoring.weights must be a mapping of indicator id "
                              "to weight")
        weights = {str(k): _num(v, f"weight of {k!r}", f"{where}: scoring.weights")
                   for k, v in weights.items()}
    if weighting == "user" and weights is None:
        raise ConfigError(f"{where}: scoring.weighting user needs scoring.weights")
    offset = scoring.get("geometric_offset")
    if offset is not None:
        offset = _num(offset, "geometric_offset", f"{where}: scoring")
        if offset >= 1:
            raise ConfigError(f"{where}: scoring.geometric_offset must be below 1, got "
                              f"{offset:g}")
    return weighting, weights, offset


def _uncertainty_section(doc: dict, where: str) -> dict:
    section = doc.get("uncertainty")
    if section is None:
        return {}
    from .uncertainty import UncertaintyConfig

    UncertaintyConfig.from_mapping(section, where=f"{where}: uncertainty")  # validate now
    return dict(section)


def _check_cycles(nodes: dict[str, Node], where: str) -> None:
    for start in nodes:
        seen = [start]
        cur = nodes[start].parent
        while cur is not None:
            if cur in seen:
                chain = " -> ".join(seen + [cur])
                raise ConfigError(f"{where}: cycle in parents: {chain}")
            seen.append(cur)
            cur = nodes[cur].parent


def _infer_parent_max(nodes, ids) -> None:
    """A node stating neither max nor weight is worth the sum of its children's maxima."""
    for nid in ids:
        n = nodes[nid]
        _infer_parent_max(nodes, n.children)
        kids = [nodes[c] for c in n.children if not nodes[c].deduction]
        if (n.max_points is None and n.declared_weight is None and kids
                and all(k.max_points is not None for k in kids)):
            n.max_points = sum(k.max_points for k in kids)


def _preorder(nodes, ids):
    for nid in ids:
        yield nid
        yield from _preorder(nodes, nodes[nid].children)


def _assign_levels(nodes, ids, level=1):
    for nid in ids:
        nodes[nid].level = level
        _assign_levels(nodes, nodes[nid].children, level + 1)


def _assign_points(nodes, ids, parent_max, where, warnings, parent=None):
    """Give every (non-deduction) node points, checking siblings against their parent."""
    scored = [nodes[i] for i in ids if not nodes[i].deduction]
    label, label_zh = (t("scoring.system_total", lang) if parent is None
                       else t("scoring.node_label", lang, id=parent.id, name=parent.name)
                       for lang in ("en", "zh"))
    with_max = [n for n in scored if n.max_points is not None]
    with_w = [n for n in scored if n.declared_weight is not None and n.max_points is None]
    if with_max and with_w:
        raise ConfigError(f"{where}: children of {label} mix 'max' and 'weight'; use one")
    if scored and not with_max and not with_w:
        for n in scored:  # nothing stated: equal shares
            n.declared_weight = 1.0
        with_w = scored
    if with_w:
        if len(with_w) != len(scored):
            raise ConfigError(f"{where}: some children of {label} have no weight")
        total_w = sum(n.declared_weight for n in scored)
        for n in scored:
            n.max_points = parent_max * n.declared_weight / total_w
    elif scored:
        if len(with_max) != len(scored):
            missing = [n.id for n in scored if n.max_points is None]
            raise ConfigError(f"{where}: children {missing} of {label} have no max")
        s = sum(n.max_points for n in scored)
        if abs(s - parent_max) > 1e-6 * max(1.0, parent_max):
            policy = parent._policy if parent is not None else "error"  # type: ignore
            msg = (f"{label} declares max {_fmt(parent_max)} but its children "
                   f"({', '.join(n.id for n in scored)}) sum to {_fmt(s)}")
            if parent is None:
                raise ConfigError(f"{where}: {msg}; set total_max to the sum or fix the maxima")
            if policy == "rescale_children":
                parent.scale = parent_max / s
                warnings.append(Notice.make("max_mismatch_rescaled", {
                    "label": label, "label_zh": label_zh, "max": _fmt(parent_max),
                    "children": ", ".join(n.id for n in scored), "sum": _fmt(s)}))
            else:
                raise ConfigError(f"{where}: {msg}; fix the file or state a policy such as "
                                  "'max_mismatch: rescale_children'")
    for n in scored:
        n.weight = n.max_points / parent_max if parent_max else None
        if n.children:
            _assign_points(nodes, n.children, n.max_points, where, warnings, n)
    for n in (nodes[i] for i in ids if nodes[i].deduction):
        n.weight = 0.0
        if n.children:
            raise ConfigError(f"{where}: deduction node {n.id!r} cannot have children")


def _note(note, where: str) -> Notice:
    """A warning written in the YAML: plain text (shown as is in both languages) or a mapping
    ``{en: ..., zh: ...}`` when the author translated it."""
    if isinstance(note, dict):
        en, zh = note.get("en"), note.get("zh")
        if not en and not zh:
            raise ConfigError(f"{where}: a warning mapping needs 'en' and/or 'zh'")
        en, zh = str(en or zh), str(zh or en)
        return Notice(en, "system_note_bilingual", {"text": en, "text_zh": zh})
    return Notice.make("system_note", {"text": str(note)})


def _fmt(x: float) -> str:
    return f"{x:g}"


def load_system(path: str | Path) -> IndicatorSystem:
    """Load and validate an indicator-system YAML file (``yaml.safe_load`` only)."""
    path = Path(path)
    if not path.exists() and path.suffix == "" and len(path.parts) == 1:
        path = paths.INDICATORS_DIR / f"{path}.yaml"  # a bare system id
    if not path.exists():
        raise NotFoundError(f"{path}: indicator system file not found")
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    system = parse_system(doc, where=str(path))
    system.path = str(path)
    return system
