"""One call from files to a scores table, used by the CLI, the dataset catalog and ``web``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .engine import score
from .ingest import IngestResult, ingest
from .limits import ReadLimits
from .messages import Notice, notice_of_problem, prefixed
from .missing import imputed_cells
from .published import compare_published
from .system import IndicatorSystem, load_system
from .units import UnitResolver
from .vintage import Vintage


@dataclass
class ScoreRun:
    scores: pd.DataFrame
    system: IndicatorSystem
    ingest: IngestResult
    warnings: list[Notice] = field(default_factory=list)  # str subclass: English line

    @property
    def synthetic(self) -> bool:
        return bool(self.scores.attrs.get("synthetic", False))

    @property
    def not_evaluated(self) -> int:
        """Rows that named a unit but held no value (left blank): neither scored nor errors."""
        return len(self.ingest.not_evaluated)

    @property
    def vintage(self) -> Vintage:
        """The city list the data were scored on."""
        return self.ingest.vintage


def score_file(system: IndicatorSystem | str | Path, data_path: str | Path, *,
               missing: str = "refuse", encoding: str | None = None, sheet=None,
               aggregation: str | None = None, resolver: UnitResolver | None = None,
               synthetic: bool | None = None, weighting: str | None = None,
               weights: dict | None = None,
               geometric_offset: float | None = None, year=None, vintage=None,
               decimal: str = ".", limits: ReadLimits | None = None, engine=None,
               min_units: int = 0) -> ScoreRun:
    """Validate ``data_path`` against the system and score it. Raises
    :class:`scoring.problems.ProblemsError` listing every problem when the data are invalid.

    ``year``/``vintage`` choose the city list (:func:`scoring.vintage.choose`: a 2017 file is
    scored on the end-2016 list, 莱芜 included; ``vintage="current"`` for today's);
    ``decimal`` and ``limits`` are :func:`scoring.ingest.ingest`'s; ``engine`` and
    ``min_units`` score on Dask (:func:`scoring.engine.score`).

    Warnings (system policies, admin changes, coverage, published-table disagreements, rows
    not evaluated, the list used) are returned, never swallowed. The scores table records
    ``attrs["vintage"]`` (``{"vintage", "basis", "year"}``) and ``attrs["not_evaluated"]``."""
    if not isinstance(system, IndicatorSystem):
        system = load_system(system)
    res = ingest(data_path, system, encoding=encoding, sheet=sheet, missing=missing,
                 resolver=resolver, year=year, vintage=vintage, decimal=decimal, limits=limits)
    is_synth = res.synthetic if synthetic is None else synthetic
    scores = score(system, res.data, units=res.resolver.units, synthetic=is_synth,
                   aggregation=aggregation, extra=res.extra, weighting=weighting,
                   weights=weights, geometric_offset=geometric_offset, engine=engine,
                   min_units=min_units)
    scores.attrs["imputed"] = imputed_cells(res.raw, res.data, missing)
    scores.attrs["vintage"] = res.vintage.to_dict()
    scores.attrs["not_evaluated"] = len(res.not_evaluated)
    warnings = [prefixed(system.id, w) for w in system.warnings]
    warnings += res.warnings
    warnings += [notice_of_problem(p) for p in res.problems if p.severity == "warning"]
    warnings += compare_published(scores)
    scores.attrs["warnings"] = list(warnings)
    return ScoreRun(scores, system, res, warnings)
