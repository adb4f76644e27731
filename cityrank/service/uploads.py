"""Users' own CSV/XLSX files as stored datasets the viewer, API, OGC and embeds can serve.

Policymakers work in Excel, so an upload goes through exactly the code path of the bundled
data (:func:`score_table`, the ONE call of the scoring pipeline for every stored dataset:
uploads, the bundled catalog and ``cityrank datasets add``); this module adds what an upload
needs on top: refusing files that are not what they claim, putting every problem in terms of
the *user's* file name (never our temp path), honest coverage (only rows with data count),
and the bounds of a shared server:

* per-client rate limits and a bounded worker pool (``site.rate``, ``site.pool``: 429/503
  with ``Retry-After``, never a stuck server);
* quotas per client and in total, checked in the transaction that stores the upload
  (:class:`~cityrank.errors.QuotaError`: 429 or 507 with a message in the page's language);
* the dataset is stored whole (metadata, scores, the ingested table, the file) in one
  transaction in the database (:mod:`cityrank.store`), kept until deleted (an expiry,
  ``UploadLimits.ttl``, remains an option); every worker process serves it;
* the file touches the disk only in the private temporary directory under the data
  directory (``site.tmp``), for as long as it is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import random
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from cityrank import paths
from cityrank.errors import AccessError, CityrankError, NotFoundError, ParameterError
from cityrank.jsonsafe import jsonable
from cityrank.scoring.messages import WHAT_ZH, Notice, notice_of_problem, render_warning
from cityrank.scoring.missing import POLICIES
from cityrank.scoring.numbers import DECIMAL_MARKS
from cityrank.scoring.problems import Problem, ProblemsError
from cityrank.scoring.readers import is_text
from cityrank.scoring.vintage import YEARS, parse_vintage, parse_year

MAX_BYTES = 2 * 1024 * 1024  # web/app.py sets Flask's MAX_CONTENT_LENGTH to this
MAX_XLSX_EXPANDED = 40 * 1024 * 1024  # zip bombs: a real 2 MB workbook expands to far less
ID_PREFIX = "upload-"
MAX_TITLE = 120
MAX_PROBLEMS = 500
# Encodings offered in the form; GBK files are read as GB18030, its superset.
ENCODINGS = {"auto": None, "utf-8": "utf-8", "gbk": "gb18030"}
# magic -> (English description, key of its Chinese one in scoring.messages.WHAT_ZH)
_BINARY_MAGIC = {b"PK\x03\x04": ("a ZIP archive (an Excel .xlsx workbook? name it .xlsx)", "zip"),
                 b"\xd0\xcf\x11\xe0": ("a legacy Excel .xls / OLE file (save it as .xlsx or CSV)",
                                       "ole"),
                 b"%PDF": ("a PDF document", "pdf"), b"\x89PNG": ("a PNG image", "png"),
                 b"\xff\xd8\xff": ("a JPEG image", "jpeg"), b"GIF8": ("a GIF image", "gif"),
                 b"\x1f\x8b": ("a gzip archive", "gzip")}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def _check_csv(data: bytes, name: str) -> list[Problem]:
    for magic, (what, key) in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return [_file_problem(name, "not_csv", {"what": what, "what_zh": WHAT_ZH[key]})]
    if not is_text(data):  # NUL bytes, unless a UTF-16/32 byte-order mark explains them
        return [_file_problem(name, "not_csv", msg="not_csv.binary")]
    return []


def _check_xlsx(data: bytes, name: str) -> list[Problem]:
    if not data.startswith(b"PK\x03\x04"):
        return [_file_problem(name, "not_xlsx")]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            expanded = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile as exc:
        return [_file_problem(name, "not_xlsx", {"detail": str(exc)}, msg="not_xlsx.unreadable")]
    if "xl/workbook.xml" not in names:
        return [_file_problem(name, "not_xlsx", msg="not_xlsx.zip")]
    if expanded > MAX_XLSX_EXPANDED:
        return [_file_problem(name, "too_large", {"mb": expanded / 2**20,
                                                  "limit": MAX_XLSX_EXPANDED // 2**20},
                              msg="too_large.expanded")]
    return []


# Extension -> content check: only these two kinds of file are accepted.
CHECKS: dict[str, Callable[[bytes, str], list[Problem]]] = {".csv": _check_csv, ".xlsx": _check_xlsx}


def _file_problem(name: str, kind: str, params: dict | None = None,
                  msg: str | None = None) -> Problem:
    """A problem of the whole file, worded by the catalogue of :mod:`scoring.messages`."""
    return Problem.make(name, None, None, kind, params, msg=msg)


def clean_filename(filename: str | None) -> str:
    """The base name a person recognises (Chinese kept), with path parts and control or shell
    characters removed; it names problems, the dataset title and the temp file."""
    base = unicodedata.normalize("NFC", str(filename or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip()
    stem, dot, ext = base.rpartition(".")
    if not (dot and 0 < len(ext) <= 5 and ext.strip(" .") == ext):
        stem, ext = base, ""
    stem = stem[:80].strip(" .") or "upload"
    return f"{stem}.{ext}" if ext else stem


def bundled_systems() -> dict[str, Path]:
    """Indicator systems shipped in ``config/indicators`` (id -> file): the only ones an upload
    may name, so a form field can never point the loader at an arbitrary path."""
    return {p.stem: p for p in sorted(paths.INDICATORS_DIR.glob("*.yaml"))}


def load_bundled_system(system_id: str):
    from cityrank.scoring.system import load_system

    known = bundled_systems()
    if system_id not in known:
        raise ParameterError(f"unknown indicator system {system_id!r}; known: {', '.join(known)}")
    return load_system(known[system_id])


@dataclass
class Scored:
    """What :func:`score_table` gives the store: the scores table, the ingested table before
    any filling (``raw``), published extras, spreadsheet rows, warnings, honest coverage."""

    system: object
    scores: pd.DataFrame
    raw: pd.DataFrame
    extra: pd.DataFrame
    rows: dict[str, int]
    warnings: list
    coverage: dict
    encoding: str | None
    sheet: str | None
    synthetic: bool


def score_table(path: str | Path, system, *, encoding: str | None = None, sheet=None,
                missing: str = "refuse", resolver=None, synthetic: bool | None = None,
                year: int | None = None, vintage: str | None = None, decimal: str = ".") -> Scored:
    """THE call from a file to a stored dataset's scores, for uploads, the bundled catalog
    (:func:`cityrank.service.catalog.sync_bundled`) and ``cityrank datasets add``.

    Raises :class:`~cityrank.scoring.problems.ProblemsError` when the file has errors.
    ``year``/``vintage`` name the city list to score on (``scoring.vintage.choose``: the list of
    the end of the year before the data's year, unless a vintage is named); ``decimal`` is the
    file's decimal mark.
    """
    from cityrank.scoring.pipeline import score_file

    run = score_file(system, path, missing=missing, encoding=encoding, sheet=sheet,
                     resolver=resolver, synthetic=synthetic, year=year, vintage=vintage,
                     decimal=decimal)
    ing = run.ingest
    raw = ing.raw if ing.raw is not None else ing.data
    return Scored(run.system, run.scores, raw, ing.extra, dict(ing.rows), list(run.warnings),
                  honest_coverage(ing.coverage, raw), ing.encoding, ing.sheet, run.synthetic)


def honest_coverage(coverage: dict, raw: pd.DataFrame | None) -> dict:
    """The coverage box counts only rows with data: a pre-filled template row left blank is
    not a unit with data (``n_units``), nor present in the universe; ``n_rows`` and
    ``n_blank`` say how many rows there were and how many had no value at all."""
    out = {k: v for k, v in (coverage or {}).items() if not str(k).startswith("_")}
    if raw is None:
        return out
    values = raw.select_dtypes("number") if len(raw.columns) else raw
    has = values.notna().any(axis=1) if len(values.columns) else pd.Series(False, index=raw.index)
    blank = [str(c) for c in raw.index[~has.to_numpy()]]
    skipped = int(out.get("not_evaluated") or 0)  # rows ingest set aside as not evaluated
    out["n_rows"] = int(len(raw)) + skipped
    out["n_units"] = int(has.sum())
    out["n_blank"] = len(blank) + skipped
    uni = out.get("universe")
    if isinstance(uni, dict) and uni.get("size"):
        outside = set(map(str, uni.get("outside") or ()))
        present = int(uni.get("present") or 0) - sum(1 for c in blank if c not in outside)
        out["universe"] = {**uni, "present": present, "share": present / uni["size"]}
    return out


@dataclass
class UploadOutcome:
    """Either ``dataset`` (success) or ``problems`` (each with file, row and column)."""

    filename: str
    system_id: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)  # str subclass: English line
    coverage: dict = field(default_factory=dict)
    dataset: object | None = None  # a StoredDataset (stored once :func:`upload` kept it)
    scored: Scored | None = field(default=None, repr=False)
    year: int | None = None
    delete_token: str | None = None  # given once, to the uploader

    @property
    def ok(self) -> bool:
        return self.dataset is not None

    def to_dict(self) -> dict:
        """``warnings`` stay English strings (as before); ``warnings_zh`` and
        ``warning_details`` (kind, params, both messages) sit beside them."""
        out = {"ok": self.ok, "file": self.filename, "system": self.system_id, "year": self.year,
               "problems": [jsonable(p.to_dict()) for p in self.problems],
               "warnings": [str(w) for w in self.warnings],
               "warnings_zh": [render_warning(w, "zh") for w in self.warnings],
               "warning_details": [jsonable(_warning_dict(w)) for w in self.warnings],
               "coverage": jsonable(self.coverage)}
        if self.dataset is not None:
            ds = self.dataset
            out.update(id=ds.id, dataset=ds.id, title=ds.title, synthetic=bool(ds.synthetic),
                       source=ds.source, n_units=int(len(ds.scores())), links=links(ds.id),
                       revision=int(ds.revision))
            if ds.record is not None and ds.record.created_at is not None:
                out["created_at"] = ds.record.to_dict()["created_at"]
                out["expires_at"] = ds.record.to_dict()["expires_at"]
            if self.delete_token:
                out["delete_token"] = self.delete_token
            out["summary"] = jsonable(ds.summary())
        return out


def _warning_dict(w) -> dict:
    if isinstance(w, Notice):
        return w.to_dict()
    return {"kind": "text", "params": {}, "file": None, "row": None, "column": None,
            "message": str(w), "message_zh": str(w)}


def links(dataset_id: str) -> dict:
    return {"map": f"/?dataset={dataset_id}", "ranking": f"/ranking?dataset={dataset_id}",
            "result": f"/upload/{dataset_id}", "api": f"/api/v1/datasets/{dataset_id}",
            "scores": f"/api/v1/datasets/{dataset_id}/scores",
            "workbook": f"/api/v1/datasets/{dataset_id}/workbook.xlsx",
            "ogc": f"/ogc/collections/{dataset_id}/items", "embed": f"/embed/{dataset_id}"}


def process_upload(data: bytes, filename: str, system_id: str, *, encoding: str = "auto",
                   sheet: str | None = None, missing: str = "refuse", resolver=None,
                   seed: int | None = None, tmp=None, year: int | None = None,
                   title: str | None = None, vintage: str | None = None,
                   decimal: str = ".") -> UploadOutcome:
    """Validate an uploaded file and, when it has no errors, score it into a new (not yet
    stored) dataset; :func:`upload` stores it.

    ``vintage`` names the city list (a date or ``current``; default: the list of the end of
    the year before ``year``), ``decimal`` the file's decimal mark; validation and scoring
    read the file with the same list and mark.

    Parameter mistakes (unknown system, encoding, policy or decimal mark, a bad year or
    vintage) raise
    :class:`ParameterError`; everything wrong with the *file* comes back as problems so that
    a person can fix the whole spreadsheet in one pass. ``tmp`` is the private temporary
    directory (:class:`cityrank.store.tmp.PrivateTmp`; without one, a private directory of the
    system's, for library use), ``seed`` makes the dataset id reproducible in tests.
    """
    name = clean_filename(filename)
    if encoding not in ENCODINGS:
        raise ParameterError(f"unknown encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}")
    if missing not in POLICIES:
        raise ParameterError(f"unknown missing-value policy {missing!r}; choose one of "
                             f"{', '.join(POLICIES)}")
    if decimal not in DECIMAL_MARKS:
        raise ParameterError(f"unknown decimal mark {decimal!r}; choose one of {' '.join(DECIMAL_MARKS)}")
    vintage = (str(vintage).strip() or None) if vintage is not None else None
    if vintage is not None:
        parse_vintage(vintage)  # a bad date is a parameter mistake, before any reading
    system = load_bundled_system(system_id)
    out = UploadOutcome(name, system.id, year=year)
    ext = Path(name).suffix.lower()
    if ext not in CHECKS:
        accepted = " and ".join(CHECKS)
        out.problems.append(_file_problem(name, "bad_extension", {"accepted": accepted, "ext": ext},
                                          msg=None if ext else "bad_extension.none"))
        return out
    if len(data) > MAX_BYTES:
        out.problems.append(_file_problem(name, "too_large", {"mb": len(data) / 2**20,
                                                              "limit": MAX_BYTES // 2**20}))
        return out
    if not data.strip():
        out.problems.append(_file_problem(name, "empty"))
        return out
    out.problems += CHECKS[ext](data, name)
    if out.problems:
        return out
    sheet = (sheet or "").strip() or None
    # The user's name: scoring recognises "模拟/simulated" in it.
    with _temp_file(tmp, name, data) as path:
        _score_into(out, path, system, ENCODINGS[encoding], sheet, missing, resolver, seed,
                    year, title, vintage, decimal)
    # In spreadsheet order, so the list reads top to bottom like the file it describes.
    out.problems.sort(key=lambda p: (p.row or 0, str(p.column or "")))
    if len(out.problems) > MAX_PROBLEMS:  # a page of 100,000 rows helps nobody fix a file
        more = len(out.problems) - MAX_PROBLEMS
        out.problems = out.problems[:MAX_PROBLEMS] + [_file_problem(
            out.filename, "more_problems", {"n": more})]
    return out


@contextlib.contextmanager
def _temp_dir(tmp):
    """A fresh directory in the private temporary directory ``tmp`` (library use without
    one: a private directory of the system's, removed the same way)."""
    if tmp is not None:
        with tmp.directory() as d:
            yield d
        return
    with tempfile.TemporaryDirectory(prefix="cityrank-") as d:
        yield Path(d)


@contextlib.contextmanager
def _temp_file(tmp, name: str, data: bytes):
    with _temp_dir(tmp) as d:
        path = d / name
        path.write_bytes(data)
        yield path


def _score_into(out: UploadOutcome, path: Path, system, encoding, sheet, missing, resolver,
                seed, year, title, vintage=None, decimal=".") -> None:
    from cityrank.scoring.ingest import ingest

    tmp = str(path)

    def mine(p: Problem) -> Problem:
        params = {k: v.replace(tmp, out.filename) if isinstance(v, str) else v
                  for k, v in p.params.items()}
        return replace(p, file=out.filename, message=p.message.replace(tmp, out.filename),
                       params=params)

    def my_warning(w) -> Notice:
        if not isinstance(w, Notice):
            return Notice(str(w).replace(tmp, out.filename))
        return w.relocated(tmp, out.filename)

    try:
        res = ingest(path, system, encoding=encoding, sheet=sheet, missing=missing,
                     resolver=resolver, raise_errors=False, year=year, vintage=vintage, decimal=decimal)
        out.coverage = honest_coverage(res.coverage, res.raw if res.raw is not None else res.data)
        if res.errors:
            out.problems = [mine(p) for p in res.errors]
            out.warnings = [my_warning(w) for w in res.warnings]
            out.warnings += [notice_of_problem(mine(p)) for p in res.problems
                             if p.severity != "error"]
            return
        scored = score_table(path, system, missing=missing, encoding=encoding, sheet=sheet,
                             resolver=resolver, year=year, vintage=vintage, decimal=decimal)
    except ProblemsError as exc:
        out.problems = [mine(p) for p in exc.problems]
        return
    except CityrankError as exc:  # unreadable CSV, undecodable text, missing sheet, ...
        params = getattr(exc, "params", None)
        if getattr(exc, "msg", None) and params is not None:  # worded by the catalogue
            params = {k: v.replace(tmp, out.filename) if isinstance(v, str) else v
                      for k, v in params.items()}
            out.problems = [_file_problem(out.filename, "unreadable", params, msg=exc.msg)]
        else:
            out.problems = [_file_problem(out.filename, "unreadable",
                                          {"detail": str(exc).replace(tmp, out.filename)})]
        return
    out.warnings = [my_warning(w) for w in scored.warnings]
    scored.warnings = list(out.warnings)
    scored.scores.attrs["warnings"] = list(out.warnings)
    out.coverage = scored.coverage
    out.scored = scored
    out.dataset = _unsaved(out, scored, system, missing, seed, title)
    out.dataset.record.vintage = vintage


def _unsaved(out: UploadOutcome, scored: Scored, system, missing: str, seed, title):
    """The upload as a dataset, before the store keeps it (revision 0)."""
    from cityrank.store.datasets import StoredDataset
    from cityrank.store.repository import DatasetRecord

    rng = secrets.SystemRandom() if seed is None else random.Random(seed)
    token = "".join(rng.choice("0123456789abcdef") for _ in range(16))
    title = (title or "").strip()[:MAX_TITLE] or Path(out.filename).stem
    record = DatasetRecord(
        id=ID_PREFIX + token, kind="upload", title=title, title_en=title, year=out.year,
        system_id=system.id, system_ref=system.id, system_yaml=_system_yaml(system),
        source=f"uploaded by user: {out.filename}", source_zh=f"用户上传：{out.filename}",
        synthetic=bool(scored.synthetic), filename=out.filename, encoding=scored.encoding,
        sheet=scored.sheet, missing=missing, warnings=list(out.warnings),
        coverage=dict(out.coverage))
    return StoredDataset(
        id=record.id, title=title, title_en=title, synthetic=record.synthetic,
        source=record.source, system_ref=system.id, data_path=Path(out.filename),
        missing=missing, source_zh=record.source_zh, year=out.year, _system=system,
        _scores=scored.scores, _warnings=list(out.warnings), kind="upload", revision=0,
        record=record, _raw=(scored.raw, scored.extra, scored.rows))


def _system_yaml(system) -> str | None:
    path = Path(getattr(system, "path", "") or "")
    return path.read_text(encoding="utf-8") if path.is_file() else None


def is_upload_id(dataset_id: str | None) -> bool:
    return bool(dataset_id) and str(dataset_id).startswith(ID_PREFIX)


def template_bytes(system_id: str, tmp=None) -> bytes:
    """The Excel data-entry template of a bundled system (scoring's writer, via the private
    temporary directory)."""
    from cityrank.scoring.template import write_template

    system = load_bundled_system(system_id)
    with _temp_dir(tmp) as d:
        path, _ = write_template(system, d / f"{system_id}-template.xlsx")
        return path.read_bytes()


# -- what the upload pages and API call ------------------------------------------------------
def systems(site) -> list[dict]:
    """The bundled indicator systems an upload may name: id, name, name_en."""
    from cityrank.scoring.system import load_system

    def make():
        return [{"id": sid, "name": (s := load_system(p)).name, "name_en": s.name_en}
                for sid, p in bundled_systems().items()]

    return site.cache.get_or_build(None, "upload_systems", (), make)


def default_system(site) -> str:
    """The default dataset's system (a catalog without a default still allows uploads)."""
    try:
        return site.dataset().system.id
    except CityrankError:
        return next(iter(bundled_systems()), "")


def client_key(address: str | None) -> str:
    """The key quotas and rate limits count by: a hash of the client's address (the address
    itself is not stored)."""
    return hashlib.sha256(f"cityrank-client|{address or '-'}".encode()).hexdigest()[:32]


def quota(site, key: str):
    from cityrank.store import Quota

    lim = site.limits
    return Quota(client=key, per_client=lim.per_client, total=lim.total,
                 total_bytes=lim.total_bytes)


def check_quota(site, key: str) -> None:
    """Refuse before any work when the client's or the server's quota is already reached
    (the storing transaction checks again, atomically)."""
    from cityrank.store.repository import _check_quota

    with site.store.engine.connect() as conn:
        _check_quota(conn, quota(site, key), 0)


def upload(site, data: bytes, filename: str, form: dict, *, client: str | None = None
           ) -> UploadOutcome:
    """Score an uploaded file (form fields: system, year, vintage, title, note, encoding,
    sheet, decimal, missing) and store it when it has no errors.

    Over budget -> :class:`~cityrank.errors.QuotaError` (rate 429, busy 503, quota 429/507);
    nothing is stored then, and nothing is when storing fails.
    """
    from cityrank.service.cities import resolver

    key = client_key(client)
    year = parse_year(form.get("year"))
    site.rate.check(key)
    check_quota(site, key)
    outcome = site.pool.run(
        process_upload, data, filename, form.get("system") or default_system(site),
        encoding=form.get("encoding") or "auto", sheet=form.get("sheet"),
        missing=form.get("missing") or "refuse", resolver=resolver(site), tmp=site.tmp,
        year=year, title=form.get("title"), vintage=form.get("vintage") or None,
        decimal=form.get("decimal") or ".")
    if outcome.ok:
        token = secrets.token_urlsafe(24)
        record = outcome.dataset.record
        record.client = key
        record.delete_token = _hash(token)
        record.owner_note = str(form.get("note") or "")[:2000]
        from cityrank.store.repository import expiry

        record.expires_at = expiry(site.limits.ttl)
        s = outcome.scored
        site.store.put(record, s.scores, raw=s.raw, extra=s.extra, rows=s.rows, content=data,
                       quota=quota(site, key))
        outcome.dataset = site.dataset(record.id)
        outcome.delete_token = token
    return outcome


def _hash(token: str) -> str:
    from cityrank.store.repository import hash_secret

    return hash_secret(token)


def delete(site, dataset_id: str, token: str | None) -> dict:
    """Delete an upload with the token given when it was stored (``delete_token``); the
    derived caches of every worker go with it (their next lookup finds it gone)."""
    if not is_upload_id(dataset_id):
        raise AccessError(f"{dataset_id!r} is not an upload; bundled and added datasets are "
                          "removed with `cityrank datasets delete`")
    record = site.store.find(dataset_id)
    if record is None:
        raise NotFoundError(f"unknown, deleted or expired uploaded dataset {dataset_id!r}")
    if not token or record.delete_token is None or not secrets.compare_digest(
            _hash(token), record.delete_token):
        raise AccessError(f"wrong or missing delete token for {dataset_id!r}")
    site.store.delete(dataset_id)
    site.forget(dataset_id)
    return {"deleted": dataset_id}


def stored_outcome(site, dataset_id: str) -> UploadOutcome:
    """The outcome of a stored upload (its result page); deleted -> NotFoundError."""
    ds = site.dataset(dataset_id)
    if not ds.uploaded:
        raise NotFoundError(f"{dataset_id!r} is not an uploaded dataset")
    return UploadOutcome(ds.filename, ds.system.id, warnings=ds.warnings, coverage=ds.coverage,
                         dataset=ds, year=ds.year)


def form_context(site, values: dict, outcome: UploadOutcome | None = None) -> dict:
    """The upload page: the form's choices and values, and an outcome's details."""
    form = {"system": values.get("system") or default_system(site),
            "year": values.get("year", ""), "title": values.get("title", ""),
            "encoding": values.get("encoding", "auto"),
            "missing": values.get("missing", "refuse"),
            "sheet": values.get("sheet", ""), "decimal": values.get("decimal", "."),
            "vintage": values.get("vintage", "")}
    # Former units (莱芜 -> 济南) are listed first: they change which city a row counts for.
    changes = [w for w in outcome.warnings if getattr(w, "kind", "") == "admin_change"] if outcome else []
    ttl = site.limits.ttl
    return {"systems": systems(site), "form": form, "encodings": list(ENCODINGS),
            "policies": list(POLICIES), "decimals": list(DECIMAL_MARKS), "ttl_hours": ttl / 3600 if ttl else None,
            "per_client": site.limits.per_client, "years": YEARS,
            "outcome": outcome, "changes": changes}


def template(site, system_id: str):
    """``/api/v1/systems/<id>/template.xlsx`` as a cacheable result."""
    from cityrank.service.response import representation

    def make():
        return representation(
            template_bytes(system_id, site.tmp),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            cache_control="public, max-age=3600",
            headers=(("Content-Disposition", f'attachment; filename="{system_id}-template.xlsx"'),))

    load_bundled_system(system_id)  # unknown -> ParameterError before anything is cached
    return site.cache.get_or_build(None, "template", system_id, make)


__all__ = ["UploadOutcome", "Scored", "score_table", "process_upload", "upload",
           "delete", "stored_outcome", "form_context", "template", "links", "is_upload_id"]


def limit_message(exc, lang: str) -> str:
    """A refused upload's message (:class:`~cityrank.errors.QuotaError`) in ``lang``."""
    from cityrank.i18n import t

    if not exc.msg:
        return str(exc)
    return t(exc.msg, lang, **{"seconds": exc.retry_after or 0, **exc.params})
