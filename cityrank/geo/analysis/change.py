"""Two years of one indicator system compared: change per city, rank mobility, convergence and
the regional gap over time.

The national evaluation compares rounds in two ways that this module reproduces on any pair of
datasets: the mean score's change ("the mean rose from 58.03 to 68.16, +17.46%") and each
region's score rate against the national mean in percentage points ("East and Central more than
4 percentage points above the national mean score rate"). On top of that, the field's standard
tools, from the field's libraries:

* rank mobility — Kendall's τ-b of the two years' ranks (:func:`scipy.stats.kendalltau`, and
  giddy's :class:`giddy.rank.Tau`, which must agree), giddy's :class:`~giddy.rank.SpatialTau`
  (τ over pairs of neighbouring cities only, with a permutation p-value: do neighbours swap
  places more than cities in general?) and giddy's :class:`~giddy.markov.Spatial_Markov`
  (transitions between quintiles of the relative score, conditioned on the neighbours'
  quintile; χ² test of whether the neighbourhood matters);
* σ-convergence — the standard deviation and the coefficient of variation (差异系数, as the
  reports use it) of the totals in each year: are the gaps between cities closing?
* β-convergence — the regression of the annual growth rate ``ln(y_to / y_from) / Δt`` on
  ``ln(y_from)`` (:func:`scipy.stats.linregress`); β < 0 means lower scorers catch up, with a
  speed ``λ = -ln(1 + βΔt) / Δt`` and a half-life ``ln 2 / λ``;
* the regional gap — each region's mean score rate, its distance from the national mean and the
  spread between the highest and the lowest region, in each year.

Cities present in one year only are listed, never dropped silently; everything is computed over
the cities present in both.

>>> import pandas as pd
>>> a = pd.DataFrame({"code": list("abcd"), "total": [40.0, 50, 60, 70], "rank": [4, 3, 2, 1]})
>>> b = pd.DataFrame({"code": list("abcd"), "total": [52.0, 55, 63, 72], "rank": [4, 3, 2, 1]})
>>> r = compare(a, b, year_from=2017, year_to=2019)
>>> r.stats["mobility"]["kendall_tau"], r.stats["sigma"]["converging"], r.stats["beta"]["beta"] < 0
(1.0, True, True)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cityrank.i18n import t
from cityrank.jsonsafe import jsonable, num

KEYS = ("code", "name", "province", "region")
MARKOV_CLASSES = 5  # quintiles of the relative score, as giddy's examples use
REGION_ORDER = ("East", "Central", "West", "Northeast")


@dataclass
class ChangeResult:
    """``table`` (one row per city in both years) and ``stats`` (JSON-safe figures)."""

    table: pd.DataFrame
    stats: dict
    findings: dict = field(default_factory=dict)  # lang -> list of sentences

    def to_json(self) -> dict:
        rows = jsonable(self.table.to_dict(orient="records"))
        return jsonable({**self.stats, "columns": list(self.table.columns), "units": rows,
                         "findings": self.findings.get("en", []),
                         "findings_zh": self.findings.get("zh", [])})


def change_table(a: pd.DataFrame, b: pd.DataFrame, columns=()) -> tuple[pd.DataFrame, list, list]:
    """Cities in both years with totals, ranks and their changes (``rank_change`` > 0 = moved
    up), plus ``change_<col>`` for each of ``columns``; and the codes only in ``a`` / ``b``."""
    a = a.assign(code=a["code"].astype(str)).set_index("code")
    b = b.assign(code=b["code"].astype(str)).set_index("code")
    both = [c for c in b.index if c in a.index]
    only_a = [c for c in a.index if c not in b.index]
    only_b = [c for c in b.index if c not in a.index]
    out = pd.DataFrame(index=pd.Index(both, name="code"))
    for k in KEYS[1:]:
        if k in b.columns or k in a.columns:
            src = b[k] if k in b.columns else a[k]
            out[k] = src.reindex(both).astype(object).where(src.reindex(both).notna(), None)
    ta, tb = a.loc[both, "total"].astype(float), b.loc[both, "total"].astype(float)
    out["total_from"], out["total_to"] = ta.to_numpy(), tb.to_numpy()
    out["change"] = (tb - ta).to_numpy()
    out["change_pct"] = np.where(ta.to_numpy() > 0, 100 * (tb - ta).to_numpy() / ta.to_numpy(),
                                 np.nan)
    ra, rb = a.loc[both, "rank"].astype(int), b.loc[both, "rank"].astype(int)
    out["rank_from"], out["rank_to"] = ra.to_numpy(), rb.to_numpy()
    out["rank_change"] = (ra - rb).to_numpy()
    for col in columns:
        if col in a.columns and col in b.columns:
            out[f"change_{col}"] = (b.loc[both, col].astype(float)
                                    - a.loc[both, col].astype(float)).to_numpy()
    out = out.reset_index().sort_values(["change", "code"], ascending=[False, True])
    return out.reset_index(drop=True), only_a, only_b


def compare(a: pd.DataFrame, b: pd.DataFrame, *, year_from: int | None = None,
            year_to: int | None = None, total_max: float = 100.0, weights=None,
            permutations: int = 999, seed: int = 12345, columns=()) -> ChangeResult:
    """Compare two scores tables (``code``, ``total``, ``rank``; ``region`` for the regional
    gap). ``weights`` (a :class:`cityrank.geo.analysis.weights.SpatialWeights` over the cities
    in both years, in any order) adds the spatial statistics; ``columns`` adds their changes."""
    table, only_a, only_b = change_table(a, b, columns)
    if len(table) < 3:
        from cityrank.errors import DataError

        raise DataError(f"only {len(table)} cities are in both datasets; at least 3 are "
                        "needed to compare years")
    dt = (year_to - year_from) if year_from is not None and year_to is not None else None
    ya, yb = table["total_from"].to_numpy(float), table["total_to"].to_numpy(float)
    st = {"years": {"from": year_from, "to": year_to, "span": dt},
          "n": int(len(table)), "only_from": only_a, "only_to": only_b,
          "mean": _means(ya, yb),
          "moves": {"up": int((table["rank_change"] > 0).sum()),
                    "down": int((table["rank_change"] < 0).sum()),
                    "same": int((table["rank_change"] == 0).sum())},
          "mobility": _mobility(table),
          "sigma": _sigma(ya, yb),
          "beta": _beta(ya, yb, dt),
          "regions": _regions(table, total_max)}
    if weights is not None:
        st["mobility"].update(_spatial(table, weights, permutations, seed))
    result = ChangeResult(table, jsonable(st))
    result.findings = {lang: findings(result.stats, lang) for lang in ("zh", "en")}
    return result


def _means(ya, yb) -> dict:
    return {"from": num(ya.mean()), "to": num(yb.mean()), "change": num(yb.mean() - ya.mean()),
            "change_pct": num(100 * (yb.mean() / ya.mean() - 1)) if ya.mean() else None}


def _mobility(table: pd.DataFrame) -> dict:
    from giddy.rank import Tau

    ra, rb = table["rank_from"].to_numpy(float), table["rank_to"].to_numpy(float)
    kt = stats.kendalltau(ra, rb)
    gt = Tau(ra, rb)
    return {"kendall_tau": num(kt.statistic), "kendall_p": num(kt.pvalue),
            "giddy_tau": num(gt.tau), "concordant": int(gt.concordant),
            "discordant": int(gt.discordant), "method": "Kendall's tau-b of the two years' ranks"}


def _spatial(table: pd.DataFrame, sw, permutations: int, seed: int) -> dict:
    from giddy.markov import Spatial_Markov
    from giddy.rank import SpatialTau

    pos = {c: i for i, c in enumerate(sw.ids)}
    missing = [c for c in table["code"] if c not in pos]
    if missing:
        raise ValueError(f"spatial weights lack {len(missing)} cities: {missing[:5]}")
    order = np.array([pos[c] for c in table["code"]])
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    ya = table["total_from"].to_numpy(float)[inv]  # in the weights' order
    yb = table["total_to"].to_numpy(float)[inv]
    np.random.seed(seed)  # giddy draws its permutations from numpy's global generator
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        st = SpatialTau(ya, yb, sw.w, permutations)
        rel = np.column_stack([ya / ya.mean(), yb / yb.mean()])
        sm = Spatial_Markov(rel, sw.w, k=MARKOV_CLASSES, m=MARKOV_CLASSES, fixed=True)
    p = np.asarray(sm.p, dtype=float)
    counts = np.asarray(sm.transitions, dtype=float)
    stay = float(np.trace(counts) / counts.sum()) if counts.sum() else None
    return {"spatial_tau": num(st.tau_spatial), "spatial_tau_p": num(st.tau_spatial_psim),
            "permutations": int(permutations), "weights": sw.method,
            "markov": {"classes": MARKOV_CLASSES, "of": "score relative to the year's mean",
                       "p": jsonable(np.round(p, 4)), "stay": num(stay),
                       "up": num(float(np.triu(counts, 1).sum() / counts.sum())),
                       "down": num(float(np.tril(counts, -1).sum() / counts.sum())),
                       "chi2": num(sm.x2), "chi2_p": num(sm.x2_pvalue), "chi2_dof": int(sm.x2_dof),
                       "conditional": jsonable(np.round(np.asarray(sm.P, dtype=float), 4))}}


def _sigma(ya, yb) -> dict:
    sd_a, sd_b = float(np.std(ya, ddof=1)), float(np.std(yb, ddof=1))
    cv_a, cv_b = 100 * sd_a / ya.mean(), 100 * sd_b / yb.mean()
    return {"sd_from": num(sd_a), "sd_to": num(sd_b), "cv_from": num(cv_a), "cv_to": num(cv_b),
            "sd_log_from": num(np.std(np.log(ya[ya > 0]), ddof=1)),
            "sd_log_to": num(np.std(np.log(yb[yb > 0]), ddof=1)),
            "converging": bool(cv_b < cv_a)}


def _beta(ya, yb, dt) -> dict:
    span = dt if dt and dt > 0 else 1
    ok = (ya > 0) & (yb > 0)
    g = np.log(yb[ok] / ya[ok]) / span
    fit = stats.linregress(np.log(ya[ok]), g)
    beta = float(fit.slope)
    speed = -math.log(1 + beta * span) / span if beta < 0 and 1 + beta * span > 0 else None
    return {"beta": num(beta), "intercept": num(fit.intercept), "p": num(fit.pvalue),
            "r2": num(fit.rvalue**2), "stderr": num(fit.stderr), "n": int(ok.sum()),
            "span_years": span, "speed": num(speed),
            "half_life": num(math.log(2) / speed) if speed else None,
            "converging": bool(beta < 0 and fit.pvalue < 0.05)}


def _regions(table: pd.DataFrame, total_max: float) -> dict:
    if "region" not in table.columns or table["region"].isna().all():
        return {}
    rate_a = 100 * table["total_from"].mean() / total_max
    rate_b = 100 * table["total_to"].mean() / total_max
    rows = []
    for region, g in table.groupby("region"):
        ra = 100 * g["total_from"].mean() / total_max
        rb = 100 * g["total_to"].mean() / total_max
        rows.append({"region": region, "n": int(len(g)), "rate_from": num(ra), "rate_to": num(rb),
                     "gap_from": num(ra - rate_a), "gap_to": num(rb - rate_b)})
    rows.sort(key=lambda r: REGION_ORDER.index(r["region"]) if r["region"] in REGION_ORDER
              else len(REGION_ORDER))
    spread_a = max(r["rate_from"] for r in rows) - min(r["rate_from"] for r in rows)
    spread_b = max(r["rate_to"] for r in rows) - min(r["rate_to"] for r in rows)
    return {"national_rate_from": num(rate_a), "national_rate_to": num(rate_b), "regions": rows,
            "spread_from": num(spread_a), "spread_to": num(spread_b),
            "narrowing": bool(spread_b < spread_a)}


# -- the findings, in the reports' wording ---------------------------------------------------
def _f(x, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _year(y, lang: str) -> str:
    return t("compare.year", lang, year=y) if y is not None else t("compare.year_unknown", lang)


def findings(st: dict, lang: str = "zh") -> list[str]:
    """The comparison in sentences, as the national evaluation's reports put it."""
    ya, yb = _year(st["years"]["from"], lang), _year(st["years"]["to"], lang)
    m = st["mean"]
    key = "compare.mean_up" if (m["change"] or 0) >= 0 else "compare.mean_down"
    out = [t(key, lang, a=_f(m["from"]), b=_f(m["to"]), pct=_f(abs(m["change_pct"] or 0)),
             year_from=ya, year_to=yb, n=st["n"])]
    mob, mv = st["mobility"], st["moves"]
    out.append(t("compare.tau", lang, tau=_f(mob["kendall_tau"], 3),
                 p=_p(mob["kendall_p"]), up=mv["up"], down=mv["down"], same=mv["same"]))
    if mob.get("spatial_tau") is not None:
        out.append(t("compare.spatial_tau", lang, tau=_f(mob["spatial_tau"], 3),
                     p=_p(mob["spatial_tau_p"]), n=mob["permutations"]))
        mk = mob["markov"]
        out.append(t("compare.markov_yes" if (mk["chi2_p"] or 1) < 0.05 else "compare.markov_no",
                     lang, stay=_f(100 * (mk["stay"] or 0), 0), chi2=_f(mk["chi2"], 1),
                     p=_p(mk["chi2_p"])))
    s = st["sigma"]
    out.append(t("compare.sigma_down" if s["converging"] else "compare.sigma_up", lang,
                 sd_a=_f(s["sd_from"]), sd_b=_f(s["sd_to"]), cv_a=_f(s["cv_from"], 1),
                 cv_b=_f(s["cv_to"], 1)))
    b = st["beta"]
    if b["converging"]:
        out.append(t("compare.beta_yes", lang, beta=_f(b["beta"], 3), p=_p(b["p"]),
                     speed=_f(100 * (b["speed"] or 0), 1), half_life=_f(b["half_life"], 1)))
    else:
        out.append(t("compare.beta_no", lang, beta=_f(b["beta"], 3), p=_p(b["p"])))
    reg = st.get("regions") or {}
    for which, year in (("from", ya), ("to", yb)):
        if reg:
            out.append(_regional_sentence(reg, which, year, lang))
    if reg:
        out.append(t("compare.spread_down" if reg["narrowing"] else "compare.spread_up", lang,
                     a=_f(reg["spread_from"], 1), b=_f(reg["spread_to"], 1)))
    for side, year in (("only_from", ya), ("only_to", yb)):
        if st[side]:
            out.append(t("compare.only", lang, n=len(st[side]), year=year,
                         codes=", ".join(st[side][:10]) + (" …" if len(st[side]) > 10 else "")))
    return out


def _p(p) -> str:
    """``< 0.001`` or ``= 0.123`` (the catalogue's forms)."""
    if p is not None and p < 0.001:
        return t("compare.p_small", "en")
    return t("compare.p_equal", "en", p=_f(p, 3))


def _regional_sentence(reg: dict, which: str, year: str, lang: str) -> str:
    above = [r for r in reg["regions"] if (r[f"gap_{which}"] or 0) >= 0]
    below = [r for r in reg["regions"] if (r[f"gap_{which}"] or 0) < 0]
    sep = "、" if lang == "zh" else ", "

    def part(rows, key):
        return sep.join(t(key, lang, region=t(f"region.{r['region']}", lang),
                          pp=_f(abs(r[f"gap_{which}"]), 1)) for r in rows)

    return t("compare.regions", lang, year=year, rate=_f(reg[f"national_rate_{which}"], 1),
             above=part(above, "compare.region_above") or "–",
             below=part(below, "compare.region_below") or "–")
