"""What a dataset offers to map and query: its indicators, their labels, the published bins.

Datasets themselves are found by :meth:`cityrank.service.site.Site.dataset`; these functions
take the dataset object and raise :class:`~cityrank.errors.ParameterError` (HTTP 400) for an
indicator the dataset does not have.
"""

from __future__ import annotations

from cityrank.errors import ParameterError
from cityrank.web import i18n


def total_max(system) -> float:
    """The system's declared total (deduction items have no maximum to add up)."""
    return float(system.total_max)


def indicators(ds) -> list[dict]:
    """Every mappable indicator: the total first, then every node in system order."""
    system = ds.system
    out = [{"id": "total", "name": "总分", "name_en": "Total score", "level": 0,
            "max": total_max(system)}]
    for nid, node in system.nodes.items():
        out.append({"id": nid, "name": node.name, "name_en": node.name_en or nid,
                    "level": node.level, "max": node.max_points, "parent": node.parent})
    return out


def check_indicator(ds, indicator: str | None) -> str:
    """``indicator`` (default ``total``) if the dataset has scores for it."""
    indicator = indicator or "total"
    if indicator != "total" and indicator not in ds.system.nodes:
        raise ParameterError(
            f"unknown indicator {indicator!r} for dataset {ds.id!r}; "
            f"see /api/v1/datasets/{ds.id}/system"
        )
    if indicator not in ds.scores().columns:
        raise ParameterError(f"dataset {ds.id!r} has no scores for indicator {indicator!r}")
    return indicator


def indicator_label(ds, indicator: str, lang: str) -> str:
    if indicator == "total":
        return i18n.t("total", lang)
    return i18n.label(ds.system.nodes[indicator], lang)


def indicator_labels(ds, lang: str) -> dict[str, str]:
    """Indicator id -> name in ``lang`` (total and every node)."""
    return {"total": i18n.t("total", lang)} | {nid: i18n.label(n, lang)
                                                for nid, n in ds.system.nodes.items()}


def published_bins(ds, indicator: str, method: str) -> list[float] | None:
    """Published bands exist for the 100-point total only (geo.classify's defaults)."""
    if method != "published":
        return None
    if indicator != "total" or abs(total_max(ds.system) - 100) > 1e-6:
        raise ParameterError(
            f"published bins exist only for the total score out of 100, not {indicator!r}"
        )
    return None  # geo.classify.PUBLISHED_BINS
