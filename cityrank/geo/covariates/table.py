"""The :class:`Covariates` table: unit id -> named numeric columns, each with unit and provenance.

Planners explain scores with outside measures (population, GDP density, night-time lights,
built-up area). A covariate is not a score: it has a unit of measurement, a source (a raster
and the zonal statistic taken from it, or a table file), a CRS, a nodata value and a date.
This module keeps those facts beside the numbers so every later use (a regressor in the
spillover models, the weights of population-weighted Theil/Gini, the city page) can say where
a number came from.

Covariates are kept with a dataset in the store (``cityrank covariates --dataset ID``;
:meth:`cityrank.store.Store.put_covariates`, :meth:`Covariates.from_records`), or written as
a *sidecar* next to the user's output, in one of two layouts with the same schema
(``cityrank/covariates/1``):

* GeoPackage ``FILE.gpkg``: layer ``covariates`` (attribute table: ``code`` + one REAL column
  per covariate) and layer ``covariate_columns`` (one row per covariate: the fields of
  :class:`CovariateColumn`, plus ``schema``);
* CSV ``FILE.csv`` (UTF-8 with BOM, so Excel opens it): ``code`` + one column per covariate,
  and ``FILE.columns.csv`` with the per-covariate metadata rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from cityrank.errors import DataError

SCHEMA = "cityrank/covariates/1"
VALUES_LAYER = "covariates"
COLUMNS_LAYER = "covariate_columns"


@dataclass(frozen=True)
class CovariateColumn:
    """Metadata of one covariate column.

    ``kind`` is ``raster`` (zonal statistic ``statistic`` of band ``band`` of ``source``,
    read in ``crs`` with ``nodata`` masked) or ``table`` (column ``statistic`` of the table
    file ``source``). ``unit`` is the unit of measurement as the user gave it (人, 元/km², …).
    """

    name: str
    kind: str
    source: str
    statistic: str = ""
    unit: str = ""
    crs: str = ""
    nodata: str = ""
    band: int = 1
    date: str = ""
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Covariates:
    """Covariate values by unit id (``values``: index = id as str, one float column each).

    >>> cov = Covariates(pd.DataFrame({"pop": [1.0, 2.0]}, index=["a", "b"]),
    ...                  {"pop": CovariateColumn("pop", "table", "pop.csv", unit="人")})
    >>> cov.names, float(cov.values.loc["b", "pop"])
    (['pop'], 2.0)
    """

    values: pd.DataFrame
    columns: dict[str, CovariateColumn]

    def __post_init__(self) -> None:
        self.values = self.values.copy()
        self.values.index = self.values.index.astype(str)
        self.values.index.name = "code"
        if self.values.index.has_duplicates:
            dup = sorted(set(self.values.index[self.values.index.duplicated()]))[:5]
            raise DataError(f"covariates: duplicate unit ids {dup}")
        missing = [c for c in self.values.columns if c not in self.columns]
        extra = [c for c in self.columns if c not in self.values.columns]
        if missing or extra:
            raise DataError(f"covariates: columns without metadata {missing}, metadata without "
                            f"columns {extra}")
        for c in self.values.columns:
            self.values[c] = pd.to_numeric(self.values[c], errors="raise").astype(float)

    @property
    def names(self) -> list[str]:
        return list(self.values.columns)

    def merge(self, other: Covariates) -> Covariates:
        """Both tables side by side (outer join on the id); a name in both is an error."""
        clash = sorted(set(self.names) & set(other.names))
        if clash:
            raise DataError(f"covariates: {clash} defined twice; give the new one another --name")
        values = self.values.join(other.values, how="outer")
        return Covariates(values, {**self.columns, **other.columns})

    def join_to(self, frame: pd.DataFrame, id_column: str = "code") -> pd.DataFrame:
        """``frame`` with the covariate columns added by ``id_column`` (ids as str).

        A covariate name that is already a column of ``frame`` is an error, not a silent
        overwrite of the user's data.
        """
        if id_column not in frame.columns:
            raise DataError(f"covariates: the layer has no id column {id_column!r}")
        clash = [c for c in self.names if c in frame.columns]
        if clash:
            raise DataError(f"covariates: {clash} are already columns of the layer; rename them")
        ids = frame[id_column].astype(str)
        out = frame.copy()
        for c in self.names:
            out[c] = ids.map(self.values[c]).to_numpy(dtype=float)
        return out

    def metadata(self) -> list[dict]:
        return [self.columns[c].to_dict() for c in self.names]

    @classmethod
    def from_records(cls, values: pd.DataFrame, records: list[dict], where: str = "store") -> Covariates:
        """Covariates from a values table (index = unit code) and one provenance dict per
        column, as :meth:`cityrank.store.Store.load_covariates` gives them (extra keys such as
        ``revision`` are ignored here)."""
        cols = {}
        for row in records:
            c = _column_from_row(row, where)
            cols[c.name] = c
        return cls(values, cols)

    def to_frame(self) -> pd.DataFrame:
        """``code`` + one column per covariate (the sidecar's values table)."""
        return self.values.reset_index()

    # --- sidecar IO ------------------------------------------------------------------------

    def write(self, path: str | Path) -> Path:
        """Write the sidecar (``.gpkg`` or ``.csv``, see the module docstring), atomically."""
        from cityrank.atomic import atomic_write

        path = Path(path)
        meta = pd.DataFrame(self.metadata())
        meta.insert(0, "schema", SCHEMA)
        suffix = path.suffix.lower()
        if suffix == ".gpkg":
            import pyogrio

            def writer(tmp: Path) -> None:
                tmp.unlink(missing_ok=True)
                pyogrio.write_dataframe(self.to_frame(), tmp, layer=VALUES_LAYER, driver="GPKG")
                pyogrio.write_dataframe(meta, tmp, layer=COLUMNS_LAYER, driver="GPKG", append=True)

            return atomic_write(path, writer)
        if suffix == ".csv":
            meta_path = columns_path(path)
            atomic_write(meta_path, lambda tmp: meta.to_csv(tmp, index=False, encoding="utf-8-sig"))
            return atomic_write(path, lambda tmp: self.to_frame().to_csv(tmp, index=False,
                                                                          encoding="utf-8-sig"))
        raise DataError(f"{path}: covariates are stored as .gpkg or .csv, not {suffix or 'no suffix'}")


def columns_path(csv_path: str | Path) -> Path:
    """The metadata file beside a CSV sidecar: ``x.csv`` -> ``x.columns.csv``."""
    p = Path(csv_path)
    return p.with_name(p.stem + ".columns.csv")


def _column_from_row(row: dict, where: str) -> CovariateColumn:
    known = {f.name for f in fields(CovariateColumn)}
    kwargs = {k: ("" if v is None or (isinstance(v, float) and np.isnan(v)) else v)
              for k, v in row.items() if k in known}
    if not kwargs.get("name"):
        raise DataError(f"{where}: a covariate row has no name")
    kwargs["band"] = int(kwargs.get("band") or 1)
    for k in ("name", "kind", "source", "statistic", "unit", "crs", "nodata", "date", "note"):
        if k in kwargs:
            kwargs[k] = str(kwargs[k])
    return CovariateColumn(**kwargs)


def read_covariates(path: str | Path) -> Covariates:
    """Read a sidecar written by :meth:`Covariates.write`."""
    path = Path(path)
    if not path.exists():
        from cityrank.errors import NotFoundError

        raise NotFoundError(f"{path}: covariates file not found")
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        import pyogrio

        layers = {str(n) for n, _ in pyogrio.list_layers(path)}
        if not {VALUES_LAYER, COLUMNS_LAYER} <= layers:
            raise DataError(f"{path}: not a covariates GeoPackage (needs layers {VALUES_LAYER!r} and "
                            f"{COLUMNS_LAYER!r}; has {sorted(layers)})")
        values = pyogrio.read_dataframe(path, layer=VALUES_LAYER)
        meta = pyogrio.read_dataframe(path, layer=COLUMNS_LAYER)
    elif suffix == ".csv":
        mp = columns_path(path)
        if not mp.exists():
            raise DataError(f"{path}: the metadata file {mp.name} is missing")
        values = pd.read_csv(path, dtype={"code": str}, encoding="utf-8-sig")
        meta = pd.read_csv(mp, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        raise DataError(f"{path}: covariates are stored as .gpkg or .csv")
    if "schema" in meta.columns and not (meta["schema"] == SCHEMA).all():
        raise DataError(f"{path}: unknown covariates schema {sorted(set(meta['schema']))}; expected {SCHEMA}")
    if "code" not in values.columns:
        raise DataError(f"{path}: the covariates table has no 'code' column")
    cols = {}
    for row in meta.to_dict("records"):
        c = _column_from_row(row, str(path))
        cols[c.name] = c
    values["code"] = values["code"].astype(str)
    return Covariates(values.set_index("code"), cols)


def covariates_from_table(path: str | Path, layer="prefecture", *, columns: list[str] | None = None,
                          units: dict[str, str] | str | None = None, encoding: str | None = None,
                          sheet: str | None = None, date: str = "",
                          name: str | None = None) -> tuple[Covariates, list[str]]:
    """Covariates from a CSV/XLSX keyed like data files (code or name columns): the one reader
    of covariate tables (``cityrank covariates --data``, ``cityrank analyze --covariates``, the
    viewer's upload on the analysis page).

    Keys resolve through the one unit resolver (:func:`cityrank.geo.join.join_scores`: codes,
    9-digit codes, names, traditional characters, former units with a warning) against
    ``layer`` (a built-in layer name or a user GeoDataFrame with ``code``). ``columns``
    default to every column that is not a key and holds numbers (a text column -- a note, a
    second name -- is left out); cells are read by the scoring reader's number parser
    (``1,234``, full-width digits; an empty cell or 缺失 is missing). ``units``: the unit of
    measurement of each column, or one for all. ``name`` is how messages name the file (an
    upload kept under a temporary path). Every problem -- a cell that is not a number, a row
    that matches no unit, two rows on one unit -- raises one :class:`DataError` naming file,
    row and column (the first ten of them). Returns the covariates and the join's warnings.
    """
    from cityrank.geo.join import join_scores
    from cityrank.scoring.columns import role
    from cityrank.scoring.numbers import parse_cells
    from cityrank.scoring.readers import read_table

    raw = read_table(path, encoding=encoding, sheet=sheet)
    file = name or str(path)
    frame = raw.frame
    if columns:
        for c in columns:
            if c not in frame.columns:
                raise DataError(f"{file}: no column {c!r}; columns: {list(frame.columns)}")
    candidates = list(columns) if columns else [c for c in frame.columns if role(str(c)) is None]
    parsed = {}
    for c in candidates:
        nums, kind = parse_cells(frame[c])
        parsed[c] = (nums, kind, (kind != "").to_numpy())
    # a text column (a note, a second name) is not a covariate -- unless the table has no
    # column of numbers at all, when its cells are what is wrong
    text = {c for c, (_, _, bad) in parsed.items() if not columns and bad.all()}
    if text == set(parsed):
        text = set()
    messages: list[str] = []
    numeric = {}
    for c, (nums, kind, bad) in parsed.items():
        if c in text:
            continue
        for k in np.flatnonzero(bad)[:5]:
            messages.append(f"{file}, row {k + 2}, column {c!r}: {frame[c].iloc[k]!r} is not a number "
                            f"({kind.iat[k]})")
        numeric[str(c)] = nums
    wanted = list(numeric)
    if not wanted:
        raise DataError(f"{file}: no covariate columns besides the key columns")
    table = frame.copy()
    for c, vals in numeric.items():
        table[c] = vals
    jr = join_scores(table, layer=layer, universe_types=None, value_column=None, source=file)
    for r in jr.unmatched.itertuples(index=False):
        messages.append(f"{file}, row {int(r.source_row)}: {r.problem}")
    if messages:
        more = f" (and {len(messages) - 10} more)" if len(messages) > 10 else ""
        raise DataError("; ".join(messages[:10]) + more)
    if isinstance(units, str):
        units = dict.fromkeys(wanted, units)
    matched = jr.gdf[jr.gdf["match_method"].notna()]
    values = pd.DataFrame({c: matched[c].to_numpy(dtype=float) for c in wanted},
                          index=matched["code"].astype(str))
    meta = {c: CovariateColumn(name=c, kind="table", source=Path(file).name if name else file,
                               statistic=c, unit=(units or {}).get(c, ""), date=date,
                               note=f"encoding {raw.encoding}" if raw.encoding else (
                                   f"sheet {raw.sheet}" if raw.sheet else ""))
            for c in wanted}
    return Covariates(values, meta), list(jr.warnings)
