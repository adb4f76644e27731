"""What users call the key columns of their tables: one alias list for every reader.

A data table (:mod:`cityrank.scoring.ingest`), a scores table joined to boundaries
(:mod:`cityrank.geo.join`), users' own boundary files (:mod:`cityrank.geo.user_boundaries`)
and the Excel template (:mod:`cityrank.scoring.template`) all name units the same ways. A
header matches an alias after NFKC normalisation, with whitespace removed and ASCII
lower-cased (``" Code "``, ``"ＣＯＤＥ"`` and ``"code"`` are one header); the first alias in
list order wins when a table has several.

The headers cityrank itself writes (template, exports) are ``column.<role>`` of the
catalogue in the file's language, and each of them is one of these aliases, so every file we
write reads back (``tests/scoring/test_columns.py``).

>>> find_column(["序号", "城市名称", "总分"], NAME)
'城市名称'
>>> role("行政区划代码"), role("Province"), role("总分")
('code', 'province', None)
"""

from __future__ import annotations

import re
import unicodedata

CODE: tuple[str, ...] = ("code", "adcode", "admin_code", "gb", "citycode", "区划代码",
                         "行政区划代码", "城市代码", "代码", "编码")
"""A 6-digit administrative code (or its 9-digit Tianditu form)."""

NAME: tuple[str, ...] = ("name", "city", "unit", "name_zh", "城市", "城市名称", "城市名", "地市",
                         "名称", "名字", "地区", "单位")
"""A unit's name (simplified or traditional, with or without 市)."""

PROVINCE: tuple[str, ...] = ("province", "省份", "省", "所属省份", "省区")
"""The province, to tell apart units of the same name."""

BOUNDARY_ID: tuple[str, ...] = CODE + ("id", "grid_id", "区划码", "编号", "网格编码", "网格编号")
"""Keys of users' own boundaries (districts, subdistricts, grids): the codes, plus the ids of
units finer than a prefecture. (A bare ``id`` is a key only in a boundary file; in a data
table it is usually a row number.)"""

BOUNDARY_NAME: tuple[str, ...] = NAME + ("街道", "社区", "网格名称", "区县")
"""Names in users' own boundaries: the unit names, plus subdistrict, community, grid, county."""

SYNTHETIC: tuple[str, ...] = ("synthetic", "simulated", "模拟数据")
"""A column saying the rows are simulated (any true/1/yes marks the whole table)."""

ROLES = {"code": CODE, "name": NAME, "province": PROVINCE}
"""Key roles of a data table, checked in this order."""


def header_key(header) -> str:
    """A header as compared with the aliases: NFKC, no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header))).lower()


_KEYS = {r: frozenset(header_key(a) for a in aliases) for r, aliases in ROLES.items()}


def role(header) -> str | None:
    """``"code"``, ``"name"`` or ``"province"`` when the header is one of their aliases."""
    key = header_key(header)
    return next((r for r, keys in _KEYS.items() if key in keys), None)


def find_column(columns, aliases) -> str | None:
    """The column of ``columns`` (as given) that is the first of ``aliases`` present, or None."""
    by_key: dict[str, str] = {}
    for c in columns:
        by_key.setdefault(header_key(c), c)
    for alias in aliases:
        hit = by_key.get(header_key(alias))
        if hit is not None:
            return hit
    return None
