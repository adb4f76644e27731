"""The report's findings as sentences in English and simplified Chinese.

Both languages are written from the numbers stored in the report (never by translating one
text into the other): each number is formatted once and dropped into both templates of a
catalogue key (``findings.*``, ``cityrank/i18n/findings.yaml``), so a figure quoted in a
Chinese briefing is the figure in the English one. The English sentences keep the wording of
the sections' own ``statement`` fields, which older readers of the JSON report rely on. Names
of indicators come from ``report["indicator_names"]`` when the caller knows them (a dataset's
indicator system), otherwise the column id is shown in both; region names come from
``config/regions.yaml``.
"""

from __future__ import annotations

from cityrank.geo.analysis._common import p_text
from cityrank.geo.analysis.clusters import KM_PER_STEP
from cityrank.geo.analysis.gradients import PER_DEGREES
from cityrank.geo.regions import region_ids, region_name
from cityrank.i18n import has, keys, t

LANGS = ("en", "zh")
FEATURED_CLUSTERS = ("yrd-2016", "yrd-2019-central", "gba", "jjj")
"""Clusters the reports discuss (Yangtze River Delta, Greater Bay Area, Jing-Jin-Ji)."""


def _say(key: str, **params) -> dict[str, str]:
    """``{"en": ..., "zh": ...}`` of ``findings.<key>``; a parameter given as such a pair is
    put in per language, any other in both."""
    return {lang: t(f"findings.{key}", lang,
                    **{k: v[lang] if isinstance(v, dict) else v for k, v in params.items()})
            for lang in LANGS}


def _word(key: str, **params) -> dict[str, str]:
    return _say(f"word.{key}", **params)


def _side(value: float) -> dict[str, str]:
    return _word("above" if value >= 0 else "below")


def link_reason(reason: str, lang: str) -> str:
    """Why the weights gained a link, in ``lang`` (the report stores the English reason)."""
    for key in keys("analysis.reason"):
        if t(f"analysis.reason.{key}", "en") == reason:
            return t(f"analysis.reason.{key}", lang)
    return reason


def _region_zh(group: str, fallback: str, nbs: bool = True) -> str:
    """A group's Chinese name: the NBS region's (config/regions.yaml) when the report's regions
    are the NBS four (``nbs``), else as given (a user's own "West" is not the NBS region)."""
    return region_name(group, "zh") if nbs and group in region_ids() else fallback


def _small(report: dict) -> bool:
    return bool((report.get("small_sample") or {}).get("small"))


def _significance(significant: bool, report: dict, at_5: bool = False) -> dict[str, str]:
    """"significant" / "not significant", with "(small sample: indicative only)" on a small
    sample: nothing is called significant silently on a handful of units."""
    word = ("significant_at_5" if significant else "not_significant_at_5") if at_5 else (
        "significant" if significant else "not_significant")
    out = _word(word)
    if significant and _small(report):
        out = {lang: out[lang] + t("findings.word.small_sample", lang) for lang in LANGS}
    return out


def _name(report: dict, column: str, lang: str) -> str:
    names = (report.get("indicator_names") or {}).get(column) or {}
    return str(names.get(lang) or names.get("en" if lang == "zh" else "zh") or column)


def _names(report: dict, column: str) -> dict[str, str]:
    return {lang: _name(report, column, lang) for lang in LANGS}


def _ci(ci, fmt: str) -> tuple[str, str] | None:
    """(low, high) formatted, or None when the interval is missing."""
    if not ci or ci[0] is None or ci[1] is None:
        return None
    return format(ci[0], fmt), format(ci[1], fmt)


def _ci_text(ci, fmt: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The ' (95% CI a to b[, extra])' of disparity.ci_text, and its Chinese counterpart."""
    out = {}
    lohi = _ci(ci, fmt)
    for lang in LANGS:
        parts = [t("findings.ci", lang, lo=lohi[0], hi=lohi[1])] if lohi else []
        if extra:
            parts.append(extra[lang])
        out[lang] = (t("findings.ci_brackets", lang,
                       parts=t("findings.word.part_sep", lang).join(parts)) if parts else "")
    return out


def _ci_range(ci, fmt: str, key: str = "ci_range") -> dict[str, str]:
    lohi = _ci(ci, fmt)
    return _say(key, lo=lohi[0], hi=lohi[1]) if lohi else {lang: "" for lang in LANGS}


def _moran(report: dict) -> dict:
    gm = report["global_moran"]
    clustered = gm["I"] > gm["expected_I"]
    significant = gm["p"] is not None and gm["p"] < 0.05
    return _say("moran", I=f"{gm['I']:.3f}", z=f"{gm['z']:.2f}", p=p_text(gm["p"]),
                perm=gm["permutations"], pattern=_word("clustered" if clustered else "dispersed"),
                significance=_significance(significant, report))


def _lisa(report: dict) -> list[dict]:
    lm = report["local_moran"]
    s = lm["summary"]
    out = []
    for label in ("HH", "LL"):
        units = s[label]["units"]
        if units:
            more = len(units) > 8
            names = {lang: t("findings.word.list_sep", lang).join(u["name"] for u in units[:8])
                     + (t("findings.word.list_more", lang) if more else "") for lang in LANGS}
            out.append(_say("lisa", n=len(units), kind=_say(f"lisa.{label}"),
                            thr=f"{lm['p_threshold']:.3g}", names=names))
    out.append(_say("lisa_outliers", hl=s["HL"]["count"], lh=s["LH"]["count"]))
    return out


def _gradients(report: dict) -> list[dict]:
    g = report.get("gradients") or {}
    if not g.get("available"):
        return []
    out = []
    for key in ("east_west", "south_north"):
        sec = g[key]
        sl = sec["slope"]
        c, p = sl["coef"], sl["p"]
        lo, hi = _ci(sl["ci95"], "+.2f") or ("–", "–")
        sig = p is not None and p < 0.05
        hac_text = {lang: "" for lang in LANGS}
        hac = ((sec.get("hac") or {}).get("coefficients") or {}).get("lon" if key == "east_west" else "lat")
        if hac:
            hlo, hhi = _ci(hac["ci95"], "+.2f") or ("–", "–")
            hsig = hac["p"] is not None and hac["p"] < 0.05
            hac_text = _say("gradient_hac", lo=hlo, hi=hhi, significance=_significance(hsig, report))
        word = f"gradient.{key}"
        out.append(_say(
            "gradient", lead=_say(f"{word}.lead"), direction=_say(f"{word}.direction"),
            pattern=_say(f"{word}.{'rising' if c > 0 else 'falling'}"), coef=f"{c:+.2f}",
            per=f"{PER_DEGREES:g}", lo=lo, hi=hi, p=p_text(p),
            significance=_significance(sig, report, at_5=True), hac=hac_text))
    return out


def _regions(report: dict) -> list[dict]:
    reg = (report.get("disparity") or {}).get("regions") or {}
    if not reg.get("available"):
        return []
    out = []
    nbs = reg.get("nbs", True)
    for r in reg["groups"]:
        name = {"en": r["name"], "zh": _region_zh(r["group"], r["name"], nbs)}
        if r.get("gap_rate_pp") is not None:
            out.append(_say("region_rate", name=name, gap=f"{abs(r['gap_rate_pp']):.1f}",
                            side=_side(r["gap_rate_pp"]),
                            ci=_ci_text(r.get("gap_rate_pp_ci95"), "+.1f")))
        else:
            out.append(_say("region_points", name=name, gap=f"{abs(r['gap_points']):.2f}",
                            side=_side(r["gap_points"]),
                            ci=_ci_text(r.get("gap_points_ci95"), "+.2f")))
    out.extend(_widest_indicator(report, reg))
    th = (reg.get("inequality") or {}).get("theil")
    if th and th.get("between_share_percent") is not None:
        out.append(_say("theil", T=f"{th['T']:.4f}", share=f"{th['between_share_percent']:.1f}",
                        k=len(reg["groups"]),
                        ci=_ci_range(th.get("between_share_ci95"), ".1f", "ci_range_percent")))
    return out


def _widest_indicator(report: dict, reg: dict) -> list[dict]:
    rates = reg.get("score_rate_by_indicator_percent") or {}
    widest = max(rates.items(), key=lambda kv: kv[1].get("ratio_highest_to_lowest") or 0, default=None)
    if not widest or widest[1].get("ratio_highest_to_lowest") is None:
        return []
    col, v = widest
    names = {r["group"]: r["name"] for r in reg["groups"]}
    hi, lo = v["highest"], v["lowest"]
    col_names = _names(report, col)
    nbs = reg.get("nbs", True)
    out = _say("widest_indicator", col=col_names,
               hi={"en": names.get(hi, hi), "zh": _region_zh(hi, names.get(hi, hi), nbs)},
               lo={"en": names.get(lo, lo), "zh": _region_zh(lo, names.get(lo, lo), nbs)},
               hi_rate=f"{v[hi]:.1f}", lo_rate=f"{v[lo]:.1f}",
               ratio=f"{v['ratio_highest_to_lowest']:.2f}")
    cv = ((reg.get("cv_by_indicator_percent") or {}).get(col) or {}).get("national")
    if cv is not None:
        cv_text = _say("national_cv", col=col_names, cv=f"{cv:.1f}")
        out = {lang: out[lang] + cv_text[lang] for lang in LANGS}
    return [out]


def _gini(report: dict) -> list[dict]:
    ov = (report.get("disparity") or {}).get("overall", {}).get("gini")
    if not ov:
        return []
    return [_say("gini", G=f"{ov['G']:.3f}", ci=_ci_range(ov.get("G_ci95"), ".3f"))]


def _clusters(report: dict) -> list[dict]:
    cl = report.get("clusters") or {}
    if not cl.get("available"):
        return []
    out = []
    for c in cl.get("clusters", []):
        if not c.get("available") or c["id"] not in FEATURED_CLUSTERS:
            continue
        name = {"en": c["name_en"], "zh": c["name"]}
        rest = {lang: "" for lang in LANGS}
        if c.get("gap_vs_rest_of_provinces") is not None:
            g2 = c["gap_vs_rest_of_provinces"]
            rest = _say("cluster_rest", gap=f"{abs(g2):.2f}", side=_side(g2), ci=_ci_text(
                c.get("gap_vs_rest_of_provinces_ci95"), "+.2f",
                _word("n_cities", n=c["rest_of_provinces_n"])))
        out.append(_say("cluster", name=name, mean=f"{c['mean']:.2f}", n=c["scored_members"],
                        gap=f"{abs(c['gap_vs_national']):.2f}", side=_side(c["gap_vs_national"]),
                        ci=_ci_text(c.get("gap_vs_national_ci95"), "+.2f"), rest=rest,
                        cv=f"{c['intra']['cv_percent']:.1f}"))
        fit = (c.get("core_periphery") or {}).get("fit")
        if fit:
            s = fit["slope_per_100km"]
            lo, hi = _ci(s["ci95"], "+.2f") or ("–", "–")
            out.append(_say("core_periphery", name=name, coef=f"{s['coef']:+.2f}",
                            step=f"{KM_PER_STEP:g}", lo=lo, hi=hi, n=fit["n"]))
    return out


def _distance_decay(report: dict) -> dict | None:
    dd = (report.get("spillover") or {}).get("distance_decay") or {}
    if dd.get("fit"):
        s = dd["fit"]["slope_per_100km"]
        lo, hi = _ci(s["ci95"], "+.2f") or ("–", "–")
        return _say("distance_decay", km=f"{dd['max_km']:g}", hub=dd["hub_name"],
                    coef=f"{s['coef']:+.2f}", lo=lo, hi=hi, n=dd["fit"]["n"])
    return None


def _hub(report: dict) -> dict | None:
    """One sentence on the hub: its effect with the number, or why there is none."""
    sp = report.get("spillover") or {}
    info = sp.get("hub")
    if not info:
        return None
    code, name = info["id"], info.get("name") or info["id"]
    hub = {"zh": f"{name}（{code}）" if name != code else code,
           "en": f"{name} ({code})" if name != code else code}
    status = info["status"]
    hc = sp.get("hub_column") or {}
    if status in ("effect", "no_effect"):
        lohi = _ci(hc.get("effect_on_others_ci95"), "+.3f") or ("–", "–")
        return _say(f"hub.{status}", hub=hub, x=_names(report, hc["variable"]),
                    value=_names(report, report["value"]), total=f"{hc['effect_on_others_total']:+.3f}",
                    lo=lohi[0], hi=lohi[1], draws=hc.get("draws", 0))
    return _say(f"hub.{status}", hub=hub)


def _model_kind(kind: str) -> dict[str, str]:
    key = f"findings.word.model.{kind}"
    return _word(f"model.{kind}") if has(key) else {lang: kind for lang in LANGS}


def _no_model(report: dict) -> dict | None:
    """"No valid model" in one sentence, when the models were refused for a reason a planner
    must see (circular regressors, an unstable estimate); a small sample is said first."""
    models = (report.get("spillover") or {}).get("models") or {}
    refused = [models] if models.get("reason_key") else [
        m for m in models.values() if isinstance(m, dict) and m.get("reason_key")]
    for m in refused:
        if m["reason_key"] in ("report.reason.circular", "report.reason.unstable"):
            return {lang: t("findings.no_model", lang, reason=t(m["reason_key"], lang, **_localised(
                m.get("params") or {}, lang))) for lang in LANGS}
    return None


def _localised(params: dict, lang: str) -> dict:
    """Parameters stored as ``{"zh": .., "en": ..}`` pairs, in ``lang``."""
    return {k: v[lang] if isinstance(v, dict) else v for k, v in params.items()}


def _spillover(report: dict) -> list[dict]:
    sp = report.get("spillover") or {}
    out = [p for p in (_distance_decay(report),) if p]
    models = sp.get("models") or {}
    for kind, m in (models.items() if "reason_key" not in models else ()):
        if not isinstance(m, dict) or not m.get("available"):
            continue
        for var, imp in m["impacts"].items():
            ind = imp["indirect"]
            lohi = _ci(ind["ci95"], ".3f")
            if ind["sd"] is None or lohi is None:
                out.append(_say("model_no_draws", kind=_model_kind(kind), var=_names(report, var)))
                continue
            out.append(_say("model_impact", kind=_model_kind(kind), rho=f"{m['rho']:.3f}",
                            var=_names(report, var), value=_names(report, report["value"]),
                            est=f"{ind['estimate']:.3f}", sd=f"{ind['sd']:.3f}", lo=lohi[0],
                            hi=lohi[1], draws=m["draws"]))
    out.extend(p for p in (_no_model(report), _hub(report)) if p)
    return out


def unit_label(report: dict, uid: str, lang: str) -> str:
    """A unit as a planner reads it: its name with the code in brackets (舟山市（330900）)."""
    name = {u["id"]: u["name"] for u in report.get("units") or []}.get(uid)
    if not name or name == uid:
        return uid
    return f"{name}（{uid}）" if lang == "zh" else f"{name} ({uid})"


def _weights(report: dict) -> list[dict]:
    fixed = report["weights"].get("fixed") or []
    if not fixed:
        return []
    items = {lang: t("findings.word.item_sep", lang).join(
        t("findings.weights_item", lang, unit=unit_label(report, f["unit"], lang),
          reason=link_reason(f["reason"], lang), to=unit_label(report, f["attached_to"], lang),
          km=f"{f['distance_m'] / 1000:.0f}") for f in fixed) for lang in LANGS}
    return [_say("weights", items=items)]


def bilingual_findings(report: dict) -> list[dict[str, str]]:
    """Plain-language findings, each ``{"en": ..., "zh": ...}`` with its number and uncertainty."""
    out = []
    if report.get("synthetic"):
        out.append(_say("synthetic"))
    if _small(report):
        ss = report["small_sample"]
        out.append(_say("small_sample", n=ss["n"], m=ss["minimum"]))
    out.append(_moran(report))
    out.extend(_lisa(report))
    out.extend(_gradients(report))
    out.extend(_regions(report))
    out.extend(_gini(report))
    out.extend(_clusters(report))
    out.extend(_spillover(report))
    out.extend(_weights(report))
    return out


def findings(report: dict, lang: str = "en") -> list[str]:
    """The findings in one language (``en`` or ``zh``)."""
    if lang not in LANGS:
        raise ValueError(f"findings: unknown language {lang!r}; choose en or zh")
    return [f[lang] for f in bilingual_findings(report)]


def sentence(report: dict, kind: str, lang: str) -> str | None:
    """One finding by kind (``distance_decay`` or ``hub``) in ``lang``, or None if not computed."""
    pair = {"distance_decay": _distance_decay, "hub": _hub}[kind](report)
    return pair[lang] if pair else None


def report_findings(report: dict, lang: str) -> list[str]:
    """The findings stored in a report for ``lang`` (``findings`` is English, ``findings_zh``
    Chinese); reports written before the Chinese list existed fall back to English."""
    if lang == "zh" and report.get("findings_zh"):
        return list(report["findings_zh"])
    return list(report.get("findings") or [])
