"""A stored dataset as the service layer sees it: a catalog
:class:`~cityrank.scoring.datasets.Dataset` (id, titles, system, ``scores()``, ``summary()``,
``warnings``, synthetic flag) whose scores come from the database, plus what the store knows
(kind, year, vintage, revision, file name, coverage, owner note, dates) and the ingested
table it was scored from (``raw()``), for rank intervals and re-scoring.

The indicator system is the YAML text the dataset was scored with, kept in the database: a
stored dataset reads the same after the package moves or a bundled system is edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from cityrank.scoring.datasets import Dataset
from cityrank.scoring.system import IndicatorSystem, load_system, parse_system

from .repository import DatasetRecord, Store


def system_of(record: DatasetRecord) -> IndicatorSystem:
    """The system a record was scored with (its stored YAML; else the bundled id/path)."""
    if record.system_yaml:
        system = parse_system(yaml.safe_load(record.system_yaml), where=record.system_ref
                              or record.system_id)
        system.path = record.system_ref or record.system_id
        return system
    return load_system(record.system_ref or record.system_id)


@dataclass
class StoredDataset(Dataset):
    """A dataset loaded from the store at one ``revision`` (see the module doc)."""

    kind: str = "upload"
    revision: int = 0
    record: DatasetRecord | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _raw: tuple | None = field(default=None, repr=False)
    _covariates: tuple | None = field(default=None, repr=False)

    @classmethod
    def load(cls, store: Store, record: DatasetRecord,
             data_path: Path | None = None) -> StoredDataset:
        """Read the dataset's scores now (one query), at the record's revision."""
        scores = store.load_scores(record.id, record)
        return cls(
            id=record.id, title=record.title, title_en=record.title_en or record.title,
            synthetic=bool(record.synthetic), source=record.source,
            system_ref=record.system_ref or record.system_id,
            data_path=data_path or Path(record.filename or record.id), missing=record.missing,
            source_zh=record.source_zh, year=record.year, vintage=record.vintage,
            _system=system_of(record), _scores=scores, _warnings=list(record.warnings),
            kind=record.kind, revision=record.revision, record=record, _store=store)

    # -- what uploads used to carry ------------------------------------------------------
    @property
    def uploaded(self) -> bool:
        return self.kind == "upload"

    @property
    def filename(self) -> str:
        return self.record.filename if self.record else ""

    @property
    def encoding(self) -> str | None:
        return self.record.encoding if self.record else None

    @property
    def sheet(self) -> str | None:
        return self.record.sheet if self.record else None

    @property
    def coverage(self) -> dict:
        return dict(self.record.coverage) if self.record else {}

    @property
    def owner_note(self) -> str:
        return self.record.owner_note if self.record else ""

    @property
    def cache_bytes(self) -> int:
        """What it holds, for the derived cache's bound (the scores table dominates)."""
        s = self._scores
        return int(s.memory_usage(deep=True).sum()) + 4096 if s is not None else 4096

    def raw(self) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
        """(ingested table before filling, extra columns, code -> spreadsheet row)."""
        if self._raw is None:
            self._raw = self._store.load_raw(self.id, self.record)
        data, extra, rows = self._raw
        return data.copy(), extra.copy(), dict(rows)

    def covariates(self) -> tuple[pd.DataFrame, list[dict]]:
        """The covariates stored with the dataset (values by code, provenance per column);
        read once per revision (storing covariates raises it)."""
        if self._covariates is None:
            self._covariates = self._store.load_covariates(self.id)
        values, meta = self._covariates
        return values.copy(), [dict(m) for m in meta]

    def to_dict(self) -> dict:
        out = super().to_dict()
        rec = self.record.to_dict() if self.record else {}
        out.update({k: rec.get(k) for k in ("kind", "revision", "n_units", "created_at",
                                              "updated_at", "expires_at", "owner_note")})
        out["uploaded"] = self.uploaded
        if self.uploaded:
            out["filename"] = self.filename
        return out
