"""Message catalogue: every problem and warning of the scoring core in English and simplified
Chinese, rendered from one machine-readable ``kind`` and its parameters.

Policymakers read Chinese, developers and the existing logs read English; keeping the numbers
in ``params`` and the wording in templates guarantees both languages state the same values,
codes and rows. English templates reproduce the historical messages byte for byte, because
callers and tests match on them.

A :class:`Notice` is a warning: a ``str`` (the English line, so every caller that joins,
searches or serialises warnings keeps working) that also carries ``kind``, ``params`` and its
location, and renders itself in either language.
"""

from __future__ import annotations

from typing import Any

LANGS = ("zh", "en")

# kind -> {"zh": template, "en": template}; str.format with named parameters. A parameter
# holding a user's text is quoted with !r in English (as before) and with 「」 in Chinese.
CATALOGUE: dict[str, dict[str, str]] = {
    # --- problems in a data table (scoring.ingest, scoring.units) ---
    "extra_column": {
        "en": "column is neither a unit key nor an indicator of system {system}; ignored",
        "zh": "该列既不是城市标识列，也不是指标体系 {system} 的指标，已忽略"},
    "extra_column.below": {
        "en": "indicator {indicator!r} is below an indicator given in the same table; ignored",
        "zh": "指标 {indicator} 的上级指标已在同一表中给出，该列已忽略"},
    "duplicate_column": {
        "en": "indicator {indicator!r} already given by column {other!r}",
        "zh": "指标 {indicator} 已由「{other}」列给出，列重复"},
    "missing_column": {
        "en": "indicator column for {indicator!r} ({name}, max {max:g}) is missing",
        "zh": "缺少指标 {indicator}（{name}，满分 {max:g}）的数据列"},
    "missing_key.no_column": {
        "en": "no city key column (code/代码 or name/城市)",
        "zh": "没有城市标识列（代码/code 或 城市/name）"},
    "missing_key": {
        "en": "empty city key",
        "zh": "城市标识为空"},
    "unknown_unit": {
        "en": "unknown city {key!r} (normalised {normalised!r})",
        "zh": "无法识别的城市「{key}」（规范化为「{normalised}」）"},
    "unknown_unit.code": {
        "en": "unknown administrative code {key!r}",
        "zh": "无法识别的行政区划代码「{key}」"},
    "unknown_unit.empty": {
        "en": "empty city name",
        "zh": "城市名称为空"},
    "unknown_unit.ambiguous": {
        "en": "{key!r} is ambiguous: {candidates}; give a province or a code",
        "zh": "「{key}」有歧义：{candidates}；请注明省份或使用行政区划代码"},
    "unknown_unit.bad_change": {
        "en": "{key!r}: admin change maps to {new_code}, which is not a known unit",
        "zh": "「{key}」：区划调整记录指向 {new_code}，但该代码不是已知单位"},
    "duplicate_unit": {
        "en": "duplicate city {key!r} = {name} ({code}), already in row {first_row}",
        "zh": "城市重复：「{key}」即 {name}（{code}），已在第 {first_row} 行出现"},
    "non_numeric": {
        "en": "{value!r} is not a number",
        "zh": "「{value}」不是数字"},
    "out_of_range": {
        "en": "{value:g} is outside [{lo:g}, {hi:g}] for {indicator!r} ({name})",
        "zh": "{value:g} 超出指标 {indicator}（{name}）的取值范围 [{lo:g}, {hi:g}]"},
    "missing_value": {
        "en": "missing value (missing-value policy 'refuse'; choose mean, province_mean or "
              "zero to fill)",
        "zh": "缺少数值（缺失值处理方式为 refuse“拒绝”；可选择 mean、province_mean 或 zero 填补）"},
    # --- warnings of ingestion ---
    "admin_change": {
        "en": "{key!r} is the former unit {old}, {change}{when_en}; mapped to today's "
              "{new_name} ({new_code}){source_en}",
        "zh": "「{key}」是原行政区划 {old_zh}，{change_zh}{when_zh}；已映射到现行的 {new_name}"
              "（{new_code}）{source_zh}"},
    "historical_duplicate": {
        "en": "{key!r} maps to {name} ({code}), which already has data in row {first_row}; "
              "this row is not used (a merged unit cannot be scored separately on today's "
              "boundaries)",
        "zh": "「{key}」对应 {name}（{code}），该市已有第 {first_row} 行的数据；本行未使用"
              "（已合并的单位无法按现行区划单独评分）"},
    "coverage_indicators": {
        "en": "indicator coverage under 65%: {items}",
        "zh": "指标覆盖率低于 65%：{items}"},
    "coverage_units": {
        "en": "{n} unit(s) with under 65% of indicators: {codes}",
        "zh": "{n} 个单位的指标数据不足 65%：{codes}"},
    "outside_universe": {
        "en": "{n} unit(s) outside the universe of {system} ({types}): {codes}",
        "zh": "{n} 个单位不在指标体系 {system} 的参评范围（{types}）内：{codes}"},
    "universe_coverage": {
        "en": "only {present} of {size} units of the universe have data ({share:.0%} < 65%)",
        "zh": "参评范围内 {size} 个单位中仅 {present} 个有数据（{share:.0%} < 65%）"},
    "missing_filled": {
        "en": "{n} missing value(s) filled by policy {policy!r}",
        "zh": "已按缺失值处理方式 {policy}（{policy_zh}）填补 {n} 个缺失值"},
    "encoding_detected": {
        "en": "text encoding detected as {encoding} (not UTF-8); pass an encoding if the "
              "names look wrong",
        "zh": "检测到文本编码为 {encoding}（非 UTF-8）；如城市名称显示异常，请指定编码"},
    # --- warnings of an indicator system (scoring.system) ---
    "children_missing": {
        "en": "sub-indicators not published for {nodes}: these are scored as leaves",
        "zh": "{nodes} 的下级指标未公布：按末级指标评分"},
    "max_mismatch_rescaled": {
        "en": "{label} declares max {max} but its children ({children}) sum to {sum}; policy "
              "rescale_children: children scores are multiplied by {max}/{sum}",
        "zh": "{label_zh}满分为 {max}，但其下级指标（{children}）满分合计 {sum}；按 "
              "rescale_children 规则，下级指标得分乘以 {max}/{sum}"},
    "system_note": {
        "en": "{text}",
        "zh": "{text}"},
    "system_note_bilingual": {
        "en": "{text}",
        "zh": "{text_zh}"},
    # --- published-table comparison (scoring.published) ---
    "published_total_mismatch": {
        "en": "published total {published:g} but the first-level scores sum to "
              "{computed:.6g} (difference {diff:+.6g})",
        "zh": "公布总分为 {published:g}，但一级指标得分合计为 {computed:.6g}（差值 {diff:+.6g}）"},
    "published_rank_mismatch": {
        "en": "published rank {published}, computed rank {computed}{tied_en}",
        "zh": "公布排名第 {published} 位，计算排名第 {computed} 位{tied_zh}"},
    # --- problems of an uploaded file (web.upload_service) ---
    "not_csv": {
        "en": "the file is named .csv but is {what}",
        "zh": "文件扩展名为 .csv，但实际是{what_zh}"},
    "not_csv.binary": {
        "en": "the file is named .csv but contains binary data (NUL bytes); save it as CSV "
              "(UTF-8 or GBK)",
        "zh": "文件扩展名为 .csv，但含有二进制数据（NUL 字节）；请另存为 CSV（UTF-8 或 GBK）"},
    "not_xlsx": {
        "en": "the file is named .xlsx but is not an Excel workbook (no ZIP signature)",
        "zh": "文件扩展名为 .xlsx，但不是 Excel 工作簿（没有 ZIP 文件头）"},
    "not_xlsx.unreadable": {
        "en": "the file is named .xlsx but is not a readable workbook: {detail}",
        "zh": "文件扩展名为 .xlsx，但无法作为工作簿读取：{detail}"},
    "not_xlsx.zip": {
        "en": "the file is a ZIP archive but not an Excel workbook (no xl/workbook.xml)",
        "zh": "文件是 ZIP 压缩包，但不是 Excel 工作簿（缺少 xl/workbook.xml）"},
    "too_large.expanded": {
        "en": "the workbook expands to {mb:.0f} MB; the limit is {limit} MB",
        "zh": "工作簿解压后为 {mb:.0f} MB，上限为 {limit} MB"},
    "too_large": {
        "en": "the file has {mb:.1f} MB; the limit is {limit} MB",
        "zh": "文件大小为 {mb:.1f} MB，上限为 {limit} MB"},
    "bad_extension": {
        "en": "only {accepted} files are accepted, not {ext!r}",
        "zh": "仅接受 {accepted} 文件，不接受「{ext}」"},
    "bad_extension.none": {
        "en": "only {accepted} files are accepted, not 'a file without extension'",
        "zh": "仅接受 {accepted} 文件，不接受没有扩展名的文件"},
    "empty": {
        "en": "the file is empty",
        "zh": "文件为空"},
    "unreadable": {
        "en": "{detail}",
        "zh": "无法读取文件：{detail}"},
    "unreadable.not_found": {
        "en": "{path}: file not found",
        "zh": "{path}：找不到文件"},
    "unreadable.xls": {
        "en": "{path}: legacy .xls is not supported; save as .xlsx or CSV",
        "zh": "{path}：不支持旧版 .xls 格式；请另存为 .xlsx 或 CSV"},
    "unreadable.encoding": {
        "en": "cannot detect the text encoding; pass encoding=",
        "zh": "无法识别文本编码；请指定编码"},
    "unreadable.decode": {
        "en": "{path}: cannot decode as {encoding}: {detail}",
        "zh": "{path}：无法按 {encoding} 编码解码：{detail}"},
    "unreadable.csv": {
        "en": "{path}: not a readable CSV table: {detail}",
        "zh": "{path}：不是可读取的 CSV 表格：{detail}"},
    "unreadable.xlsx": {
        "en": "{path}: not a readable XLSX workbook: {detail}",
        "zh": "{path}：不是可读取的 XLSX 工作簿：{detail}"},
    "unreadable.no_sheet": {
        "en": "{path}: no sheet {sheet!r} (sheets: {sheets})",
        "zh": "{path}：没有名为「{sheet}」的工作表（现有工作表：{sheets}）"},
    "unreadable.empty_sheet": {
        "en": "{path}: sheet {sheet!r} is empty",
        "zh": "{path}：工作表「{sheet}」为空"},
    "more_problems": {
        "en": "... and {n} more problem(s) not listed; fix the ones above (often one column or "
              "key causes many) and upload again",
        "zh": "……另有 {n} 个问题未列出；请先修改以上问题（往往一个列或城市标识会引起许多问题）后重新上传"},
}

# Words inside parameters that have their own translation.
CHANGE_ZH = {"merged": "已撤销并入", "upgraded": "已撤地设市", "renamed": "已更名",
             "changed": "已调整"}
POLICY_ZH = {"refuse": "拒绝", "mean": "全国均值", "province_mean": "本省均值", "zero": "填 0"}
WHAT_ZH = {"zip": "ZIP 压缩包（Excel .xlsx 工作簿？请将扩展名改为 .xlsx）",
           "ole": "旧版 Excel .xls / OLE 文件（请另存为 .xlsx 或 CSV）",
           "pdf": "PDF 文档", "png": "PNG 图片", "jpeg": "JPEG 图片", "gif": "GIF 图片",
           "gzip": "gzip 压缩包"}


def render(kind: str, params: dict | None, lang: str = "en") -> str:
    """The message of ``kind`` in ``lang`` ("zh" or "en"); KeyError for an unknown kind, so
    a missing translation fails in tests rather than showing a raw key to a user."""
    lang = "en" if lang == "en" else "zh"
    return CATALOGUE[kind][lang].format(**(params or {}))


def location(file, row, column, lang: str = "en") -> str:
    """Where a message points: file, spreadsheet row and column, exact in both languages."""
    if lang == "en":
        where = [file or "<data>"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        return ", ".join(where)
    where = [file or "<数据>"]
    if row is not None:
        where.append(f"第 {row} 行")
    if column is not None:
        where.append(f"「{column}」列")
    return "，".join(where)


def join_located(where: str, message: str, lang: str) -> str:
    return f"{where}: {message}" if lang == "en" else f"{where}：{message}"


class Notice(str):
    """A warning: its English line as a ``str``, plus ``kind``, ``params`` and location.

    ``file`` may also name a system (``ndrc-2017``) or be None for no prefix; ``row`` and
    ``column`` follow :class:`scoring.problems.Problem`.
    """

    kind: str
    params: dict
    file: str | None
    row: int | None
    column: str | None
    prefix: bool

    def __new__(cls, text: str = "", kind: str = "text", params: dict | None = None,
                file: str | None = None, row: int | None = None, column: str | None = None,
                prefix: bool = False):
        obj = super().__new__(cls, text)
        obj.kind, obj.params = kind, dict(params or {})
        obj.file, obj.row, obj.column, obj.prefix = file, row, column, prefix
        return obj

    @classmethod
    def make(cls, kind: str, params: dict | None = None, *, file: str | None = None,
             row: int | None = None, column: str | None = None) -> Notice:
        """Build from the catalogue; ``file`` (and row/column) become the location prefix."""
        params = dict(params or {})
        text = render(kind, params, "en")
        has_where = file is not None or row is not None or column is not None
        if has_where:
            text = join_located(location(file, row, column, "en"), text, "en")
        return cls(text, kind, params, file, row, column, has_where)

    def render(self, lang: str = "en") -> str:
        if lang == "en" or self.kind not in CATALOGUE:
            return str(self)
        try:
            text = render(self.kind, self.params, lang)
        except (KeyError, IndexError, ValueError):  # built by hand without its parameters
            return str(self)
        if self.prefix:
            text = join_located(location(self.file, self.row, self.column, lang), text, lang)
        return text

    @property
    def message_zh(self) -> str:
        return self.render("zh")

    def relocated(self, old: str, new: str) -> Notice:
        """The same notice with the text ``old`` (a temp path) replaced by ``new`` (the name
        the user knows) in its location, parameters and English line."""
        def swap(v):
            return v.replace(old, new) if isinstance(v, str) and old else v

        return Notice(swap(str(self)), self.kind, {k: swap(v) for k, v in self.params.items()},
                      swap(self.file), self.row, swap(self.column), self.prefix)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": self.params, "file": self.file, "row": self.row,
                "column": self.column, "message": str(self), "message_zh": self.message_zh}

    def __reduce__(self):
        return (Notice, (str(self), self.kind, self.params, self.file, self.row, self.column,
                         self.prefix))


def notice(kind: str, params: dict | None = None, **where) -> Notice:
    return Notice.make(kind, params, **where)


def render_warning(w, lang: str = "en") -> str:
    """Any warning (a :class:`Notice` or a plain string from elsewhere) in ``lang``."""
    return w.render(lang) if isinstance(w, Notice) else str(w)


def prefixed(prefix: str, w) -> Notice:
    """``w`` with a scope such as a system id in front (``ndrc-2018: ...``)."""
    if isinstance(w, Notice) and not w.prefix:
        return Notice(f"{prefix}: {w}", w.kind, w.params, prefix, None, None, True)
    if isinstance(w, Notice):
        return w
    return Notice(f"{prefix}: {w}", "text", {}, prefix, None, None, True)


def notice_of_problem(p) -> Notice:
    """A warning-severity :class:`~scoring.problems.Problem` as a warning line."""
    key = p.message_key if p.message_key in CATALOGUE else "text"
    return Notice(str(p), key, p.params, p.file, p.row, p.column, True)
