"""The dataset catalog (``data/datasets.yaml``): named, scored datasets that ``web`` and the
CLI serve by id. A dataset says whether it is synthetic; the flag travels with its scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from cityrank import paths
from cityrank.errors import ConfigError, NotFoundError

from .ingest import is_synthetic_file
from .summary import summarise
from .system import IndicatorSystem, load_system


@dataclass
class Dataset:
    id: str
    title: str
    title_en: str
    synthetic: bool
    source: str
    system_ref: str
    data_path: Path
    missing: str = "refuse"
    source_zh: str = ""  # Chinese source note; ``source`` is the English (or only) one
    year: int | None = None  # the year the data describe (the evaluation round)
    vintage: str | None = None  # the city list it is scored on (default: its year's)
    _system: IndicatorSystem | None = field(default=None, repr=False)
    _scores: pd.DataFrame | None = field(default=None, repr=False)
    _warnings: list[str] = field(default_factory=list, repr=False)

    @property
    def system(self) -> IndicatorSystem:
        if self._system is None:
            ref = Path(self.system_ref)
            if ref.suffix in (".yaml", ".yml") and not ref.is_absolute():
                ref = paths.PACKAGE_DIR / ref
            self._system = load_system(ref)
        return self._system

    def scores(self) -> pd.DataFrame:
        """The scores table (computed once, then cached; callers get a copy)."""
        if self._scores is None:
            from .pipeline import score_file

            run = score_file(self.system, self.data_path, missing=self.missing,
                             synthetic=self.synthetic)
            self._scores = run.scores
            self._warnings = run.warnings
        df = self._scores.copy()
        df.attrs = dict(self._scores.attrs)
        return df

    @property
    def score_columns(self) -> pd.Index:
        """The scores table's columns (an immutable Index), without copying the table: the
        per-request check of an indicator."""
        if self._scores is None:
            self.scores()
        return self._scores.columns

    def summary(self, bins=None) -> dict:
        out = summarise(self.scores(), self.system, bins)
        out["dataset"] = self.id
        out["synthetic"] = self.synthetic
        return out

    def source_in(self, lang: str) -> str:
        """The source note for a page in ``lang`` (zh falls back to ``source`` when no Chinese one)."""
        return self.source_zh if lang == "zh" and self.source_zh else self.source

    @property
    def warnings(self) -> list[str]:
        if self._scores is None:
            self.scores()
        return list(self._warnings)

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "title_en": self.title_en,
                "synthetic": self.synthetic, "source": self.source, "source_zh": self.source_zh,
                "system": self.system.id, "data": self.data_path.name, "year": self.year,
                "vintage": self.vintage}


@dataclass
class Catalog:
    datasets: dict[str, Dataset]
    default_id: str
    path: Path

    def ids(self) -> list[str]:
        return list(self.datasets)

    def get(self, dataset_id: str | None = None) -> Dataset:
        dataset_id = dataset_id or self.default_id
        try:
            return self.datasets[dataset_id]
        except KeyError:
            raise NotFoundError(f"unknown dataset {dataset_id!r}; known: "
                                f"{', '.join(self.datasets)}") from None


def load_catalog(data_dir: str | Path | None = None) -> Catalog:
    """Read ``<data_dir>/datasets.yaml`` (default: the project's ``data/``)."""
    data_dir = Path(data_dir) if data_dir else paths.DATA_DIR
    path = data_dir / "datasets.yaml"
    if not path.exists():
        raise NotFoundError(f"{path}: dataset catalog not found")
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    entries = doc.get("datasets")
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"{path}: 'datasets' must be a non-empty mapping")
    out: dict[str, Dataset] = {}
    for did, spec in entries.items():
        where = f"{path}: dataset {did!r}"
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: must be a mapping")
        for key in ("title", "system", "data", "synthetic"):
            if key not in spec:
                raise ConfigError(f"{where}: missing {key!r}")
        data_path = (data_dir / spec["data"]).resolve()
        if not data_path.exists():
            raise ConfigError(f"{where}: data file {data_path} not found")
        synthetic = spec["synthetic"]
        if not isinstance(synthetic, bool):
            raise ConfigError(f"{where}: synthetic must be true or false")
        if not synthetic and is_synthetic_file(data_path):
            raise ConfigError(f"{where}: the data file says it is synthetic but the catalog "
                              "says synthetic: false")
        year = spec.get("year")
        if year is not None and (not isinstance(year, int) or isinstance(year, bool)
                                 or not 1949 <= year <= 2100):
            raise ConfigError(f"{where}: year must be a four-digit year, got {year!r}")
        out[str(did)] = Dataset(
            id=str(did), title=str(spec["title"]), title_en=str(spec.get("title_en", "")),
            synthetic=synthetic, source=str(spec.get("source", "")),
            system_ref=str(spec["system"]), data_path=data_path,
            missing=str(spec.get("missing", "refuse")), source_zh=str(spec.get("source_zh", "")),
            year=year, vintage=str(spec["vintage"]) if spec.get("vintage") else None)
    default = str(doc.get("default") or next(iter(out)))
    if default not in out:
        raise ConfigError(f"{path}: default dataset {default!r} is not in the catalog")
    return Catalog(out, default, path)
