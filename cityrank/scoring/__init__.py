"""Scoring core: indicator systems, ingestion, normalisation, aggregation, ranks, summaries.

Knows nothing of ``geo`` or ``web``. The usual entry points, importable from here::

    from cityrank.scoring import load_system, score_file, load_catalog, UnitResolver, summarise

Problems and warnings render in simplified Chinese or English (``problem.render("zh")``,
``render_warning(w, "zh")``); the wording lives in :mod:`scoring.messages`.
"""

from importlib import import_module

_EXPORTS = {
    "load_system": "cityrank.scoring.system",
    "IndicatorSystem": "cityrank.scoring.system",
    "ingest": "cityrank.scoring.ingest",
    "score": "cityrank.scoring.engine",
    "score_file": "cityrank.scoring.pipeline",
    "summarise": "cityrank.scoring.summary",
    "load_catalog": "cityrank.scoring.datasets",
    "UnitResolver": "cityrank.scoring.units",
    "load_units": "cityrank.scoring.units",
    "normalise_name": "cityrank.scoring.units",
    "write_scores": "cityrank.scoring.export",
    "write_template": "cityrank.scoring.template",
    "Problem": "cityrank.scoring.problems",
    "Notice": "cityrank.scoring.messages",
    "render_warning": "cityrank.scoring.messages",
    "analyse": "cityrank.scoring.uncertainty",
    "analyse_file": "cityrank.scoring.uncertainty",
    "UncertaintyConfig": "cityrank.scoring.uncertainty",
    "compute_weights": "cityrank.scoring.weighting",
    "city_profile": "cityrank.scoring.profile",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    # Lazy, so ``import scoring.units`` (used by geo joins) does not pull in the whole core.
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")
