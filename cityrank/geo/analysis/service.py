"""Analysis of a catalogued dataset: the one code path the CLI and the viewer share.

A dataset brings its indicator system, so the report can speak in score rates (score / max)
and per-indicator CVs; this module turns a :class:`scoring.datasets.Dataset` into the
arguments of :func:`geo.analysis.report.build_report` so that ``cityrank analyze --dataset``
and ``/analysis/<dataset>`` produce the same numbers.
"""

from __future__ import annotations

from cityrank.errors import DataError
from cityrank.geo.analysis.findings import bilingual_findings
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


def parts_of(system, value: str) -> set[str]:
    """The columns a model explaining ``value`` must not use as regressors: the value, what it
    is computed from (its descendants; every indicator when it is the total) and what contains
    it (its ancestors and the total). A score regressed on its own components is circular."""
    if value == "total":
        return {"total", *system.nodes}
    out = {"total", value}
    stack = [value]
    while stack:
        node = system.nodes[stack.pop()]
        out.update(node.children)
        stack.extend(node.children)
    parent = system.nodes[value].parent
    while parent is not None:
        out.add(parent)
        parent = system.nodes[parent].parent
    return out


def circular_regressors(system, value: str, x_columns) -> list[str]:
    """The regressors of ``x_columns`` that are parts of ``value`` (see :func:`parts_of`)."""
    parts = parts_of(system, value)
    return [x for x in x_columns if x in parts]


def dataset_report(ds, *, value: str = "total", x_columns=(), hub: str | None = None,
                   permutations: int = 999, seed: int = 12345, weights: str = "queen",
                   zones: bool = True, draws: int = 1000, fdr: bool = False, layer: str = ANALYSIS_LAYER,
                   weights_cache: dict | None = None, covariates=None, weight_column: str | None = None,
                   engine=None):
    """(report, joined GeoDataFrame) for a catalogued dataset on the built-in layer.

    ``weights_cache``: see :func:`geo.analysis.report.build_report` (one dict per dataset
    and layer, kept by a long-running caller such as the viewer). ``covariates``: a
    :class:`cityrank.geo.covariates.Covariates` keyed by code (a table read by
    :func:`cityrank.geo.covariates.covariates_from_table`, or those stored with the dataset)
    whose columns may be regressors (``x_columns``) or the weight of population-weighted
    Theil and Gini (``weight_column``); ``engine`` runs LISA/Gi* on Dask. Regressors that
    are parts of the value (:func:`circular_regressors`) are refused: the report says so, and
    fits no model when none is left. ``hub`` is a code or a name (Chinese or pinyin,
    :func:`resolve_hub`)."""
    from cityrank.geo.analysis.report import build_report, covariate_info, unavailable
    from cityrank.geo.join import join_scores

    allowed = set(analysable_columns(ds))
    cov_cols = list(covariates.names) if covariates is not None else []
    clash = sorted(set(cov_cols) & (allowed | {"code", "name", "province", "region", "rank", "lon", "lat"}))
    if clash:
        raise DataError(f"covariates: column(s) {clash} have the name of a column of the scores; rename them")
    if value not in allowed:
        raise DataError(f"dataset {ds.id}: no indicator {value!r}; choose from {sorted(allowed)}")
    for col in x_columns:
        if col not in allowed and col not in cov_cols:
            raise DataError(f"dataset {ds.id}: no indicator or covariate {col!r}; choose from "
                            f"{sorted(allowed | set(cov_cols))}")
    if hub is not None and not str(hub).isdigit():  # 深圳, Shenzhen (the CLI's --hub takes names too)
        code, problem = resolve_hub(str(hub))
        if problem:
            raise DataError(problem["en"])
        hub = code
    if weight_column is not None and weight_column not in cov_cols:
        raise DataError(f"dataset {ds.id}: the weight {weight_column!r} is not a covariate; covariates: "
                        f"{cov_cols or 'none'}")
    circular = circular_regressors(ds.system, value, x_columns)
    valid = [x for x in x_columns if x not in circular]
    jr = join_scores(ds.scores(), layer=layer, value_column=value)
    gdf = jr.gdf
    if covariates is not None:
        gdf = covariates.join_to(gdf, "code")
    opts = dataset_options(ds, value)
    names = indicator_names(ds)
    names.update({c: {"zh": c, "en": c} for c in cov_cols})
    report = build_report(
        gdf, value, x_columns=tuple(valid), weights=weights, permutations=permutations, seed=seed,
        hub=hub, id_column="code", fdr=fdr, max_value=opts["max_value"], indicators=opts["indicators"],
        zones=zones, draws=draws, synthetic=bool(ds.synthetic),
        title=t("analysis.dataset_title", "en", title=ds.title_en or ds.title, indicator=value),
        indicator_names=names, weights_cache=weights_cache, weight_column=weight_column, engine=engine,
    )
    if circular:
        sp = report["spillover"]
        sp["refused_regressors"] = circular
        if not valid and not report["small_sample"]["small"]:
            listed = {lang: t("findings.word.list_sep", lang).join(names[c][lang] for c in circular)
                      for lang in ("zh", "en")}
            sp["models"] = unavailable("reason.circular", names=listed, value=names.get(value, {}))
            if sp.get("hub", {}).get("status") == "no_regressor":
                sp["hub"]["status"] = "no_model"
            pairs = bilingual_findings(report)
            report["findings"], report["findings_zh"] = [f["en"] for f in pairs], [f["zh"] for f in pairs]
    report["title_zh"] = title_zh(ds, value)
    report["dataset"] = ds.id
    report["value_unit"] = both("analysis.unit_points")
    report["covariates"] = covariate_info(covariates)  # joined here, not by build_report
    report["input_warnings"] = list(ds.warnings) + list(jr.warnings)
    return report, gdf


def resolve_hub(text: str, units=None) -> tuple[str | None, dict | None]:
    """What a planner typed in the hub box -> (6-digit code, None) or (None, message pair).

    Chinese names (full, short, traditional, former), codes (6 or 9 digits) go through the one
    resolver; pinyin is matched on the units' English names, ignoring case, spaces,
    apostrophes and tone marks (``shenzhen``, ``Xi'an``, ``Urumqi`` for Ürümqi). A pinyin
    name shared by several units (Suzhou: 苏州 and 宿州) is refused, naming them."""
    import unicodedata

    from cityrank.errors import UnknownUnitError
    from cityrank.scoring.units import UnitResolver

    text = (text or "").strip()
    if not text:
        return None, None
    resolver = UnitResolver(units) if units is not None else _resolver()
    try:
        return resolver.resolve(text).code, None
    except UnknownUnitError as exc:
        from cityrank.scoring.messages import render

        msg, params = getattr(exc, "msg", None), getattr(exc, "params", {})
        detail = {lang: render(msg, params, lang) if msg else str(exc) for lang in ("zh", "en")}
    units = resolver.units if units is None else units

    def key(s: str) -> str:
        s = unicodedata.normalize("NFKD", str(s)).lower()
        s = "".join(ch for ch in s if ch.isalnum() and not unicodedata.combining(ch))
        for suffix in ("city", "shi"):
            if s.endswith(suffix) and len(s) > len(suffix) + 2:
                s = s[: -len(suffix)]
        return s

    wanted = key(text)
    hits = units[units["name_en"].map(key) == wanted] if wanted else units.iloc[0:0]
    if len(hits) == 1:
        return str(hits["code"].iloc[0]), None
    if len(hits) > 1:
        candidates = ", ".join(f"{n} ({c})" for c, n in zip(hits["code"], hits["name"], strict=True))
        return None, both("report.hub_ambiguous", query=text, candidates=candidates)
    return None, {lang: t("report.hub_not_found", lang, query=text, detail=detail[lang]) for lang in ("zh", "en")}


_RESOLVERS: list = []


def _resolver():
    """One resolver per process (reading the unit table and building its indexes once)."""
    if not _RESOLVERS:
        from cityrank.scoring.units import UnitResolver

        _RESOLVERS.append(UnitResolver())
    return _RESOLVERS[0]
