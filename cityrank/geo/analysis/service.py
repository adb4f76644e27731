"""Analysis of a catalogued dataset: the one code path the CLI and the viewer share.

A dataset brings its indicator system, so the report can speak in score rates (score / max)
and per-indicator CVs; this module turns a :class:`scoring.datasets.Dataset` into the
arguments of :func:`geo.analysis.report.build_report` so that ``cityrank analyze --dataset``
and ``/analysis/<dataset>`` produce the same numbers.
"""

from __future__ import annotations

from cityrank.errors import DataError
from cityrank.i18n import both, t

ANALYSIS_LAYER = "prefecture"
"""Full-resolution layer for weights (contiguity must not depend on map simplification)."""


def dataset_options(ds, value: str = "total") -> dict:
    """max_value (for score rates) and first-level indicator maxima of a dataset's system.

    The total's maximum is the system's declared ``total_max`` (deduction items have no
    maximum, and a system may rescale its children), never a sum of first-level maxima."""
    system = ds.system
    indicators = {n: system.nodes[n].max_points for n in system.first_level}
    if value == "total":
        max_value = float(system.total_max) or None
    elif value in system.nodes:
        max_value = system.nodes[value].max_points
    else:
        max_value = None
    return {"max_value": max_value, "indicators": indicators}


def analysable_columns(ds) -> list[str]:
    """Columns a user may pick as value or regressor: total and every node of the system."""
    return ["total", *ds.system.first_level, *[n for n in ds.system.nodes if n not in ds.system.first_level]]


def indicator_names(ds) -> dict[str, dict[str, str]]:
    """{column: {"zh": name, "en": name}} for total and every node: findings name indicators."""
    out = {"total": both("common.total")}
    for nid, node in ds.system.nodes.items():
        out[nid] = {"zh": node.name or nid, "en": node.name_en or node.name or nid}
    return out


def title_zh(ds, value: str) -> str:
    """The Chinese report title (the English one is the report's ``title``)."""
    return t("analysis.dataset_title", "zh", title=ds.title,
             indicator=indicator_names(ds).get(value, {}).get("zh", value))


def dataset_report(ds, *, value: str = "total", x_columns=(), hub: str | None = None,
                   permutations: int = 999, seed: int = 12345, weights: str = "queen",
                   zones: bool = True, draws: int = 1000, fdr: bool = False, layer: str = ANALYSIS_LAYER,
                   weights_cache: dict | None = None):
    """(report, joined GeoDataFrame) for a catalogued dataset on the built-in layer.

    ``weights_cache``: see :func:`geo.analysis.report.build_report` (one dict per dataset
    and layer, kept by a long-running caller such as the viewer)."""
    from cityrank.geo.analysis.report import build_report
    from cityrank.geo.join import join_scores

    allowed = set(analysable_columns(ds))
    for col in (value, *x_columns):
        if col not in allowed:
            raise DataError(f"dataset {ds.id}: no indicator {col!r}; choose from {sorted(allowed)}")
    jr = join_scores(ds.scores(), layer=layer, value_column=value)
    opts = dataset_options(ds, value)
    report = build_report(
        jr.gdf, value, x_columns=tuple(x_columns), weights=weights, permutations=permutations, seed=seed,
        hub=hub, id_column="code", fdr=fdr, max_value=opts["max_value"], indicators=opts["indicators"],
        zones=zones, draws=draws, synthetic=bool(ds.synthetic),
        title=t("analysis.dataset_title", "en", title=ds.title_en or ds.title, indicator=value),
        indicator_names=indicator_names(ds), weights_cache=weights_cache,
    )
    report["title_zh"] = title_zh(ds, value)
    report["dataset"] = ds.id
    report["input_warnings"] = list(ds.warnings) + list(jr.warnings)
    return report, jr.gdf
