"""Spatial analysis reports of a dataset for the viewer: parameters, the report (JSON), its
maps and chart (PNG) and the page's context, all cached in ``site.cache`` under the dataset.

The computation is :func:`cityrank.geo.analysis.service.dataset_report` (the CLI's code
path); the page is the core's one report template (``geo.analysis.html``). Spatial weights
depend on the analysed units, not the value, so they are cached per dataset across values.
Query parameters: ``value`` (total or an indicator id), ``hub`` (what a planner types: a
Chinese name, pinyin or a code, resolved by :func:`geo.analysis.service.resolve_hub`), ``x``
(regressor, repeatable: a covariate column, or an indicator that is not part of the value),
``cov`` (the key of a covariates table uploaded for this dataset, see :func:`covariates_upload`),
``lang``. Values from the query are validated against the dataset.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from markupsafe import Markup

from cityrank.errors import DataError, NotFoundError
from cityrank.i18n import both
from cityrank.service import catalog, geometry
from cityrank.service.api import cache_control
from cityrank.service.response import IMAGE_CACHE, Result, representation
from cityrank.web import i18n

PERMUTATIONS = 499
"""Permutations for the interactive viewer (shown on the page). 499 gives pseudo p-values
down to 0.002, enough for the 5% and 1% maps, in about half the time of the CLI's 999."""
DRAWS = 1000
SEED = 12345
DEFAULT_HUB = "330100"  # Hangzhou: the reports' example of a city radiating to its neighbours
from cityrank.geo.analysis._common import IMAGE_NAMES  # noqa: E402

COVARIATE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
_COV_KEY = re.compile(r"^[0-9a-f]{16}$")


@dataclass
class Params:
    """The validated query of an analysis page, image or JSON report."""

    ds: object
    value: str
    hub: str | None  # a 6-digit code, or None
    xs: tuple[str, ...]
    cov: str | None = None  # key of an uploaded covariates table
    hub_query: str = ""  # what was typed
    notes: list[dict] = field(default_factory=list)  # {"zh", "en"} messages for the page

    def key(self) -> tuple:
        return (self.value, self.hub, self.xs, self.cov)

    def query(self) -> list[tuple[str, str]]:
        return [("value", self.value), ("hub", self.hub_query if self.hub_query else (self.hub or "")),
                *(("x", x) for x in self.xs), *((("cov", self.cov),) if self.cov else ())]


def covariates(site, ds, key: str | None):
    """The covariates of a report: the table uploaded for ``ds`` under ``key`` (None when it
    has expired), else those stored with the dataset (``cityrank covariates --dataset``),
    else None. Both are :class:`cityrank.geo.covariates.Covariates`."""
    if not key:
        return stored_covariates(site, ds)
    if not _COV_KEY.match(key):
        raise DataError(f"cov must be the 16-hex-digit key of an uploaded covariates table, got {key!r}")
    return site.cache.get(ds.id, "covariates", (key,))


def stored_covariates(site, ds):
    """The covariates stored with the dataset as ``Covariates`` (None when it has none);
    built once per dataset revision."""
    from cityrank.service.covariates import stored

    def build():
        from cityrank.geo.covariates import Covariates

        values, meta = stored(ds)
        return Covariates.from_records(values, meta, where=ds.id) if meta else False

    got = site.cache.get_or_build(ds.id, "covariates_stored", (), build)
    return got or None


def params(site, dataset_id: str | None, args: dict) -> Params:
    """Validated parameters from the URL and query (``x``: str or list)."""
    from cityrank.geo.analysis.service import analysable_columns, resolve_hub

    ds = site.dataset(dataset_id)
    allowed = analysable_columns(ds)
    value = args.get("value", "total")
    if value not in allowed:
        raise NotFoundError(f"dataset {ds.id} has no indicator {value!r}", msg="errors.indicator_unknown",
                            params={"dataset": ds.id, "indicator": value})
    notes: list[dict] = []
    cov = args.get("cov") or None
    table = covariates(site, ds, cov)
    if cov and table is None:
        notes.append(both("report.covariates_expired"))
        cov = None
        table = covariates(site, ds, None)
    cov_cols = list(table.names) if table is not None else []
    raw = args.get("x") or ()
    xs = tuple(dict.fromkeys(x for x in ([raw] if isinstance(raw, str) else raw) if x))
    for x in xs:
        if x not in allowed and x not in cov_cols:
            raise DataError(f"regressor {x!r} is neither an indicator of {ds.id} nor a column of the "
                            "uploaded covariates table")
    hub_query = args.get("hub", DEFAULT_HUB).strip()
    hub, problem = resolve_hub(hub_query)
    if problem:
        notes.append(problem)
    return Params(ds, value, hub, xs, cov, hub_query if hub_query != hub else "", notes)


def report(site, p: Params):
    """``(report, gdf)``, computed on a miss (seconds: PySAL, weights, SKATER)."""
    from cityrank.geo.analysis.service import dataset_report

    perms = int(site.analysis_permutations or PERMUTATIONS)
    draws = int(site.analysis_draws or DRAWS)
    table = covariates(site, p.ds, p.cov)
    return site.cache.get_or_build(p.ds.id, "analysis", (*p.key(), perms, draws), lambda: dataset_report(
        p.ds, value=p.value, x_columns=p.xs, hub=p.hub, permutations=perms, seed=SEED, draws=draws,
        weights_cache=site.cache.mapping(p.ds.id, "weights"), covariates=table))


def report_json(site, dataset_id: str | None, args: dict) -> dict:
    return report(site, params(site, dataset_id, args))[0]


def image(site, dataset_id: str, name: str, args: dict) -> Result:
    """One PNG, drawn when it is first requested (the page's six images are independent)."""
    from cityrank.service.png import RENDER_LOCK

    if name not in IMAGE_NAMES:
        raise NotFoundError(f"no analysis image {name!r}; available: {', '.join(IMAGE_NAMES)}",
                            msg="errors.image_unknown", params={"image": name, "known": ", ".join(IMAGE_NAMES)})
    p = params(site, dataset_id, args)
    lang = i18n.norm_lang(args.get("lang"))

    def make() -> Result | None:
        from cityrank.geo.analysis.html import report_images

        rep, gdf = report(site, p)
        with RENDER_LOCK:
            png = report_images(rep, gdf, id_column="code", only={name}, lang=lang).get(name)
        return None if png is None else representation(png, "image/png",
                                                       cache_control=cache_control(p.ds.id, IMAGE_CACHE))

    result = site.cache.get_or_build(p.ds.id, "analysis_png", (*p.key(), name, lang), make)
    if result is None:
        raise NotFoundError(f"image {name!r} is not available for this report (e.g. no hub or regressor)",
                            msg="errors.image_unavailable", params={"image": name})
    return result


def covariates_upload(site, dataset_id: str, data: bytes, filename: str) -> str:
    """Read an uploaded covariates table (CSV/XLSX keyed like data files), keep it in the
    cache under the dataset and return its key (the ``cov`` query value). Problems raise
    :class:`DataError` naming the file, row and column."""
    from cityrank.geo.covariates import covariates_from_table
    from cityrank.service.uploads import MAX_BYTES, clean_filename

    ds = site.dataset(dataset_id)
    name = clean_filename(filename) or "covariates.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in COVARIATE_SUFFIXES:
        raise DataError(f"{name}: a covariates table must be a CSV or Excel (.xlsx) file")
    if len(data) > MAX_BYTES:
        raise DataError(f"{name}: larger than {MAX_BYTES // 2**20} MB")
    key = hashlib.sha256(data).hexdigest()[:16]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"covariates{suffix}"
        path.write_bytes(data)
        table, _warnings = covariates_from_table(path, "prefecture", name=name)
    site.cache.put(ds.id, "covariates", (key,), table)
    return key


def _hub_options(site) -> list[tuple[str, str]]:
    """(value, label) of every unit for the hub box's list: the Chinese name, then pinyin and
    code, so typing any of them finds it."""
    from cityrank.scoring.units import load_units

    def build():
        units = load_units()
        return [(r.name, f"{r.name_en} · {r.code}") for r in units.itertuples(index=False)]

    return site.cache.get_or_build(None, "hub_options", (), build)


def page_context(site, dataset_id: str | None, args: dict, root: str = "") -> dict:
    """The viewer page: the core template's context plus the form's choices and links."""
    from cityrank.geo.analysis.html import report_context
    from cityrank.geo.analysis.service import analysable_columns, circular_regressors
    from cityrank.service.cities import display_name

    p = params(site, dataset_id, args)
    ds = p.ds
    rep, _ = report(site, p)
    lang = i18n.norm_lang(args.get("lang"))
    q = p.query()
    img_q = urlencode([("lang", lang), *q])
    images = {name: f"{root}/analysis/{ds.id}/{name}.png?{img_q}" for name in IMAGE_NAMES}
    labels = catalog.indicator_labels(ds, lang)
    levels = {"total": 0} | {nid: n.level for nid, n in ds.system.nodes.items()}
    table = covariates(site, ds, p.cov)
    cov_cols = list(table.names) if table is not None else []
    # Regressors offered: the covariates, and the indicators that are not parts of the value.
    circular = set(circular_regressors(ds.system, p.value, analysable_columns(ds)))
    regressors = [(c, c, 0) for c in cov_cols] + [
        (c, labels.get(c, c), levels.get(c, 0)) for c in analysable_columns(ds) if c not in circular]

    def unit(code, name) -> Markup:
        href = f"{root}/city/{code}?" + urlencode({"dataset": ds.id, "lang": lang})
        return Markup('<a href="{}">{}</a>').format(href, display_name(site, code, name, lang))

    def province(name) -> str:
        return geometry.province_name(site, name, lang)

    hub_name = (rep.get("spillover", {}).get("hub") or {}).get("name", "") if p.hub else ""
    cov_info = rep.get("covariates")
    return report_context(rep, lang, images, unit, province) | {
        "ds": ds, "value": p.value, "hub": p.hub, "hub_input": p.hub_query or hub_name or (p.hub or ""),
        "xs": p.xs, "cov": p.cov, "labels": labels,
        "columns": [(c, labels.get(c, c), levels.get(c, 0)) for c in analysable_columns(ds)],
        "regressors": regressors, "hub_options": _hub_options(site),
        "notes": [n[lang] for n in p.notes],
        "covariates_line": i18n.t("report.covariates_loaded", lang, file=cov_info["file"], n=cov_info["n"],
                                  cols=", ".join(cov_info["columns"])) if cov_info else "",
        "json_url": f"{root}/api/v1/datasets/{ds.id}/analysis?{urlencode(q)}",
        "upload_url": f"{root}/analysis/{ds.id}/covariates?" + urlencode([("lang", lang), *q]),
        "layout": "base.html",
    }
