"""Users' own CSV/XLSX files as in-memory datasets the viewer, API, OGC and embeds can serve.

Policymakers work in Excel, so an upload goes through exactly the code path of the bundled
data (``scoring.pipeline.score_file``: reading, the one unit resolver, the engine); this module
only adds what an upload needs on top: refusing files that are not what they claim, putting
every problem in terms of the *user's* file name (never our temp path), and a bounded,
expiring store so that uploads cannot grow the process without limit. Uploads never touch
disk except a private temp directory that exists only while the file is read.
"""

from __future__ import annotations

import io
import random
import re
import secrets
import tempfile
import threading
import time
import unicodedata
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from cityrank import paths
from cityrank.errors import CityrankError, NotFoundError, ParameterError
from cityrank.jsonsafe import jsonable
from cityrank.scoring.datasets import Dataset
from cityrank.scoring.messages import WHAT_ZH, Notice, notice_of_problem, render_warning
from cityrank.scoring.missing import POLICIES
from cityrank.scoring.problems import Problem, ProblemsError
from cityrank.scoring.readers import is_text

MAX_BYTES = 2 * 1024 * 1024  # web/app.py sets Flask's MAX_CONTENT_LENGTH to this
MAX_XLSX_EXPANDED = 40 * 1024 * 1024  # zip bombs: a real 2 MB workbook expands to far less
STORE_SIZE = 20
STORE_TTL = 6 * 3600  # seconds
ID_PREFIX = "upload-"
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
class UploadedDataset(Dataset):
    """A scored upload; behaves like a catalog :class:`~scoring.datasets.Dataset`."""

    filename: str = ""
    encoding: str | None = None
    sheet: str | None = None
    coverage: dict = field(default_factory=dict)
    created: float = 0.0
    uploaded: bool = True

    def to_dict(self) -> dict:
        out = super().to_dict()
        out.update(uploaded=True, filename=self.filename)
        return out


@dataclass
class UploadOutcome:
    """Either ``dataset`` (success) or ``problems`` (each with file, row, column)."""

    filename: str
    system_id: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)  # str subclass: English line
    coverage: dict = field(default_factory=dict)
    dataset: UploadedDataset | None = None

    @property
    def ok(self) -> bool:
        return self.dataset is not None

    def to_dict(self) -> dict:
        """``warnings`` stay English strings (as before); ``warnings_zh`` and
        ``warning_details`` (kind, params, both messages) sit beside them."""
        out = {"ok": self.ok, "file": self.filename, "system": self.system_id,
               "problems": [jsonable(p.to_dict()) for p in self.problems],
               "warnings": [str(w) for w in self.warnings],
               "warnings_zh": [render_warning(w, "zh") for w in self.warnings],
               "warning_details": [jsonable(_warning_dict(w)) for w in self.warnings],
               "coverage": jsonable(self.coverage)}
        if self.dataset is not None:
            ds = self.dataset
            out.update(id=ds.id, dataset=ds.id, title=ds.title, synthetic=bool(ds.synthetic),
                       source=ds.source, n_units=int(len(ds.scores())), links=links(ds.id))
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
            "ogc": f"/ogc/collections/{dataset_id}/items", "embed": f"/embed/{dataset_id}"}



def process_upload(data: bytes, filename: str, system_id: str, *, encoding: str = "auto",
                   sheet: str | None = None, missing: str = "refuse", resolver=None,
                   seed: int | None = None) -> UploadOutcome:
    """Validate an uploaded file and, when it has no errors, score it into a new dataset.

    Parameter mistakes (unknown system, encoding or policy) raise :class:`ParameterError`;
    everything wrong with the *file* comes back as problems so that a person can fix the
    whole spreadsheet in one pass. ``seed`` makes the dataset id reproducible in tests.
    """
    name = clean_filename(filename)
    if encoding not in ENCODINGS:
        raise ParameterError(f"unknown encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}")
    if missing not in POLICIES:
        raise ParameterError(f"unknown missing-value policy {missing!r}; choose one of "
                             f"{', '.join(POLICIES)}")
    system = load_bundled_system(system_id)
    out = UploadOutcome(name, system.id)
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
    with tempfile.TemporaryDirectory(prefix="cityrank-upload-") as tmp:
        path = Path(tmp) / name  # the user's name: scoring recognises "模拟/simulated" in it
        path.write_bytes(data)
        _score_into(out, path, system, ENCODINGS[encoding], sheet, missing, resolver, seed)
    # In spreadsheet order, so the list reads top to bottom like the file it describes.
    out.problems.sort(key=lambda p: (p.row or 0, str(p.column or "")))
    if len(out.problems) > MAX_PROBLEMS:  # a page of 100,000 rows helps nobody fix a file
        more = len(out.problems) - MAX_PROBLEMS
        out.problems = out.problems[:MAX_PROBLEMS] + [_file_problem(
            out.filename, "more_problems", {"n": more})]
    return out


def _score_into(out: UploadOutcome, path: Path, system, encoding, sheet, missing, resolver,
                seed) -> None:
    from cityrank.scoring.ingest import ingest
    from cityrank.scoring.pipeline import score_file

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
                     resolver=resolver, raise_errors=False)
        out.coverage = {k: v for k, v in res.coverage.items() if not k.startswith("_")}
        if res.errors:
            out.problems = [mine(p) for p in res.errors]
            out.warnings = [my_warning(w) for w in res.warnings]
            out.warnings += [notice_of_problem(mine(p)) for p in res.problems
                             if p.severity != "error"]
            return
        run = score_file(system, path, missing=missing, encoding=encoding, sheet=sheet,
                         resolver=resolver)
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
    out.warnings = [my_warning(w) for w in run.warnings]
    rng = secrets.SystemRandom() if seed is None else random.Random(seed)
    token = "".join(rng.choice("0123456789abcdef") for _ in range(16))
    title = Path(out.filename).stem
    run.scores.attrs["warnings"] = list(out.warnings)
    out.dataset = UploadedDataset(
        id=ID_PREFIX + token, title=title, title_en=title, synthetic=run.synthetic,
        source=f"uploaded by user: {out.filename}", system_ref=str(system.path),
        data_path=Path(out.filename), missing=missing, _system=system, _scores=run.scores,
        _warnings=list(out.warnings), filename=out.filename, encoding=run.ingest.encoding,
        sheet=run.ingest.sheet, coverage=out.coverage, created=time.time())


class UploadStore:
    """Bounded LRU of uploaded datasets that also forgets them after ``ttl`` seconds.

    ``on_evict(dataset_id)`` lets the owner drop derived caches (``Site.forget``: joined
    layers, rendered maps, PNGs, reports, weights); it is called outside the store's lock so it
    may take locks of its own.
    """

    def __init__(self, max_items: int = STORE_SIZE, ttl: float = STORE_TTL,
                 clock: Callable[[], float] = time.monotonic,
                 on_evict: Callable[[str], None] | None = None):
        self.max_items, self.ttl, self.clock, self.on_evict = max_items, ttl, clock, on_evict
        self._items: OrderedDict[str, tuple[float, UploadedDataset]] = OrderedDict()
        self._lock = threading.Lock()

    def _expired(self) -> list[str]:
        now = self.clock()
        gone = [k for k, (t, _) in self._items.items() if now - t > self.ttl]
        for k in gone:
            del self._items[k]
        return gone

    def _evicted(self, gone: list[str]) -> None:
        if self.on_evict:
            for k in gone:
                self.on_evict(k)

    def add(self, ds: UploadedDataset) -> UploadedDataset:
        with self._lock:
            gone = self._expired()
            self._items[ds.id] = (self.clock(), ds)
            while len(self._items) > self.max_items:
                gone.append(self._items.popitem(last=False)[0])
        self._evicted(gone)
        return ds

    def sweep(self) -> list[str]:
        """Forget expired uploads now (and drop what was derived from them)."""
        with self._lock:
            gone = self._expired()
        self._evicted(gone)
        return gone

    def get(self, dataset_id: str) -> UploadedDataset:
        with self._lock:
            gone = self._expired()
            item = self._items.get(dataset_id)
            if item is not None:
                self._items.move_to_end(dataset_id)
        self._evicted(gone)
        if item is None:
            raise NotFoundError(f"unknown or expired uploaded dataset {dataset_id!r}: uploads are "
                                f"kept for {self.ttl / 3600:g} hours (at most {self.max_items}); "
                                "upload the file again")
        return item[1]

    def __contains__(self, dataset_id: str) -> bool:
        with self._lock:
            return dataset_id in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._items)


def is_upload_id(dataset_id: str | None) -> bool:
    return bool(dataset_id) and str(dataset_id).startswith(ID_PREFIX)


def template_bytes(system_id: str) -> bytes:
    """The Excel data-entry template of a bundled system (scoring's writer, via a temp dir)."""
    from cityrank.scoring.template import write_template

    system = load_bundled_system(system_id)
    with tempfile.TemporaryDirectory(prefix="cityrank-template-") as tmp:
        path, _ = write_template(system, Path(tmp) / f"{system_id}-template.xlsx")
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


def upload(site, data: bytes, filename: str, form: dict) -> UploadOutcome:
    """Score an uploaded file (form fields: system, encoding, sheet, missing) and keep the
    dataset in ``site.uploads`` when it has no errors."""
    from cityrank.service.cities import resolver

    outcome = process_upload(
        data, filename, form.get("system") or default_system(site),
        encoding=form.get("encoding") or "auto", sheet=form.get("sheet"),
        missing=form.get("missing") or "refuse", resolver=resolver(site))
    if outcome.ok:
        site.uploads.add(outcome.dataset)
    return outcome


def stored_outcome(site, dataset_id: str) -> UploadOutcome:
    """The outcome of an upload still in the store (its result page); expired -> NotFoundError."""
    ds = site.uploads.get(dataset_id)
    return UploadOutcome(ds.filename, ds.system.id, warnings=ds.warnings, coverage=ds.coverage,
                         dataset=ds)


def form_context(site, values: dict, outcome: UploadOutcome | None = None) -> dict:
    """The upload page: the form's choices and values, and an outcome's details."""
    form = {"system": values.get("system") or default_system(site),
            "encoding": values.get("encoding", "auto"),
            "missing": values.get("missing", "refuse"),
            "sheet": values.get("sheet", "")}
    # Former units (莱芜 -> 济南) are listed first: they change which city a row counts for.
    changes = [w for w in outcome.warnings if getattr(w, "kind", "") == "admin_change"] if outcome else []
    return {"systems": systems(site), "form": form, "encodings": list(ENCODINGS),
            "policies": list(POLICIES), "ttl_hours": site.uploads.ttl / 3600,
            "outcome": outcome, "changes": changes}


def template(site, system_id: str):
    """``/api/v1/systems/<id>/template.xlsx`` as a cacheable result."""
    from cityrank.service.response import representation

    def make():
        return representation(
            template_bytes(system_id),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            cache_control="public, max-age=3600",
            headers=(("Content-Disposition", f'attachment; filename="{system_id}-template.xlsx"'),))

    load_bundled_system(system_id)  # unknown -> ParameterError before anything is cached
    return site.cache.get_or_build(None, "template", system_id, make)
