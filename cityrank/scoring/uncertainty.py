"""Rank intervals: Monte Carlo over the uncertain choices of an index, and Sobol sensitivity.

The OECD-JRC Handbook (2008, step 7) asks that no rank be published without saying how firm
it is. :func:`analyse` perturbs every choice a user declares (:class:`UncertaintyConfig`):
weights around the nominal ones (each sibling share times ``U(1 - p, 1 + p)``, renormalised),
the weighting method, the normalisation, the aggregation, the imputation of gaps and the
indicator left out (none, or one at a time), all at once in every replicate. The nominal
choice of each factor is always one of its levels. Replicates are scored as matrix operations
(:mod:`cityrank.scoring.replicates`), so 1,000 runs of 293 cities take well under a second.
Every random step takes the seed (``numpy.random.default_rng(seed)``; SALib's sampler and
bootstrap get it too): the same seed gives the same intervals, byte for byte.

The contract for the surfaces (web, API, exports, CLI)
------------------------------------------------------
``analyse(...)`` returns an :class:`UncertaintyResult`:

``result.ranks`` — one row per unit, in nominal order (rank, then code), columns
:data:`RANK_COLUMNS`:

- ``code, name, province, region, total`` (nominal), ``rank`` (nominal; ties share the better
  rank, so 宁波 and 佛山 on 60.4 are both 7), ``tied`` (bool), ``tie_group`` (the shared rank,
  <NA> when not tied), ``tied_with`` (codes of the others, comma-separated);
- ``rank_median, rank_mean, rank_p05, rank_p95`` (the 90% interval; p05/p95 are observed
  ranks, ``numpy.quantile(method="inverted_cdf")``), ``interval_width`` (p95 - p05),
  ``p_top10`` (share of runs in the top ``top``; the column is ``p_top<top>``),
  ``p_above_median`` (share of runs with a total above that run's median total);
- ``overlaps_prev, overlaps_next`` (the interval meets the one of the unit just above /
  below in nominal order), ``overlaps`` (either), ``overlap_with`` (their codes);
- ``most_influential`` (the factor with the largest total Sobol index on the unit's rank, ""
  without a Sobol design).

``result.effective`` — the effective weights of the nominal index
(:func:`cityrank.scoring.weighting.effective_weights`);
``result.sensitivity`` — long table ``code, factor, S1, ST`` (None without a Sobol design);
``result.shift`` — ``factor, S1, S1_conf, ST, ST_conf`` for the average rank shift;
``result.key`` — a stable cache key of (system, data, nominal missing policy, config);
``result.to_json()`` — one JSON-safe dict::

    {"key", "system", "synthetic", "n", "runs", "seed", "top",
     "config": {...}, "choices": {"weighting": [...], "normalisation": [...],
       "aggregation": [...], "imputation": [...], "drop": [...], "weight_perturbation",
       "geometric_offset"},
     "factors": [...], "compensability": {"arithmetic": "full", ...},
     "columns": [...RANK_COLUMNS],
     "units": [{<RANK_COLUMNS>, "tied_with": [codes], "overlap_with": [codes],
                "sobol": {"S1": {factor: x}, "ST": {factor: x}} | null}],
     "average_shift": {"mean": x, "factors": [{factor, S1, S1_conf, ST, ST_conf}]} | null,
     "effective_weights": [{indicator, name, name_en, weight, corr_total, r2_share,
                            variance_share}],
     "timing": {"monte_carlo_s": x, "sobol_s": x | null, "sobol_rows": n | null}}

For a catalogued dataset, :func:`analyse_dataset` runs it from the dataset's file and
:func:`dataset_key` gives the cache key without running anything (file bytes, system, policy,
config), so a cache layer can look up first and build outside its lock.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from cityrank.errors import ConfigError
from cityrank.jsonsafe import jsonable

from .aggregate import COMPENSABILITY
from .missing import POLICIES
from .normalise import METHODS
from .replicates import Model, ranks_of

FILL_POLICIES = tuple(p for p in POLICIES if p != "refuse")
RANK_COLUMNS = ("code", "name", "province", "region", "total", "rank", "tied", "tie_group",
                "tied_with", "rank_median", "rank_mean", "rank_p05", "rank_p95",
                "interval_width", "p_top10", "p_above_median", "overlaps_prev",
                "overlaps_next", "overlaps", "overlap_with", "most_influential")


@dataclass(frozen=True)
class UncertaintyConfig:
    """The declared uncertain choices (also the ``uncertainty:`` section of a system YAML).

    ``imputations=None`` compares every filling policy when the data have gaps (and nothing
    when they have none). ``normalisations`` may name ``nominal`` (each node's own method) and
    any method of :data:`cityrank.scoring.normalise.METHODS`. ``geometric_offset`` is the
    rate shift of the geometric alternative (min-max rates contain zeros by construction;
    the system's own ``scoring.geometric_offset`` wins when set). ``sobol_base`` is the base
    sample of the Sobol design (a power of two; 0 = no Sobol indices).
    """

    runs: int = 1000
    seed: int = 1
    weight_perturbation: float = 0.25
    weightings: tuple[str, ...] = ("published",)
    normalisations: tuple[str, ...] = ("nominal", "minmax", "zscore", "rank")
    aggregations: tuple[str, ...] = ("arithmetic", "geometric", "copeland")
    imputations: tuple[str, ...] | None = None
    drop_indicators: bool = True
    geometric_offset: float = 0.01
    outliers: str = "none"
    sobol_base: int = 0
    top: int = 10

    def __post_init__(self):
        from .outliers import TREATMENTS
        from .weighting import WEIGHTINGS

        def bad(msg):
            raise ConfigError(f"uncertainty: {msg}")

        if not isinstance(self.runs, int) or self.runs < 10:
            bad(f"runs must be an integer of at least 10, got {self.runs!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            bad(f"seed must be a non-negative integer, got {self.seed!r}")
        if not 0 <= float(self.weight_perturbation) < 1:
            bad(f"weight_perturbation must be in [0, 1), got {self.weight_perturbation!r}")
        for name, values, known in (
                ("weightings", self.weightings, tuple(WEIGHTINGS)),
                ("normalisations", self.normalisations, ("nominal", *METHODS)),
                ("aggregations", self.aggregations, tuple(COMPENSABILITY)),
                ("imputations", self.imputations or (), FILL_POLICIES)):
            unknown = [v for v in values if v not in known]
            if unknown:
                bad(f"{name}: unknown {', '.join(map(str, unknown))} (known: "
                    f"{', '.join(known)})")
        if not 0 < float(self.geometric_offset) < 1:
            bad(f"geometric_offset must be in (0, 1), got {self.geometric_offset!r}")
        if self.outliers not in TREATMENTS:
            bad(f"outliers must be one of {', '.join(TREATMENTS)}, got {self.outliers!r}")
        b = self.sobol_base
        if not isinstance(b, int) or b < 0 or (b and b & (b - 1)) or b == 1:
            bad(f"sobol_base must be 0 or a power of two (e.g. 256), got {b!r}")
        if not isinstance(self.top, int) or self.top < 1:
            bad(f"top must be a positive integer, got {self.top!r}")

    @classmethod
    def from_mapping(cls, mapping, where: str = "uncertainty") -> UncertaintyConfig:
        """Build from a YAML/JSON mapping; unknown keys are errors naming ``where``."""
        if mapping is None:
            return cls()
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where}: must be a mapping")
        known = {f.name for f in fields(cls)}
        unknown = set(mapping) - known
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: "
                              f"{', '.join(sorted(known))})")
        kw = {}
        for k, v in mapping.items():
            if k in ("weightings", "normalisations", "aggregations", "imputations"):
                if v is not None and not isinstance(v, list | tuple):
                    raise ConfigError(f"{where}: {k} must be a list")
                v = tuple(v) if v is not None else None
            kw[k] = v
        try:
            return cls(**kw)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {str(exc).removeprefix('uncertainty: ')}") from None

    def replace(self, **changes) -> UncertaintyConfig:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    def key(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))


@dataclass
class UncertaintyResult:
    """What :func:`analyse` returns (see the module docstring for the contract)."""

    ranks: pd.DataFrame
    sensitivity: pd.DataFrame | None
    shift: pd.DataFrame | None
    config: UncertaintyConfig
    choices: dict
    factors: list[str]
    key: str
    system_id: str
    synthetic: bool
    timing: dict = field(default_factory=dict)
    scores: pd.DataFrame | None = None  # the nominal scores table
    effective: pd.DataFrame | None = None  # weighting.effective_weights of the nominal index
    replicate_ranks: np.ndarray | None = None  # runs x units, in the order of ``ranks``

    def to_json(self) -> dict:
        top = self.config.top
        units = []
        sens = {}
        if self.sensitivity is not None:
            for code, grp in self.sensitivity.groupby("code", sort=False):
                sens[code] = {"S1": dict(zip(grp["factor"], grp["S1"], strict=True)),
                              "ST": dict(zip(grp["factor"], grp["ST"], strict=True))}
        for rec in self.ranks.to_dict(orient="records"):
            rec = dict(rec)
            rec["tied_with"] = [c for c in str(rec["tied_with"]).split(",") if c]
            rec["overlap_with"] = [c for c in str(rec["overlap_with"]).split(",") if c]
            rec["sobol"] = sens.get(rec["code"])
            units.append(rec)
        shift = None
        if self.shift is not None:
            shift = {"mean": self.timing.get("mean_shift"),
                     "factors": self.shift.to_dict(orient="records")}
        return jsonable({
            "key": self.key, "system": self.system_id, "synthetic": self.synthetic,
            "n": int(len(self.ranks)), "runs": self.config.runs, "seed": self.config.seed,
            "top": top, "config": self.config.to_dict(), "choices": self.choices,
            "factors": self.factors, "compensability": dict(COMPENSABILITY),
            "columns": list(self.ranks.columns), "units": units, "average_shift": shift,
            "effective_weights": None if self.effective is None
            else self.effective.to_dict(orient="records"),
            "timing": {k: v for k, v in self.timing.items() if k != "mean_shift"},
        })


def _nominal_first(options, nominal) -> list:
    opts = list(dict.fromkeys(options))
    if nominal in opts:
        opts.remove(nominal)
    return [nominal, *opts]


def cache_key(system, data: pd.DataFrame, missing: str | None,
              config: UncertaintyConfig) -> str:
    """sha256 of the system, the data values, the nominal missing policy and the config."""
    h = hashlib.sha256()
    h.update(json.dumps(jsonable(system.to_dict()), sort_keys=True).encode())
    h.update(pd.util.hash_pandas_object(data.reset_index(), index=False).to_numpy().tobytes())
    h.update(json.dumps(list(map(str, data.columns))).encode())
    h.update(str(missing).encode())
    h.update(config.key().encode())
    return h.hexdigest()


def analyse(system, data: pd.DataFrame, *, config: UncertaintyConfig | None = None,
            missing: str | None = None, provinces: pd.Series | None = None,
            units: pd.DataFrame | None = None, synthetic: bool = False,
            extra: pd.DataFrame | None = None) -> UncertaintyResult:
    """Monte Carlo rank intervals (and Sobol indices when ``config.sobol_base``).

    ``data`` is indexed by 6-digit code with one column per given node, gaps allowed when
    ``missing`` names the nominal filling policy (then the other filling policies, or
    ``config.imputations``, are the imputation alternatives). ``provinces`` (code ->
    province) serves ``province_mean``; ``units`` gives names as for
    :func:`cityrank.scoring.engine.score`.
    """
    from .engine import score
    from .missing import apply_policy
    from .outliers import treat_given
    from .sensitivity import sobol

    config = config or UncertaintyConfig.from_mapping(system.uncertainty or None)
    provinces = provinces if provinces is not None else _provinces(units)
    has_gaps = bool(data.isna().to_numpy().any())
    if has_gaps and (missing is None or missing == "refuse"):
        raise ConfigError("the data have gaps: name the missing-value policy to score them "
                          f"with (one of {', '.join(FILL_POLICIES)})")
    filled = apply_policy(missing, data, provinces)[0] if has_gaps else data
    if config.outliers != "none":
        filled = treat_given(system, filled, config.outliers)[0]
    offset = system.geometric_offset or config.geometric_offset
    scores = score(system, filled, units=units, synthetic=synthetic, extra=extra)

    imputations = _nominal_first(config.imputations or FILL_POLICIES, missing) \
        if has_gaps else []
    model = Model(system, data,
                  weightings=_nominal_first(config.weightings, system.weighting),
                  normalisations=_nominal_first(config.normalisations, "nominal"),
                  aggregations=_nominal_first(config.aggregations, system.aggregation),
                  imputations=imputations, drop=config.drop_indicators,
                  perturbation=config.weight_perturbation, geometric_offset=offset,
                  provinces=provinces, outliers=config.outliers, seed=config.seed)
    order = scores["code"].astype(str).tolist()
    col = {c: i for i, c in enumerate(model.codes)}
    perm = np.array([col[c] for c in order])

    t0 = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    x = rng.random((config.runs, model.dim))
    totals = model.totals(model.decode(x))
    ranks = ranks_of(totals)[:, perm]
    totals = totals[:, perm]
    mc_seconds = time.perf_counter() - t0
    table = _rank_table(scores, ranks, totals, config.top)

    nominal_rank = scores["rank"].to_numpy(dtype=float)
    timing = {"monte_carlo_s": mc_seconds, "sobol_s": None, "sobol_rows": None}
    sens = shift = None
    if config.sobol_base and model.factors:
        inverse = np.empty_like(perm)
        inverse[perm] = np.arange(len(perm))
        res = sobol(model, nominal_rank[inverse], base=config.sobol_base, seed=config.seed)
        sens = res.per_unit.set_index("code").loc[order].reset_index()
        shift = res.shift
        timing.update(sobol_s=res.seconds, sobol_rows=res.rows)
        st = sens.pivot(index="code", columns="factor", values="ST").reindex(order)
        table["most_influential"] = [
            str(row.idxmax()) if row.notna().any() and row.max() > 0 else ""
            for _c, row in st.iterrows()]
    timing["mean_shift"] = float(np.abs(ranks - nominal_rank[None, :]).mean())
    choices = {
        "weighting": model.weightings, "normalisation": model.normalisations,
        "aggregation": model.aggregations,
        "imputation": [p for p in model.imputations if p is not None],
        "drop": [f.levels[1:] for f in model.factors if f.name == "drop"][0]
        if any(f.name == "drop" for f in model.factors) else [],
        "weight_perturbation": model.perturbation, "geometric_offset": offset,
        "outliers": config.outliers,
    }
    from .normalise import given_rates
    from .weighting import effective_weights

    flat = {w["indicator"]: w["weight"] for w in scores.attrs.get("weights", [])}
    rates = given_rates(system, filled)[list(flat)]
    effective = effective_weights(system, rates, flat, total=scores.set_index("code").loc[
        rates.index.astype(str), "total"].to_numpy(dtype=float))
    return UncertaintyResult(
        ranks=table, sensitivity=sens, shift=shift, config=config, choices=choices,
        effective=effective,
        factors=[f.name for f in model.factors],
        key=cache_key(system, data, missing, config), system_id=system.id,
        synthetic=bool(synthetic), timing=timing, scores=scores, replicate_ranks=ranks)


def _provinces(units: pd.DataFrame | None) -> pd.Series:
    if units is None or "province" not in units.columns:
        return pd.Series(dtype=str)
    return units.set_index("code")["province"]


def _rank_table(scores: pd.DataFrame, ranks: np.ndarray, totals: np.ndarray,
                top: int) -> pd.DataFrame:
    """Per-unit statistics of replicate ranks (columns in nominal order)."""
    out = scores[["code", "name", "province", "region", "total", "rank"]].copy()
    out["code"] = out["code"].astype(str)
    out["rank"] = out["rank"].astype(int)
    codes = out["code"].tolist()
    out[["tied", "tie_group", "tied_with"]] = ties(out)
    out["rank_median"] = np.median(ranks, axis=0)
    out["rank_mean"] = ranks.mean(axis=0)
    lo = np.quantile(ranks, 0.05, axis=0, method="inverted_cdf").astype(int)
    hi = np.quantile(ranks, 0.95, axis=0, method="inverted_cdf").astype(int)
    out["rank_p05"], out["rank_p95"] = lo, hi
    out["interval_width"] = hi - lo
    out[f"p_top{top}"] = (ranks <= top).mean(axis=0)
    med = np.median(totals, axis=1, keepdims=True)
    out["p_above_median"] = (np.round(totals - med, 9) > 0).mean(axis=0)
    n = len(out)
    meets = [bool(lo[i] <= hi[i + 1] and lo[i + 1] <= hi[i]) for i in range(n - 1)]
    out["overlaps_prev"] = [False, *meets]
    out["overlaps_next"] = [*meets, False]
    out["overlaps"] = out["overlaps_prev"] | out["overlaps_next"]
    out["overlap_with"] = [
        ",".join(([codes[i - 1]] if i > 0 and meets[i - 1] else [])
                 + ([codes[i + 1]] if i < n - 1 and meets[i] else [])) for i in range(n)]
    out["most_influential"] = ""
    cols = [c if c != "p_top10" else f"p_top{top}" for c in RANK_COLUMNS]
    return out[cols].reset_index(drop=True)


def ties(scores: pd.DataFrame) -> pd.DataFrame:
    """``tied`` (bool), ``tie_group`` (the shared rank, <NA> when not tied) and ``tied_with``
    (codes of the others, comma-separated) of each row of a scores table (``code``, ``total``,
    ``rank``), in its order: equal totals (to 6 decimals, as ``rank_desc``) share a rank.

    >>> t = ties(pd.DataFrame({"code": ["a", "b", "c"], "total": [60.4, 60.4, 59.9],
    ...                        "rank": [1, 1, 3]}))
    >>> t["tied"].tolist(), t["tied_with"].tolist()
    ([True, True, False], ['b', 'a', ''])
    """
    codes = scores["code"].astype(str).tolist()
    total_r = pd.Series(np.round(scores["total"].to_numpy(dtype=float), 6))
    groups = total_r.groupby(total_r.to_numpy()).indices  # equal totals (as rank_desc)
    tied_with = [",".join(codes[j] for j in groups[v] if j != i)
                 for i, v in enumerate(total_r.to_numpy())]
    tied = [bool(t) for t in tied_with]
    return pd.DataFrame({
        "tied": tied,
        "tie_group": pd.array([int(r) if t else pd.NA for r, t in zip(scores["rank"], tied,
                                                                       strict=True)],
                              dtype="Int64"),
        "tied_with": tied_with}, index=scores.index)


def analyse_file(system, data_path, *, config: UncertaintyConfig | None = None,
                 missing: str = "refuse", encoding: str | None = None, sheet=None,
                 resolver=None, synthetic: bool | None = None,
                 **read) -> UncertaintyResult:
    """:func:`analyse` from a data file, validated and read as ``cityrank score`` reads it
    (``read``: ``year``, ``vintage``, ``decimal``, ``limits`` of :func:`scoring.ingest.ingest`)."""
    from .ingest import ingest
    from .system import IndicatorSystem, load_system

    if not isinstance(system, IndicatorSystem):
        system = load_system(system)
    res = ingest(data_path, system, encoding=encoding, sheet=sheet, missing=missing,
                 resolver=resolver, **read)
    raw = res.raw if res.raw is not None else res.data
    return analyse(system, raw, config=config,
                   missing=missing if res.raw is not None else None,
                   units=res.resolver.units,
                   synthetic=res.synthetic if synthetic is None else synthetic,
                   extra=res.extra)


def dataset_key(dataset, config: UncertaintyConfig | None = None) -> str:
    """Cache key of :func:`analyse_dataset` without running it: sha256 of the data file's
    bytes, the system, the dataset's missing policy and the config."""
    config = config or UncertaintyConfig.from_mapping(dataset.system.uncertainty or None)
    h = hashlib.sha256(Path(dataset.data_path).read_bytes())
    h.update(json.dumps(jsonable(dataset.system.to_dict()), sort_keys=True).encode())
    h.update(f"{dataset.missing}|{dataset.synthetic}|{config.key()}".encode())
    return h.hexdigest()


def analyse_dataset(dataset, config: UncertaintyConfig | None = None) -> UncertaintyResult:
    """:func:`analyse_file` for a catalogued dataset (:class:`cityrank.scoring.datasets
    .Dataset`); the web calls this per dataset, cached under :func:`dataset_key`."""
    config = config or UncertaintyConfig.from_mapping(dataset.system.uncertainty or None)
    result = analyse_file(dataset.system, dataset.data_path, config=config,
                          missing=dataset.missing, synthetic=dataset.synthetic)
    result.key = dataset_key(dataset, config)
    return result


def ordinal_en(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``7th``, ``11th``, ``21st``, ``112th`` (English ordinals).

    >>> [ordinal_en(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']
    """
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_label(rank: int, tied: bool, lang: str = "zh") -> str:
    """``第7名`` / ``并列第7名`` (``7`` / ``tied 7th`` in English)."""
    from cityrank.i18n import t

    return t("uncertainty.rank_tied" if tied else "uncertainty.rank", lang, rank=int(rank),
             rank_en=ordinal_en(rank))
