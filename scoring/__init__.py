"""Scoring core: indicator systems, ingestion, normalisation, aggregation, ranks, summaries.

Knows nothing of ``geo`` or ``web``. The usual entry points, importable from here::

    from scoring import load_system, score_file, load_catalog, UnitResolver, summarise

Problems and warnings render in simplified Chinese or English (``problem.render("zh")``,
``render_warning(w, "zh")``); the wording lives in :mod:`scoring.messages`.
"""

from importlib import import_module

_EXPORTS = {
    "load_system": "scoring.system",
    "IndicatorSystem": "scoring.system",
    "ingest": "scoring.ingest",
    "score": "scoring.engine",
    "score_file": "scoring.pipeline",
    "summarise": "scoring.summary",
    "load_catalog": "scoring.datasets",
    "UnitResolver": "scoring.units",
    "load_units": "scoring.units",
    "normalise_name": "scoring.units",
    "write_scores": "scoring.export",
    "write_template": "scoring.template",
    "Problem": "scoring.problems",
    "Notice": "scoring.messages",
    "render_warning": "scoring.messages",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    # Lazy, so ``import scoring.units`` (used by geo joins) does not pull in the whole core.
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")
