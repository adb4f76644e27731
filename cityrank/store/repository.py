"""The datasets in the database: put (one transaction), find, list, load, delete.

:class:`Store` is the only code that reads or writes the tables of
:mod:`cityrank.store.models`. What it takes and gives is plain: a :class:`DatasetRecord`
(metadata), pandas tables (scores, the ingested raw table) and bytes (the file). Every write
is one transaction: a dataset is stored whole or not at all, and quotas are checked inside
the same transaction that inserts, under the writers' lock, so two uploads racing for the
last free place cannot both win (:mod:`cityrank.store.engine`).

>>> store = Store.open("sqlite://")  # in memory, for the example
>>> import pandas as pd
>>> scores = pd.DataFrame({"code": ["330100"], "name": ["杭州市"], "total": [67.7], "rank": [1]})
>>> rec = store.put(DatasetRecord(id="demo", kind="added", title="示例", system_id="ndrc-2017"),
...                 scores)
>>> rec.revision, store.revision("demo"), store.load_scores("demo")["total"].tolist()
(1, 1, [67.7])
>>> store.delete("demo"), store.revision("demo")
(True, None)
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, or_, select, update

from cityrank.errors import DataError, NotFoundError, QuotaError
from cityrank.scoring.messages import Notice

from . import engine as eng
from .models import KINDS, CovariateRow, DatasetRow, FileRow, RawRow, UnitRow

KEY_COLUMNS = ("code", "name", "province", "region", "total", "rank")
DATASETS = DatasetRow.__table__
COVARIATES = CovariateRow.__table__
COVARIATE_FIELDS = ("name", "kind", "source", "statistic", "unit", "crs", "nodata", "band", "date",
                    "note")
"""The provenance of a covariate (``geo.covariates.CovariateColumn``'s fields), as stored."""


@dataclass
class DatasetRecord:
    """A dataset's metadata (a row of ``datasets``), as the CLI, the API and pages show it."""

    id: str
    kind: str
    title: str
    system_id: str
    title_en: str = ""
    year: int | None = None
    system_ref: str = ""
    system_yaml: str | None = None
    source: str = ""
    source_zh: str = ""
    synthetic: bool = False
    vintage: str | None = None
    owner_note: str = ""
    filename: str = ""
    encoding: str | None = None
    sheet: str | None = None
    missing: str = "refuse"
    client: str | None = None
    delete_token: str | None = None
    fingerprint: str | None = None
    revision: int = 0
    n_units: int = 0
    size_bytes: int = 0
    columns: list = field(default_factory=list)
    raw_columns: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # Notice objects (str subclass)
    coverage: dict = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    expires_at: datetime | None = None

    def to_dict(self) -> dict:
        """JSON-safe metadata (no secrets: the client key and delete token stay inside)."""
        from cityrank.jsonsafe import jsonable

        out = {k: v for k, v in asdict(self).items()
               if k not in ("client", "delete_token", "system_yaml", "attrs", "columns",
                            "raw_columns", "warnings", "fingerprint")}
        for k in ("created_at", "updated_at", "expires_at"):
            out[k] = _iso(getattr(self, k))
        out["warnings"] = [str(w) for w in self.warnings]
        return jsonable(out)


@dataclass
class Quota:
    """Limits an upload must respect, checked in the inserting transaction: at most
    ``per_client`` stored uploads of one client, ``total`` uploads and ``total_bytes`` of
    uploaded files in all."""

    client: str | None = None
    per_client: int | None = None
    total: int | None = None
    total_bytes: int | None = None


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def now() -> datetime:
    return datetime.now(UTC)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# -- (de)serialising tables ----------------------------------------------------------------
def _cell(value):
    """A JSON cell: the one JSON-safe rule (NaN/NA -> null, NumPy scalars -> Python)."""
    from cityrank.jsonsafe import jsonable

    return jsonable(value)


def _notice_json(w) -> list:
    from cityrank.jsonsafe import jsonable

    if isinstance(w, Notice):
        return [str(w), w.kind, jsonable(w.params), w.file, w.row, w.column, bool(w.prefix)]
    return [str(w), "text", {}, None, None, None, False]


def _notice(item) -> Notice:
    text, kind, params, file, row, column, prefix = item
    return Notice(text, kind, params, file, row, column, prefix)


def _attrs_json(attrs: dict) -> dict:
    from cityrank.jsonsafe import jsonable

    return jsonable({k: v for k, v in attrs.items() if k != "warnings"})


class Store:
    """Datasets in one database (see the module doc). Thread-safe: every call uses its own
    connection from the engine's pool."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._revision_sql = f"SELECT revision, expires_at FROM datasets WHERE id = {self._mark}"

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        store = cls(eng.create(url))
        if migrate:
            eng.migrate(store.engine)
        return store

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    # -- reading ---------------------------------------------------------------------------
    def revision(self, dataset_id: str) -> int | None:
        """The dataset's revision, None when it does not exist or has expired: the check
        every lookup makes, so it is one indexed query on a pooled DB-API connection (tens of
        microseconds; SQLAlchemy's statement machinery would cost ten times that)."""
        rows = self._raw(self._revision_sql, (str(dataset_id),))
        row = rows[0] if rows else None
        if row is None:
            return None
        if row[1] is not None and self.find(dataset_id) is None:  # expiring: check properly
            return None
        return int(row[0])

    def get(self, dataset_id: str) -> DatasetRecord:
        with self.engine.connect() as conn:
            row = conn.execute(_select_one(dataset_id)).first()
        if row is None or _expired(row.expires_at):
            raise NotFoundError(f"unknown dataset {dataset_id!r}")
        return _record(row)

    def find(self, dataset_id: str) -> DatasetRecord | None:
        try:
            return self.get(dataset_id)
        except NotFoundError:
            return None

    def records(self, kinds: tuple[str, ...] | None = None, *, system_id: str | None = None,
                include_expired: bool = False) -> list[DatasetRecord]:
        """Metadata of every dataset (of ``kinds``), oldest first."""
        stmt = select(DATASETS).order_by(DatasetRow.created_at, DatasetRow.id)
        if kinds:
            stmt = stmt.where(DatasetRow.kind.in_(kinds))
        if system_id:
            stmt = stmt.where(DatasetRow.system_id == system_id)
        with self.engine.connect() as conn:
            rows = list(conn.execute(stmt))
        return [_record(r) for r in rows if include_expired or not _expired(r.expires_at)]

    def listing(self, kinds: tuple[str, ...]) -> list[tuple[str, str, int]]:
        """(id, kind, revision) of the live datasets of ``kinds``, oldest first: the cheap
        query behind every dataset list (no JSON columns read)."""
        marks = ", ".join([self._mark] * len(kinds))
        rows = self._raw(f"SELECT id, kind, revision, expires_at FROM datasets WHERE kind IN "
                         f"({marks}) ORDER BY created_at, id", tuple(kinds))
        return [(r[0], r[1], int(r[2])) for r in rows
                if r[3] is None or self.find(r[0]) is not None]  # expiring: checked properly

    def _raw(self, sql: str, params: tuple) -> list[tuple]:
        """A read on a pooled DB-API connection (the per-request queries: SQLAlchemy's
        statement machinery costs ten times the query itself)."""
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(sql, params)
            rows = cur.fetchall()
            cur.close()
        finally:
            raw.close()  # back to the pool (which ends the read transaction)
        return rows

    def load_scores(self, dataset_id: str, record: DatasetRecord | None = None) -> pd.DataFrame:
        """The scores table as it was put (columns, order, dtypes, ``attrs``)."""
        record = record or self.get(dataset_id)
        stmt = (select(UnitRow.__table__).where(UnitRow.dataset_id == dataset_id)
                .order_by(UnitRow.position))
        with self.engine.connect() as conn:
            units = list(conn.execute(stmt))
        rows = []
        for u in units:
            row = dict(u.data)
            row.update(code=u.code, name=u.name, province=u.province, region=u.region,
                       total=u.total, rank=u.rank)
            rows.append(row)
        cols = list(record.columns) or list(KEY_COLUMNS)
        df = pd.DataFrame(rows, columns=cols)
        for col, dtype in (record.attrs.get("_dtypes") or {}).items():
            if col in df.columns:
                try:
                    df[col] = df[col].astype(dtype)
                except (TypeError, ValueError):
                    pass  # e.g. an int column with gaps stays float
        df = df.copy()  # one block per dtype: every later copy (one per request) stays cheap
        df.attrs = {k: v for k, v in record.attrs.items() if k != "_dtypes"}
        df.attrs["warnings"] = list(record.warnings)
        return df

    def load_raw(self, dataset_id: str, record: DatasetRecord | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
        """The ingested table before filling (index ``code``, one float column per given
        node), the extra table (published total/rank) and the spreadsheet row of each code."""
        record = record or self.get(dataset_id)
        stmt = select(RawRow.__table__).where(RawRow.dataset_id == dataset_id)
        with self.engine.connect() as conn:
            raw = list(conn.execute(stmt))
        raw.sort(key=lambda r: (r.row if r.row is not None else 10**9, r.code))
        index = pd.Index([r.code for r in raw], name="code")
        cols = list(record.raw_columns)
        data = pd.DataFrame([[r.data.get(c) for c in cols] for r in raw], index=index,
                            columns=cols, dtype=float)
        extra_cols = sorted({k for r in raw for k in r.extra})
        extra = pd.DataFrame([[r.extra.get(c) for c in extra_cols] for r in raw], index=index,
                             columns=extra_cols, dtype=float)
        rows = {r.code: r.row for r in raw if r.row is not None}
        return data, extra, rows

    def load_file(self, dataset_id: str) -> tuple[str, bytes] | None:
        """The uploaded file (name, bytes), None when none was kept."""
        with self.engine.connect() as conn:
            row = conn.execute(select(FileRow.filename, FileRow.content)
                               .where(FileRow.dataset_id == dataset_id)).first()
        return None if row is None else (row.filename, bytes(row.content))

    def count(self, kind: str | None = None, client: str | None = None) -> int:
        with self.engine.connect() as conn:
            return _count(conn, kind, client)

    # -- writing ---------------------------------------------------------------------------
    def put(self, record: DatasetRecord, scores: pd.DataFrame, *, raw: pd.DataFrame | None = None,
            extra: pd.DataFrame | None = None, rows: dict[str, int] | None = None,
            content: bytes | None = None, replace: bool = False, quota: Quota | None = None,
            unless_fingerprint: bool = False) -> DatasetRecord:
        """Store a dataset in one transaction and return it as stored (with its revision).

        ``replace`` replaces an existing dataset of that id (revision + 1) instead of refusing
        it; ``unless_fingerprint`` keeps the stored one when its fingerprint equals
        ``record.fingerprint`` (two workers syncing the same bundled file); ``quota`` is
        checked inside the transaction (:class:`~cityrank.errors.QuotaError` when reached).
        """
        if record.kind not in KINDS:
            raise ValueError(f"unknown dataset kind {record.kind!r}; one of {KINDS}")
        stamp = now()
        values = _row_values(record, scores, raw, content, stamp)
        unit_rows = _unit_rows(record.id, scores)
        raw_rows = _raw_rows(record.id, raw, extra, rows) if raw is not None else []
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            eng.write_lock(conn)
            old = conn.execute(select(DatasetRow.revision, DatasetRow.fingerprint,
                                      DatasetRow.created_at, DatasetRow.expires_at)
                               .where(DatasetRow.id == record.id)).first()
            if old is not None and _expired(old.expires_at):
                _delete(conn, record.id)
                old = None
            kept = []
            if old is not None:
                if unless_fingerprint and old.fingerprint == record.fingerprint:
                    return _record(conn.execute(_select_one(record.id)).first())
                if not replace:
                    raise ValueError(f"dataset {record.id!r} exists already")
                # covariates describe units, not scores: a re-scored dataset keeps them
                kept = [r._asdict() for r in conn.execute(
                    select(COVARIATES).where(CovariateRow.dataset_id == record.id))]
                _delete(conn, record.id)
                values.update(revision=int(old.revision) + 1, created_at=old.created_at)
            if quota is not None:
                _check_quota(conn, quota, values["size_bytes"])
            conn.execute(insert(DATASETS), [values])
            if unit_rows:
                conn.execute(insert(UnitRow.__table__), unit_rows)
            if raw_rows:
                conn.execute(insert(RawRow.__table__), raw_rows)
            if content is not None:
                conn.execute(insert(FileRow.__table__), [{
                    "dataset_id": record.id, "filename": record.filename or record.id,
                    "sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
                    "content": content}])
            if kept:
                conn.execute(insert(COVARIATES), kept)
            return _record(conn.execute(_select_one(record.id)).first())

    # -- covariates ------------------------------------------------------------------------
    def put_covariates(self, dataset_id: str, values: pd.DataFrame, columns: list[dict], *,
                       replace: bool = False) -> DatasetRecord:
        """Store covariates of a dataset's units in one transaction: ``values`` indexed by
        unit code, one numeric column per covariate; ``columns`` one provenance dict per
        column (:data:`COVARIATE_FIELDS`). A name already stored is refused unless
        ``replace``. The dataset's revision goes up (every worker re-derives from it), and
        each covariate keeps the revision it was stored at."""
        meta = {str(c["name"]): c for c in columns}
        names = [str(c) for c in values.columns]
        if sorted(meta) != sorted(names):
            raise ValueError(f"covariates: columns {names} and metadata {sorted(meta)} differ")
        stamp = now()
        codes = [str(c) for c in values.index]
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            eng.write_lock(conn)
            row = conn.execute(select(DatasetRow.revision, DatasetRow.expires_at)
                               .where(DatasetRow.id == dataset_id)).first()
            if row is None or _expired(row.expires_at):
                raise NotFoundError(f"unknown dataset {dataset_id!r}")
            have = {r.name: r.position for r in conn.execute(
                select(CovariateRow.name, CovariateRow.position)
                .where(CovariateRow.dataset_id == dataset_id))}
            clash = sorted(set(names) & set(have))
            if clash and not replace:
                raise DataError(f"dataset {dataset_id!r} has covariate(s) {clash} already; "
                                "give another name or replace them")
            if clash:
                conn.execute(delete(CovariateRow).where(CovariateRow.dataset_id == dataset_id,
                                                        CovariateRow.name.in_(clash)))
            revision = int(row.revision) + 1
            conn.execute(update(DatasetRow).where(DatasetRow.id == dataset_id).values(
                revision=revision, updated_at=stamp))
            start = max(have.values(), default=-1) + 1
            rows = []
            for i, name in enumerate(names):
                col = values[name]
                data = {code: _cell(v) for code, v in zip(codes, col.tolist(), strict=True)}
                m = {k: meta[name].get(k) for k in COVARIATE_FIELDS}
                rows.append({**{k: ("" if v is None else str(v)) for k, v in m.items()
                                if k != "band"}, "band": int(m.get("band") or 1),
                             "dataset_id": dataset_id, "name": name,
                             "position": have.get(name, start + i), "revision": revision,
                             "n_units": sum(v is not None for v in data.values()),
                             "created_at": stamp, "data": data})
            if rows:
                conn.execute(insert(COVARIATES), rows)
            return _record(conn.execute(_select_one(dataset_id)).first())

    def load_covariates(self, dataset_id: str) -> tuple[pd.DataFrame, list[dict]]:
        """(values indexed by code, one float column per covariate in the order stored;
        one dict per covariate: its provenance, ``revision``, ``n_units``, ``created_at``).
        Empty when the dataset has none."""
        stmt = (select(COVARIATES).where(CovariateRow.dataset_id == dataset_id)
                .order_by(CovariateRow.position))
        with self.engine.connect() as conn:
            rows = list(conn.execute(stmt))
        meta = [{**{k: getattr(r, k) for k in COVARIATE_FIELDS}, "revision": int(r.revision),
                 "n_units": int(r.n_units), "created_at": _iso(r.created_at)} for r in rows]
        codes = sorted({c for r in rows for c in r.data})
        values = pd.DataFrame({r.name: [r.data.get(c) for c in codes] for r in rows},
                              index=pd.Index(codes, name="code"), dtype=float)
        return values, meta

    def delete_covariates(self, dataset_id: str, names: list[str] | None = None) -> list[str]:
        """Remove covariates (all when ``names`` is None); returns the names removed. The
        revision goes up when any was."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            eng.write_lock(conn)
            stmt = select(CovariateRow.name).where(CovariateRow.dataset_id == dataset_id)
            if names is not None:
                stmt = stmt.where(CovariateRow.name.in_(list(names)))
            gone = [r.name for r in conn.execute(stmt)]
            if gone:
                conn.execute(delete(CovariateRow).where(CovariateRow.dataset_id == dataset_id,
                                                        CovariateRow.name.in_(gone)))
                conn.execute(update(DatasetRow).where(DatasetRow.id == dataset_id).values(
                    revision=DatasetRow.revision + 1, updated_at=now()))
            return gone

    def update(self, dataset_id: str, **changes) -> DatasetRecord:
        """Change metadata (title, year, owner note, ...); the revision goes up, so every
        worker re-reads it."""
        allowed = {f.name for f in fields(DatasetRecord)} - {"id", "kind", "revision",
                                                               "created_at", "columns"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"cannot update {', '.join(sorted(bad))}")
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            eng.write_lock(conn)
            done = conn.execute(update(DatasetRow).where(DatasetRow.id == dataset_id).values(
                **changes, revision=DatasetRow.revision + 1, updated_at=now()))
            if done.rowcount == 0:
                raise NotFoundError(f"unknown dataset {dataset_id!r}")
            return _record(conn.execute(_select_one(dataset_id)).first())

    def delete(self, dataset_id: str) -> bool:
        """Remove a dataset and everything stored with it; False when there was none."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            eng.write_lock(conn)
            return _delete(conn, dataset_id)

    def sweep(self) -> list[str]:
        """Delete expired datasets; returns their ids."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            eng.write_lock(conn)
            gone = [r.id for r in conn.execute(select(DatasetRow.id).where(
                DatasetRow.expires_at.is_not(None), DatasetRow.expires_at <= now()))]
            for did in gone:
                _delete(conn, did)
            return gone


def _select_one(dataset_id: str):
    return select(DATASETS).where(DatasetRow.id == dataset_id)


def _expired(expires_at: datetime | None) -> bool:
    if expires_at is None:
        return False
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    return expires_at <= now()


def _delete(conn, dataset_id: str) -> bool:
    for model in (CovariateRow, FileRow, RawRow, UnitRow):  # explicit: no reliance on ON DELETE CASCADE
        conn.execute(delete(model).where(model.dataset_id == dataset_id))
    return conn.execute(delete(DatasetRow).where(DatasetRow.id == dataset_id)).rowcount > 0


def _live():
    return or_(DatasetRow.expires_at.is_(None), DatasetRow.expires_at > now())


def _count(conn, kind: str | None, client: str | None) -> int:
    stmt = select(func.count()).select_from(DatasetRow).where(_live())
    if kind:
        stmt = stmt.where(DatasetRow.kind == kind)
    if client:
        stmt = stmt.where(DatasetRow.client == client)
    return int(conn.execute(stmt).scalar_one())


def _check_quota(conn, quota: Quota, size: int) -> None:
    if quota.per_client is not None and quota.client is not None:
        n = _count(conn, "upload", quota.client)
        if n >= quota.per_client:
            raise QuotaError(f"this client keeps {n} uploaded datasets, the most allowed; "
                             "delete one to upload another", status=429,
                             msg="store.quota_client", params={"n": n})
    if quota.total is not None:
        n = _count(conn, "upload", None)
        if n >= quota.total:
            raise QuotaError(f"the server keeps {n} uploaded datasets, the most it allows",
                             status=507, msg="store.quota_total", params={"n": n})
    if quota.total_bytes is not None:
        used = int(conn.execute(select(func.coalesce(func.sum(DatasetRow.size_bytes), 0))
                                .where(DatasetRow.kind == "upload", _live())).scalar_one())
        if used + size > quota.total_bytes:
            raise QuotaError("the storage for uploads is full", status=507,
                             msg="store.quota_bytes",
                             params={"mb": round(quota.total_bytes / 2**20)})


def _row_values(record: DatasetRecord, scores: pd.DataFrame, raw, content, stamp) -> dict:
    values = {f.name: getattr(record, f.name) for f in fields(DatasetRecord)}
    attrs = _attrs_json(dict(scores.attrs))
    attrs["_dtypes"] = {str(c): str(t) for c, t in scores.dtypes.items()}
    values.update(
        revision=1, n_units=int(len(scores)), columns=[str(c) for c in scores.columns],
        raw_columns=[str(c) for c in raw.columns] if raw is not None else [],
        attrs=attrs, warnings=[_notice_json(w) for w in record.warnings],
        size_bytes=len(content) if content is not None else 0,
        created_at=record.created_at or stamp, updated_at=stamp,
        coverage=_coverage_json(record.coverage))
    return values


def _coverage_json(coverage: dict) -> dict:
    from cityrank.jsonsafe import jsonable

    return jsonable({k: v for k, v in (coverage or {}).items() if not str(k).startswith("_")})


def _unit_rows(dataset_id: str, scores: pd.DataFrame) -> list[dict]:
    if "code" not in scores.columns:
        raise ValueError("a scores table needs a 'code' column")
    other = [c for c in scores.columns if c not in KEY_COLUMNS]
    out = []
    for pos, rec in enumerate(_row_dicts(scores)):
        rank = _cell(rec.get("rank"))
        out.append({
            "dataset_id": dataset_id, "code": str(rec["code"]), "position": pos,
            "name": str(_cell(rec.get("name")) or ""), "province": _cell(rec.get("province")),
            "region": _cell(rec.get("region")), "total": _cell(rec.get("total")),
            "rank": None if rank is None else int(rank),
            "data": {str(c): _cell(rec[c]) for c in other}})
    return out


def _raw_rows(dataset_id: str, raw: pd.DataFrame, extra: pd.DataFrame | None,
              rows: dict[str, int] | None) -> list[dict]:
    rows = rows or {}
    extra_rec = {}
    if extra is not None and len(extra.columns):
        extra_rec = {str(k): {str(c): _cell(v) for c, v in r.items()}
                     for k, r in zip(extra.index, _row_dicts(extra), strict=True)}
    return [{"dataset_id": dataset_id, "code": str(code), "row": rows.get(str(code)),
             "data": {str(c): _cell(v) for c, v in vals.items()},
             "extra": extra_rec.get(str(code), {})}
            for code, vals in zip(raw.index, _row_dicts(raw), strict=True)]


def _row_dicts(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts without pandas' per-column copies of ``attrs`` (``to_dict`` deep-copies
    them for every column: a scores table's weights and warnings made that 0.4 s)."""
    cols = [str(c) for c in df.columns]
    return [dict(zip(cols, row, strict=True)) for row in df.to_numpy(dtype=object)]


def _record(row) -> DatasetRecord:
    values = {f.name: getattr(row, f.name) for f in fields(DatasetRecord)}
    values["warnings"] = [_notice(w) for w in (row.warnings or [])]
    for k in ("columns", "raw_columns", "warnings"):
        values[k] = list(values[k] or [])
    values["attrs"] = dict(row.attrs or {})
    values["coverage"] = dict(row.coverage or {})
    return DatasetRecord(**values)


def expiry(ttl_seconds: float | None) -> datetime | None:
    """The ``expires_at`` of a dataset kept ``ttl_seconds`` (None: until deleted)."""
    return None if not ttl_seconds else now() + timedelta(seconds=float(ttl_seconds))
