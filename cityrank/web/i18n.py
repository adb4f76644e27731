"""Interface strings in Simplified Chinese (default) and English (``?lang=en``)."""

from __future__ import annotations

import re

from cityrank.geo.regions import UNCHECKED_NOTE
from cityrank.i18n import LANGS, lookup

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("cityrank 城市排名地图", "cityrank city ranking map"),
    "national_map": ("全国地级市分布图", "National map of prefecture-level cities"),
    "ranking": ("排名表", "Ranking table"),
    "dataset": ("数据集", "Dataset"),
    "indicator": ("指标", "Indicator"),
    "classification": ("分级方法", "Classification"),
    "classes": ("级数", "Classes"),
    "total": ("总分", "Total score"),
    "score": ("得分", "Score"),
    "rank": ("排名", "Rank"),
    "city": ("城市", "City"),
    "province": ("省份", "Province"),
    "region": ("区域", "Region"),
    "apply": ("更新地图", "Update map"),
    "synthetic": ("模拟数据", "Simulated data"),
    "synthetic_note": (
        "本数据为模拟数据，仅用于演示，不代表真实评估结果。",
        "These are simulated data for demonstration, not real evaluation results.",
    ),
    "source": ("数据来源", "Source"),
    "not_evaluated": ("未参评（直辖市、自治州等）", "Not evaluated (municipalities, prefectures…)"),
    "no_data": ("无数据", "No data"),
    "hmt": ("港澳台（未参评）", "Hong Kong, Macao, Taiwan (not evaluated)"),
    "taiwan_no_data": ("台湾省资料暂缺", "Taiwan Province: data not available"),
    "scs_hint": ("南海诸岛（见南海断续线）", "South China Sea islands (dashed line)"),
    "search": ("搜索城市…", "Search cities…"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export Excel"),
    "embed": ("嵌入此地图", "Embed this map"),
    "embed_help": ("复制以下代码粘贴到网页中：", "Copy this code into your page:"),
    "data_table": ("数据表（地图的文字替代）", "Data table (text alternative to the map)"),
    "view_data": ("查看数据", "View data"),
    "national_mean": ("全国均值", "National mean"),
    "regional_mean": ("区域均值", "Regional mean"),
    "cluster_mean": ("城市群均值", "Cluster mean"),
    "neighbours": ("相邻城市", "Neighbouring cities"),
    "clusters": ("城市群", "City clusters"),
    "cluster_unchecked": UNCHECKED_NOTE,
    "cluster_unchecked_mark": ("待核对", "unchecked"),
    "regions": ("区域", "Regions"),
    "members": ("成员城市", "Member cities"),
    "mean": ("均值", "Mean"),
    "count": ("城市数", "Cities"),
    "map_of": ("地图：", "Map: "),
    "finding": (
        "{indicator}最高的是{top}（{top_value}），最低的是{bottom}（{bottom_value}）；{n}个城市的均值为{mean}。",
        "{indicator} is highest in {top} ({top_value}) and lowest in {bottom} ({bottom_value}); "
        "the mean of {n} cities is {mean}.",
    ),
    "regional_finding": ("各区域均值：{parts}。", "Regional means: {parts}."),
    "static_png": ("静态图片（PNG）", "Static image (PNG)"),
    "api": ("API", "API"),
    "analysis": ("空间分析", "Spatial analysis"),
    "quantiles": ("分位数", "Quantiles"),
    "natural_breaks": ("自然断点", "Natural breaks"),
    "equal_interval": ("等间距", "Equal interval"),
    "published": ("公布分档", "Published bins"),
    "East": ("东部", "East"),
    "Central": ("中部", "Central"),
    "West": ("西部", "West"),
    "Northeast": ("东北", "Northeast"),
    "status_scored": ("已评分", "Scored"),
    "language": ("English", "中文"),
}


def norm_lang(value: str | None) -> str:
    return value if value in LANGS else "zh"


def t(key: str, lang: str = "zh", **fmt) -> str:
    return lookup(STRINGS, key, lang, **fmt) if key in STRINGS else key


def label(obj, lang: str) -> str:
    """Name of a node, dataset or unit in the chosen language, falling back to Chinese."""
    if lang == "en":
        for attr in ("name_en", "title_en"):
            value = getattr(obj, attr, None) if not isinstance(obj, dict) else obj.get(attr)
            if value:
                return str(value)
    for attr in ("name", "title"):
        value = getattr(obj, attr, None) if not isinstance(obj, dict) else obj.get(attr)
        if value:
            return str(value)
    return ""


# Titles that already say "simulated" (data/datasets.yaml: "…（模拟数据）", "— SIMULATED city
# data"): the mark is cut from the title and shown once, by the page (a badge) or by
# ``marked_title``; never both.
_MARK_PATTERNS = (
    re.compile(r"\s*[（(]\s*模拟数据\s*[)）]"),
    re.compile(r"\s*[—–-]+\s*simulated(?:\s+\w+)*\s*$", re.IGNORECASE),
    re.compile(r"\s*\(\s*simulated(?:\s+data)?\s*\)", re.IGNORECASE),
)


def source_text(ds, lang: str) -> str:
    """A dataset's source note in the page language (uploads and old catalogs have one only)."""
    pick = getattr(ds, "source_in", None)
    return pick(lang) if callable(pick) else str(getattr(ds, "source", "") or "")


def plain_title(ds, lang: str) -> str:
    """A dataset's title in ``lang`` without any simulated-data mark (pages add one badge)."""
    title = label(ds, lang)
    for pat in _MARK_PATTERNS:
        title = pat.sub("", title)
    return title.strip()


def marked_title(ds, lang: str) -> str:
    """The title with the simulated-data mark exactly once (selectors, <title>, PNG titles)."""
    title = plain_title(ds, lang)
    if getattr(ds, "synthetic", False):
        title += f"（{t('synthetic', lang)}）" if lang != "en" else f" ({t('synthetic', lang)})"
    return title
