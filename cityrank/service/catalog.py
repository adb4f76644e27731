"""What a dataset offers to map and query: its indicators, their labels, the published bins.

Datasets themselves are found by :meth:`cityrank.service.site.Site.dataset`; these functions
take the dataset object and raise :class:`~cityrank.errors.ParameterError` (HTTP 400) for an
indicator the dataset does not have.
"""

from __future__ import annotations

from functools import cache

from cityrank.errors import ParameterError
from cityrank.web import i18n


def total_max(system) -> float:
    """The system's declared total (deduction items have no maximum to add up)."""
    return float(system.total_max)


def indicators(ds) -> list[dict]:
    """Every mappable indicator: the total first, then every node in system order."""
    system = ds.system
    out = [{"id": "total", "name": "总分", "name_en": "Total score", "level": 0,
            "max": total_max(system)}]
    for nid, node in system.nodes.items():
        out.append({"id": nid, "name": node.name, "name_en": node.name_en or nid,
                    "level": node.level, "max": node.max_points, "parent": node.parent})
    return out


def check_indicator(ds, indicator: str | None) -> str:
    """``indicator`` (default ``total``) if the dataset has scores for it."""
    indicator = indicator or "total"
    if indicator != "total" and indicator not in ds.system.nodes:
        raise ParameterError(
            f"unknown indicator {indicator!r} for dataset {ds.id!r}; "
            f"see /api/v1/datasets/{ds.id}/system"
        )
    columns = getattr(ds, "score_columns", None)
    if indicator not in (columns if columns is not None else ds.scores().columns):
        raise ParameterError(f"dataset {ds.id!r} has no scores for indicator {indicator!r}")
    return indicator


def indicator_label(ds, indicator: str, lang: str) -> str:
    if indicator == "total":
        return i18n.t("total", lang)
    return i18n.label(ds.system.nodes[indicator], lang)


def indicator_labels(ds, lang: str) -> dict[str, str]:
    """Indicator id -> name in ``lang`` (total and every node)."""
    return {"total": i18n.t("total", lang)} | {nid: i18n.label(n, lang)
                                                for nid, n in ds.system.nodes.items()}


def published_bins(ds, indicator: str, method: str) -> list[float] | None:
    """Published bands exist for the 100-point total only (geo.classify's defaults)."""
    if method != "published":
        return None
    if indicator != "total" or abs(total_max(ds.system) - 100) > 1e-6:
        raise ParameterError(
            f"published bins exist only for the total score out of 100, not {indicator!r}"
        )
    return None  # geo.classify.PUBLISHED_BINS


# -- the stored catalog: bundled datasets kept in the store, datasets added by hand ---------
_PIPELINE_PARTS = ("scoring", "config")


@cache
def pipeline_version() -> str:
    """sha256 of what turns a file into scores (cityrank's version, the scoring package and
    the config data); a bundled dataset stored under another version is scored again."""
    import hashlib

    import cityrank
    from cityrank import paths

    h = hashlib.sha256(cityrank.__version__.encode())
    for part in _PIPELINE_PARTS:
        for p in sorted((paths.PACKAGE_DIR / part).rglob("*")):
            if p.is_file() and p.suffix in (".py", ".yaml", ".csv"):
                h.update(p.relative_to(paths.PACKAGE_DIR).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def fingerprint(ds) -> str:
    """What a bundled catalog entry's stored form depends on: its file (and sidecar), its
    catalog entry, its system file and :func:`pipeline_version`."""
    import hashlib
    import json
    from pathlib import Path

    h = hashlib.sha256(pipeline_version().encode())
    path = Path(ds.data_path)
    h.update(path.read_bytes())
    meta = path.with_name(path.stem + ".meta.json")
    if meta.exists():
        h.update(meta.read_bytes())
    h.update(json.dumps([ds.id, ds.title, ds.title_en, ds.synthetic, ds.source, ds.source_zh,
                         ds.missing, ds.year, ds.vintage, ds.system_ref], ensure_ascii=False)
             .encode())
    h.update(Path(ds.system.path).read_bytes())
    return h.hexdigest()


def sync_bundled(site, store) -> list[str]:
    """Bring the catalog's datasets into the store; only what changed is scored again (the
    fingerprint), and two workers starting at once store it once. Returns the ids stored."""
    done = []
    for ds in site.catalog.datasets.values():
        fp = fingerprint(ds)
        old = store.find(ds.id)
        if old is not None and old.kind != "bundled":
            continue  # an added dataset of that id stays (``datasets add`` refuses catalog ids)
        if old is not None and old.fingerprint == fp:
            continue
        _store_bundled(store, ds, fp)
        done.append(ds.id)
    return done


def _store_bundled(store, ds, fp: str) -> None:
    from pathlib import Path

    from cityrank.service.uploads import score_table
    from cityrank.store import DatasetRecord

    scored = score_table(ds.data_path, ds.system, missing=ds.missing, synthetic=ds.synthetic,
                         year=ds.year, vintage=ds.vintage)
    record = DatasetRecord(
        id=ds.id, kind="bundled", title=ds.title, title_en=ds.title_en, year=ds.year,
        system_id=ds.system.id, system_ref=ds.system_ref,
        system_yaml=Path(ds.system.path).read_text(encoding="utf-8"), source=ds.source,
        source_zh=ds.source_zh, synthetic=bool(ds.synthetic), vintage=ds.vintage,
        filename=Path(ds.data_path).name, encoding=scored.encoding, sheet=scored.sheet,
        missing=ds.missing, fingerprint=fp, warnings=scored.warnings, coverage=scored.coverage)
    store.put(record, scored.scores, raw=scored.raw, extra=scored.extra, rows=scored.rows,
              replace=True, unless_fingerprint=True)


def add(site, path, system: str, *, dataset_id: str | None = None, title: str | None = None,
        title_en: str | None = None, year: int | None = None, source: str = "",
        source_zh: str = "", synthetic: bool | None = None, note: str = "",
        missing: str = "refuse", encoding: str | None = None, sheet=None,
        replace: bool = False, vintage: str | None = None, decimal: str = "."):
    """``cityrank datasets add``: score a file and keep it as a public dataset (listed beside
    the bundled ones, served by every worker). ``system`` is a bundled id or a YAML file,
    whose text is kept with the dataset."""
    import re
    from pathlib import Path

    from cityrank.errors import ParameterError
    from cityrank.scoring.ingest import is_synthetic_file
    from cityrank.scoring.system import load_system
    from cityrank.service.cities import resolver
    from cityrank.service.uploads import ID_PREFIX, score_table
    from cityrank.store import DatasetRecord

    path = Path(path)
    did = dataset_id or re.sub(r"[^0-9A-Za-z_.-]+", "-", path.stem).strip("-").lower()
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,79}", did or ""):
        raise ParameterError(f"dataset id must be letters, digits, '.', '_' or '-' (at most "
                             f"80), got {did!r}")
    if did.startswith(ID_PREFIX) or did in site.catalog.datasets:
        raise ParameterError(f"dataset id {did!r} is taken by "
                             f"{'uploads' if did.startswith(ID_PREFIX) else 'the catalog'}")
    old = site.store.find(did)
    if old is not None and not replace:
        raise ParameterError(f"dataset {did!r} exists already; add --replace to replace it")
    sys_obj = load_system(system)
    synth = bool(synthetic) if synthetic is not None else is_synthetic_file(path)
    scored = score_table(path, sys_obj, missing=missing, encoding=encoding, sheet=sheet,
                         resolver=resolver(site), synthetic=synth or None, year=year,
                         vintage=vintage, decimal=decimal)
    record = DatasetRecord(
        id=did, kind="added", title=title or path.stem, title_en=title_en or title or path.stem,
        year=year, system_id=sys_obj.id, system_ref=str(system),
        system_yaml=Path(sys_obj.path).read_text(encoding="utf-8"), source=source,
        source_zh=source_zh, synthetic=bool(scored.synthetic), owner_note=note,
        filename=path.name, encoding=scored.encoding, sheet=scored.sheet, missing=missing,
        warnings=scored.warnings, coverage=scored.coverage)
    rec = site.store.put(record, scored.scores, raw=scored.raw, extra=scored.extra,
                         rows=scored.rows, content=path.read_bytes(), replace=replace)
    site.forget(did)
    return rec


def comparable(a, b) -> bool:
    """Two datasets can be compared year on year when they are scored on one indicator
    system (or on systems that declare each other comparable: ``comparable_with`` ids)."""
    sa, sb = a.system, b.system
    if sa.id == sb.id:
        return True
    return sb.id in (getattr(sa, "comparable_with", None) or ()) or \
        sa.id in (getattr(sb, "comparable_with", None) or ())


def years(site, ds) -> list[dict]:
    """The public datasets comparable with ``ds`` that name a year, oldest first: the year
    selector of the map and change pages (``ds`` itself included)."""
    out = [d for d in site.datasets() if d.year is not None and comparable(ds, d)]
    if ds.year is not None and all(d.id != ds.id for d in out):
        out.append(ds)
    return [{"id": d.id, "year": d.year, "synthetic": bool(d.synthetic), "title": d.title,
             "title_en": d.title_en} for d in sorted(out, key=lambda d: (d.year, d.id))]
