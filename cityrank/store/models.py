"""The tables (SQLAlchemy 2 declarative models). The schema is created and changed only by the
Alembic migrations in ``cityrank/store/migrations`` (run at start-up); these classes describe
it for queries, and a test checks that they and the migrations agree.

``datasets``
    One row per dataset: bundled (``data/datasets.yaml``), added (``cityrank datasets add``)
    or uploaded. Metadata (title, year, system, source, synthetic flag, vintage of the city
    list, owner note, file name, created/updated/expiry), how it was read (encoding, sheet,
    missing-value policy), what scoring said (warnings, coverage, the scores table's
    ``attrs``: weights, aggregation, imputed cells) and ``revision``, raised whenever its
    scores are replaced: every worker process compares it on lookup and drops what it
    derived from an older revision.
``dataset_units``
    The scores table, one row per unit: key columns as columns (``total``, ``rank`` are
    queryable), every other column (node scores, score rates, published figures) in ``data``.
``dataset_raw``
    The ingested table before any missing-value policy filled it (one row per unit, node id
    -> value or null, and the spreadsheet row): re-scoring and rank intervals run from it.
``dataset_files``
    The uploaded file itself (at most the upload limit), so a dataset can be read again.
``dataset_covariates``
    Covariates of the dataset's units (``cityrank covariates --dataset``): one row per
    covariate, its provenance (kind raster/table, source, statistic, unit of measurement,
    CRS, nodata, band, date, note), the dataset ``revision`` it was stored at and its values
    in ``data`` (code -> value or null). Storing or removing one raises the dataset's
    revision; re-scoring the dataset (a replace) keeps them: they describe units, not scores.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

KINDS = ("bundled", "added", "upload")
"""bundled: from a datasets.yaml catalog (re-read when its inputs change); added: by
``cityrank datasets add`` (listed publicly); upload: through the web (private, by its id)."""


class Base(DeclarativeBase):
    pass


class DatasetRow(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    system_id: Mapped[str] = mapped_column(String(80), index=True)
    system_ref: Mapped[str] = mapped_column(Text)  # bundled system id or the path it came from
    system_yaml: Mapped[str | None] = mapped_column(Text, nullable=True)  # a system of one's own
    source: Mapped[str] = mapped_column(Text, default="")
    source_zh: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    vintage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    owner_note: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    encoding: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sheet: Mapped[str | None] = mapped_column(String(255), nullable=True)
    missing: Mapped[str] = mapped_column(String(32), default="refuse")
    client: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    delete_token: Mapped[str | None] = mapped_column(String(64), nullable=True)  # sha256 hex
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    n_units: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    columns: Mapped[list] = mapped_column(JSON, default=list)
    raw_columns: Mapped[list] = mapped_column(JSON, default=list)
    attrs: Mapped[dict] = mapped_column(JSON, default=dict)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    coverage: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True,
                                                        index=True)


class UnitRow(Base):
    __tablename__ = "dataset_units"

    dataset_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text, default="")
    province: Mapped[str | None] = mapped_column(Text, nullable=True)
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    total: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_dataset_units_rank", "dataset_id", "rank"),)


class RawRow(Base):
    __tablename__ = "dataset_raw"

    dataset_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    row: Mapped[int | None] = mapped_column(Integer, nullable=True)  # spreadsheet row
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # node id -> value or null
    extra: Mapped[dict] = mapped_column(JSON, default=dict)  # published_total, published_rank


class FileRow(Base):
    __tablename__ = "dataset_files"

    dataset_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class CovariateRow(Base):
    __tablename__ = "dataset_covariates"

    dataset_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # raster | table
    source: Mapped[str] = mapped_column(Text, default="")
    statistic: Mapped[str] = mapped_column(String(40), default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    crs: Mapped[str] = mapped_column(Text, default="")
    nodata: Mapped[str] = mapped_column(String(40), default="")
    band: Mapped[int] = mapped_column(Integer, default=1)
    date: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer)  # the dataset's revision when stored
    n_units: Mapped[int] = mapped_column(Integer, default=0)  # units with a value
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # code -> value or null
