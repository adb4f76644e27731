"""The report's findings as sentences in English and simplified Chinese.

Both languages are written here from the numbers stored in the report (never by translating
one text into the other), each number formatted once and dropped into both templates, so a
figure quoted in a Chinese briefing is the figure in the English one. The English sentences
keep the wording of the sections' own ``statement`` fields, which older readers of the JSON
report rely on. Names of indicators come from ``report["indicator_names"]`` when the caller
knows them (a dataset's indicator system), otherwise the column id is shown in both.
"""

from __future__ import annotations

from cityrank.geo.analysis.clusters import KM_PER_STEP
from cityrank.geo.analysis.gradients import PER_DEGREES
from cityrank.geo.regions import region_ids, region_name
from cityrank.i18n import keys, t

LANGS = ("en", "zh")
FEATURED_CLUSTERS = ("yrd-2016", "yrd-2019-central", "gba", "jjj")
"""Clusters the reports discuss (Yangtze River Delta, Greater Bay Area, Jing-Jin-Ji)."""



def _reason(reason: str, lang: str) -> str:
    """Why the weights gained a link, in ``lang`` (the report stores the English reason)."""
    for key in keys("analysis.reason"):
        if t(f"analysis.reason.{key}", "en") == reason:
            return t(f"analysis.reason.{key}", lang)
    return reason


def _region_zh(group: str, fallback: str) -> str:
    """A group's Chinese name: the region's (config/regions.yaml) when it is one, else as given."""
    return region_name(group, "zh") if group in region_ids() else fallback


def _pair(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def _name(report: dict, column: str, lang: str) -> str:
    names = (report.get("indicator_names") or {}).get(column) or {}
    return str(names.get(lang) or names.get("en" if lang == "zh" else "zh") or column)


def _ci(ci, fmt: str) -> tuple[str, str] | None:
    """(low, high) formatted, or None when the interval is missing."""
    if not ci or ci[0] is None or ci[1] is None:
        return None
    return format(ci[0], fmt), format(ci[1], fmt)


def _ci_text(ci, fmt: str, extra: tuple[str, str] | None = None) -> tuple[str, str]:
    """The ' (95% CI a to b[, extra])' of disparity.ci_text, and its Chinese counterpart."""
    en, zh = [], []
    lohi = _ci(ci, fmt)
    if lohi:
        en.append(f"95% CI {lohi[0]} to {lohi[1]}")
        zh.append(f"95% 置信区间 {lohi[0]} 至 {lohi[1]}")
    if extra:
        en.append(extra[0])
        zh.append(extra[1])
    return (f" ({', '.join(en)})" if en else "", f"（{'，'.join(zh)}）" if zh else "")


def _moran(report: dict) -> dict:
    gm = report["global_moran"]
    clustered = gm["I"] > gm["expected_I"]
    significant = gm["p"] is not None and gm["p"] < 0.05
    nums = f"{gm['I']:.3f}", f"{gm['z']:.2f}", f"{gm['p']:.3f}", gm["permutations"]
    return _pair(
        f"Spatial autocorrelation: Moran's I = {nums[0]} (z = {nums[1]}, pseudo p = {nums[2]}, {nums[3]} "
        f"permutations): values are {'clustered' if clustered else 'dispersed'}, "
        f"{'significant' if significant else 'not significant'} at 5%.",
        f"空间自相关：Moran's I = {nums[0]}（z = {nums[1]}，伪 p 值 = {nums[2]}，{nums[3]} 次置换）："
        f"数值呈{'空间集聚' if clustered else '空间分散'}，在 5% 水平上{'显著' if significant else '不显著'}。",
    )


def _lisa(report: dict) -> list[dict]:
    lm = report["local_moran"]
    s = lm["summary"]
    out = []
    for label, en_word, zh_word in (("HH", "high-high hot spots", "高-高热点"), ("LL", "low-low cold spots", "低-低冷点")):
        units = s[label]["units"]
        if units:
            more = len(units) > 8
            en_names = ", ".join(u["name"] for u in units[:8]) + (" …" if more else "")
            zh_names = "、".join(u["name"] for u in units[:8]) + ("等" if more else "")
            thr = f"{lm['p_threshold']:.3g}"
            out.append(_pair(f"LISA: {len(units)} {en_word} (p ≤ {thr}): {en_names}.",
                             f"LISA：{len(units)} 个{zh_word}（p ≤ {thr}）：{zh_names}。"))
    hl, lh = s["HL"]["count"], s["LH"]["count"]
    out.append(_pair(f"LISA outliers: {hl} high-low and {lh} low-high units.",
                     f"LISA 空间异常值：{hl} 个高-低单元，{lh} 个低-高单元。"))
    return out


_DIRECTIONS = {
    # key: (English label, English plus/minus, Chinese lead, Chinese plus/minus, Chinese step)
    "east_west": ("East-west gradient", "further east", ("East-high/west-low", "West-high/east-low"),
                  "东西梯度", ("东高西低", "西高东低"), "每向东"),
    "south_north": ("South-north gradient", "further north", ("North-high/south-low", "South-high/north-low"),
                    "南北梯度", ("北高南低", "南高北低"), "每向北"),
}


def _gradients(report: dict) -> list[dict]:
    g = report.get("gradients") or {}
    if not g.get("available"):
        return []
    out = []
    for key, (en_lead, en_dir, en_signs, zh_lead, zh_signs, zh_step) in _DIRECTIONS.items():
        sec = g[key]
        sl = sec["slope"]
        c, p = sl["coef"], sl["p"]
        lo, hi = _ci(sl["ci95"], "+.2f") or ("–", "–")
        first = 0 if c > 0 else 1
        sig = p is not None and p < 0.05
        per = f"{PER_DEGREES:g}"
        en = (f"{en_lead}: {en_signs[first]}: {c:+.2f} points per {per}° {en_dir} (95% CI {lo} to {hi}, "
              f"p={p:.3g}, {'significant at 5%' if sig else 'not significant at 5%'}")
        zh = (f"{zh_lead}：{zh_signs[first]}：{zh_step} {per}°，得分变化 {c:+.2f} 分（95% 置信区间 {lo} 至 {hi}，"
              f"p={p:.3g}，在 5% 水平上{'显著' if sig else '不显著'}")
        coef = "lon" if key == "east_west" else "lat"
        hac = ((sec.get("hac") or {}).get("coefficients") or {}).get(coef)
        if hac:
            hlo, hhi = _ci(hac["ci95"], "+.2f") or ("–", "–")
            hsig = hac["p"] is not None and hac["p"] < 0.05
            en += f"; spatial-HAC 95% CI {hlo} to {hhi}, {'significant' if hsig else 'not significant'}"
            zh += f"；空间 HAC 95% 置信区间 {hlo} 至 {hhi}，{'显著' if hsig else '不显著'}"
        out.append(_pair(en + ").", zh + "）。"))
    return out


def _regions(report: dict) -> list[dict]:
    reg = (report.get("disparity") or {}).get("regions") or {}
    if not reg.get("available"):
        return []
    out = []
    for r in reg["groups"]:
        zh_name = _region_zh(r["group"], r["name"])
        if r.get("gap_rate_pp") is not None:
            gap, above = f"{abs(r['gap_rate_pp']):.1f}", r["gap_rate_pp"] >= 0
            ci_en, ci_zh = _ci_text(r.get("gap_rate_pp_ci95"), "+.1f")
            out.append(_pair(
                f"{r['name']} is {gap} percentage points {'above' if above else 'below'} the national mean "
                f"score rate{ci_en}.",
                f"{zh_name}的平均得分率比全国平均{'高' if above else '低'} {gap} 个百分点{ci_zh}。"))
        else:
            gap, above = f"{abs(r['gap_points']):.2f}", r["gap_points"] >= 0
            ci_en, ci_zh = _ci_text(r.get("gap_points_ci95"), "+.2f")
            out.append(_pair(
                f"{r['name']} is {gap} points {'above' if above else 'below'} the national mean{ci_en}.",
                f"{zh_name}的均值比全国均值{'高' if above else '低'} {gap} 分{ci_zh}。"))
    out.extend(_widest_indicator(report, reg))
    th = (reg.get("inequality") or {}).get("theil")
    if th:
        share = f"{th['between_share_percent']:.1f}"
        lohi = _ci(th.get("between_share_ci95"), ".1f")
        en_ci = f" (95% CI {lohi[0]}–{lohi[1]}%)" if lohi else ""
        zh_ci = f"（95% 置信区间 {lohi[0]}–{lohi[1]}%）" if lohi else ""
        out.append(_pair(
            f"Theil index {th['T']:.4f}; {share}%{en_ci} of it lies between the four regions, the rest within them.",
            f"泰尔指数为 {th['T']:.4f}，其中 {share}%{zh_ci}来自四大区域之间，其余来自区域内部。"))
    return out


def _widest_indicator(report: dict, reg: dict) -> list[dict]:
    rates = reg.get("score_rate_by_indicator_percent") or {}
    widest = max(rates.items(), key=lambda kv: kv[1].get("ratio_highest_to_lowest") or 0, default=None)
    if not widest or widest[1].get("ratio_highest_to_lowest") is None:
        return []
    col, v = widest
    names = {r["group"]: r["name"] for r in reg["groups"]}
    hi, lo = v["highest"], v["lowest"]
    hi_rate, lo_rate, ratio = f"{v[hi]:.1f}", f"{v[lo]:.1f}", f"{v['ratio_highest_to_lowest']:.2f}"
    en_col, zh_col = _name(report, col, "en"), _name(report, col, "zh")
    en = (f"Widest regional gap by indicator: On {en_col}, {names.get(hi, hi)}'s mean score rate ({hi_rate}%) is "
          f"{ratio} times {names.get(lo, lo)}'s ({lo_rate}%).")
    zh = (f"区域差距最大的指标是{zh_col}：{_region_zh(hi, hi)}的平均得分率（{hi_rate}%）是"
          f"{_region_zh(lo, lo)}（{lo_rate}%）的 {ratio} 倍。")
    cv = ((reg.get("cv_by_indicator_percent") or {}).get(col) or {}).get("national")
    if cv is not None:
        en += f" National CV of {en_col}: {cv:.1f}%."
        zh += f"全国{zh_col}的差异系数为 {cv:.1f}%。"
    return [_pair(en, zh)]


def _gini(report: dict) -> list[dict]:
    ov = (report.get("disparity") or {}).get("overall", {}).get("gini")
    if not ov:
        return []
    lohi = _ci(ov.get("G_ci95"), ".3f")
    en_ci = f" (95% CI {lohi[0]}–{lohi[1]})" if lohi else ""
    zh_ci = f"（95% 置信区间 {lohi[0]}–{lohi[1]}）" if lohi else ""
    return [_pair(f"Gini coefficient {ov['G']:.3f}{en_ci}.", f"基尼系数为 {ov['G']:.3f}{zh_ci}。")]


def _clusters(report: dict) -> list[dict]:
    cl = report.get("clusters") or {}
    if not cl.get("available"):
        return []
    out = []
    for c in cl.get("clusters", []):
        if not c.get("available") or c["id"] not in FEATURED_CLUSTERS:
            continue
        gap, above = f"{abs(c['gap_vs_national']):.2f}", c["gap_vs_national"] >= 0
        ci_en, ci_zh = _ci_text(c.get("gap_vs_national_ci95"), "+.2f")
        en_rest = zh_rest = ""
        if c.get("gap_vs_rest_of_provinces") is not None:
            g2, up = f"{abs(c['gap_vs_rest_of_provinces']):.2f}", c["gap_vs_rest_of_provinces"] >= 0
            n = c["rest_of_provinces_n"]
            r_en, r_zh = _ci_text(c.get("gap_vs_rest_of_provinces_ci95"), "+.2f", (f"{n} cities", f"{n} 个城市"))
            en_rest = f"; {g2} points {'above' if up else 'below'} the rest of its provinces{r_en}"
            zh_rest = f"；比所在省份其余城市{'高' if up else '低'} {g2} 分{r_zh}"
        cv = f"{c['intra']['cv_percent']:.1f}"
        mean, n_in = f"{c['mean']:.2f}", c["scored_members"]
        out.append(_pair(
            f"{c['name_en']}: mean {mean} over {n_in} scored cities, {gap} points {'above' if above else 'below'} "
            f"the national mean{ci_en}{en_rest}; intra-cluster CV {cv}%.",
            f"{c['name']}：{n_in} 个参评城市均值 {mean}，比全国均值{'高' if above else '低'} {gap} 分{ci_zh}"
            f"{zh_rest}；城市群内部差异系数 {cv}%。"))
        fit = (c.get("core_periphery") or {}).get("fit")
        if fit:
            s = fit["slope_per_100km"]
            lo, hi = _ci(s["ci95"], "+.2f") or ("–", "–")
            step = f"{KM_PER_STEP:g}"
            out.append(_pair(
                f"{c['name_en']} core-periphery: {s['coef']:+.2f} points per {step} km from the nearest core "
                f"city (95% CI {lo} to {hi}; n={fit['n']}).",
                f"{c['name']}核心-外围：距最近核心城市每远 {step} 公里，得分变化 {s['coef']:+.2f} 分"
                f"（95% 置信区间 {lo} 至 {hi}；n={fit['n']}）。"))
    return out


def _distance_decay(report: dict) -> dict | None:
    dd = (report.get("spillover") or {}).get("distance_decay") or {}
    if dd.get("fit"):
        s = dd["fit"]["slope_per_100km"]
        lo, hi = _ci(s["ci95"], "+.2f") or ("–", "–")
        km, n = f"{dd['max_km']:g}", dd["fit"]["n"]
        return _pair(
            f"Distance decay: Within {km} km of {dd['hub_name']}, the value changes by {s['coef']:+.2f} per 100 km "
            f"(95% CI {lo} to {hi}, n={n}).",
            f"距离衰减：在{dd['hub_name']}周边 {km} 公里范围内，距离每增加 100 公里，数值变化 {s['coef']:+.2f}"
            f"（95% 置信区间 {lo} 至 {hi}，n={n}）。")
    return None


def _hub(report: dict) -> dict | None:
    hc = (report.get("spillover") or {}).get("hub_column")
    lohi = _ci((hc or {}).get("effect_on_others_ci95"), ".3f")
    if not (hc and lohi):
        return None
    en_var, zh_var = _name(report, hc["variable"], "en"), _name(report, hc["variable"], "zh")
    tot = f"{hc['effect_on_others_total']:.3f}"
    name = {u["id"]: u["name"] for u in report.get("units") or []}.get(hc["hub"], "")
    return _pair(
        f"Hub {hc['hub']}: a unit increase in {en_var} there changes the other units' values by {tot} in total "
        f"(spatial Durbin; 95% interval {lohi[0]} to {lohi[1]}, {hc['draws']} draws).",
        f"中心城市{name}（{hc['hub']}）：该城市{zh_var}每提高一个单位，其他单元的数值合计变化 {tot}"
        f"（空间杜宾模型；95% 区间 {lohi[0]} 至 {lohi[1]}，{hc['draws']} 次抽样）。")


def _spillover(report: dict) -> list[dict]:
    sp = report.get("spillover") or {}
    out = [p for p in (_distance_decay(report),) if p]
    for kind, m in (sp.get("models") or {}).items():
        if not isinstance(m, dict) or not m.get("available"):
            continue
        en_kind, zh_kind = {"lag": ("lag", "滞后"), "durbin": ("Durbin", "杜宾")}.get(kind, (kind, kind))
        for var, imp in m["impacts"].items():
            en_var, zh_var = _name(report, var, "en"), _name(report, var, "zh")
            ind = imp["indirect"]
            lohi = _ci(ind["ci95"], ".3f")
            if ind["sd"] is None or lohi is None:
                out.append(_pair(f"Spatial {en_kind} model: no usable parameter draws for {en_var}.",
                                 f"空间{zh_kind}模型：{zh_var}没有可用的参数抽样。"))
                continue
            rho, est, sd, draws = f"{m['rho']:.3f}", f"{ind['estimate']:.3f}", f"{ind['sd']:.3f}", m["draws"]
            out.append(_pair(
                f"Spatial {en_kind} model (rho = {rho}): indirect (spillover) impact of {en_var} = {est} "
                f"(sd {sd}, 95% interval {lohi[0]} to {lohi[1]}; {draws} simulated draws).",
                f"空间{zh_kind}模型（rho = {rho}）：{zh_var}的间接（溢出）效应 = {est}"
                f"（标准差 {sd}，95% 区间 {lohi[0]} 至 {lohi[1]}；{draws} 次模拟抽样）。"))
    hub = _hub(report)
    if hub:
        out.append(hub)
    return out


def _weights(report: dict) -> list[dict]:
    fixed = report["weights"].get("fixed") or []
    if not fixed:
        return []
    en = "; ".join(f"{f['unit']} ({f['reason']}) linked to {f['attached_to']} at {f['distance_m'] / 1000:.0f} km"
                   for f in fixed)
    zh = "；".join(f"{f['unit']}（{_reason(f['reason'], 'zh')}）连接到 {f['attached_to']}，"
                  f"距离 {f['distance_m'] / 1000:.0f} 公里" for f in fixed)
    return [_pair(f"Weights: {en}.", f"空间权重：{zh}。")]


def bilingual_findings(report: dict) -> list[dict[str, str]]:
    """Plain-language findings, each ``{"en": ..., "zh": ...}`` with its number and uncertainty."""
    out = []
    if report.get("synthetic"):
        out.append(_pair("SYNTHETIC DATA: the values are simulated for demonstration; no finding below "
                         "describes real cities.",
                         "模拟数据：数值为演示用的模拟数据，以下结论均不描述真实城市。"))
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
