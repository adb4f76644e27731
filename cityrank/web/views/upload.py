"""Upload pages and API: ``/upload`` (form, result), ``POST /api/v1/datasets`` and the Excel
template ``/api/v1/systems/<id>/template.xlsx``.

The logic lives in :mod:`cityrank.service.uploads`; these views parse the request, refuse
cross-origin posts (the form is same-origin, and the API's ``Access-Control-Allow-Origin: *``
must not let another site's page push files into the viewer) and serialise.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from cityrank.i18n import lookup
from cityrank.scoring.messages import render_warning
from cityrank.service import uploads as up
from cityrank.web.i18n import norm_lang
from cityrank.web.respond import respond, site

bp = Blueprint("upload", __name__)

# Strings of these pages only (zh, en); the shared table is web/i18n.py.
TEXT = {
    "upload": ("上传数据", "Upload data"),
    "intro": ("上传您自己的 CSV 或 Excel（.xlsx）数据表，按所选指标体系校验、评分，并像内置数据集一样查看地图、排名和汇总。"
              "城市可用 6 位行政区划代码或名称（含繁体字、历史区划如莱芜）标识。文件最大 2 MB，仅保存在内存中，数小时后自动删除。",
              "Upload your own CSV or Excel (.xlsx) table: it is validated and scored against the chosen "
              "indicator system and shown like a bundled dataset (map, ranking, summary). Cities may be keyed by "
              "6-digit code or by name (traditional characters and former units such as 莱芜 included). At most "
              "2 MB; kept in memory only and deleted after a few hours."),
    "file": ("数据文件（.csv / .xlsx）", "Data file (.csv / .xlsx)"),
    "file_col": ("文件", "File"),
    "system": ("指标体系", "Indicator system"),
    "encoding": ("文本编码（CSV）", "Text encoding (CSV)"),
    "auto": ("自动识别", "Detect automatically"),
    "missing": ("缺失值处理", "Missing values"),
    "refuse": ("拒绝（列为问题）", "Refuse (list as problems)"),
    "mean": ("以全国均值填补", "Fill with the national mean"),
    "province_mean": ("以本省均值填补", "Fill with the province mean"),
    "zero": ("以 0 填补", "Fill with zero"),
    "sheet": ("工作表名称（可选，默认第一个）", "Sheet name (optional, first by default)"),
    "submit": ("上传并评分", "Upload and score"),
    "template": ("下载所选指标体系的 Excel 模板", "Download the Excel template of the chosen system"),
    "api_problems": ("{file} 中有 {n} 个问题；未评分", "{n} problem(s) in {file}; nothing was scored"),
    "problems": ("发现 {n} 个问题，数据未评分。请修改文件后重新上传。",
                 "{n} problem(s) found; the data were not scored. Fix the file and upload it again."),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "message": ("问题", "Problem"),
    "warnings": ("提示", "Warnings"),
    "admin_changes": ("{n} 个城市以历史区划标识，已映射到现行单位：", "{n} city key(s) name former units, mapped to today's:"),
    "again": ("再上传一个文件", "Upload another file"),
    "coverage": ("覆盖率", "Coverage"),
    "units": ("有数据的单位", "Units with data"),
    "universe": ("参评范围内", "Of the evaluated universe"),
    "low_indicators": ("覆盖率低于 65% 的指标", "Indicators under 65% coverage"),
    "done": ("上传成功：{n} 个城市已评分。", "Uploaded: {n} cities scored."),
    "open_map": ("查看地图", "Open the map"),
    "open_ranking": ("查看排名表", "Open the ranking"),
    "open_api": ("API（JSON）", "API (JSON)"),
    "open_ogc": ("OGC 要素", "OGC features"),
    "summary": ("汇总", "Summary"),
    "mean_score": ("均值", "Mean"),
    "std": ("标准差", "Std. deviation"),
    "median": ("中位数", "Median"),
    "min_max": ("最低 / 最高", "Min / max"),
    "cv": ("变异系数（%）", "Coefficient of variation (%)"),
    "expiry": ("此数据集仅保存在服务器内存中，约 {h} 小时后或服务器重启后删除。",
               "This dataset lives in server memory only; it is deleted after about {h} hours or on restart."),
    "too_large": ("文件太大：上传上限为 {mb} MB。请删除多余的列或工作表后重试。",
                  "The file is too large: uploads are limited to {mb} MB. Remove extra columns or sheets and try again."),
    "cross_origin": ("拒绝跨站提交：上传只能来自本站页面。",
                     "Cross-site upload refused: uploads must come from this site's own pages."),
    "no_file": ("请选择要上传的文件。", "Choose a file to upload."),
    "synthetic_file": ("文件声明为模拟数据。", "The file says it holds simulated data."),
}


def ut(key: str, lang: str, **kw) -> str:
    return lookup(TEXT, key, lang, **kw)


def _lang() -> str:
    return norm_lang(request.args.get("lang"))  # never request.form: a 413 must not re-read it


def _same_origin() -> bool:
    """Browsers send Origin on every cross-origin POST (Referer as a fallback); tools such as
    curl send neither and are allowed, since they carry no victim's session."""
    own = (request.scheme, request.host)
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin == "null":
            return False
        parts = urlsplit(origin)
        return (parts.scheme, parts.netloc) == own
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return (parts.scheme, parts.netloc) == own
    return True


def _form_page(lang: str, status: int = 200, values=None, outcome=None, **ctx):
    values = request.values if values is None else values
    page = render_template("upload.html", lang=lang, ut=ut, render_warning=render_warning,
                           **up.form_context(site(), values, outcome), **ctx)
    return page, status


def _run(lang: str):
    """Shared by the form and the API: (outcome, None) or (None, (status, message))."""
    if not _same_origin():
        return None, (403, ut("cross_origin", lang))
    f = request.files.get("file")
    if f is None or not f.filename:
        return None, (400, ut("no_file", lang))
    return up.upload(site(), f.read(up.MAX_BYTES + 1), f.filename, request.form.to_dict()), None


@bp.route("/upload", methods=["GET"])
def upload_form():
    return _form_page(_lang())


@bp.route("/upload", methods=["POST"])
def upload_post():
    lang = _lang()
    outcome, err = _run(lang)
    if err:
        return _form_page(lang, err[0], error=err[1])
    if outcome.ok:
        return redirect(url_for("upload.upload_result", dataset=outcome.dataset.id, lang=lang), 303)
    return _form_page(lang, 400, outcome=outcome)


@bp.route("/upload/<dataset>")
def upload_result(dataset: str):
    outcome = up.stored_outcome(site(), dataset)
    return _form_page(_lang(), outcome=outcome, summary=outcome.dataset.summary(),
                      links=up.links(dataset))


@bp.route("/api/v1/datasets", methods=["POST"])
def api_upload():
    outcome, err = _run("en")
    if err:
        return _json_error(err[0], err[1])
    body = outcome.to_dict()
    if not outcome.ok:
        kw = {"n": len(outcome.problems), "file": outcome.filename}
        body["error"] = {"status": 400, "message": ut("api_problems", "en", **kw),
                         "message_zh": ut("api_problems", "zh", **kw)}
        resp = jsonify(body)
        resp.status_code = 400
        return resp
    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Location"] = f"/api/v1/datasets/{outcome.dataset.id}"
    return resp


@bp.route("/api/v1/systems/<system_id>/template.xlsx")
def template(system_id: str):
    return respond(up.template(site(), system_id))


def _json_error(status: int, message: str):
    resp = jsonify({"error": {"status": status, "message": message}, "problems": []})
    resp.status_code = status
    return resp


@bp.app_errorhandler(413)
def too_large(exc):
    mb = current_app.config.get("MAX_CONTENT_LENGTH", up.MAX_BYTES) // 2**20
    if request.path.startswith("/api/"):
        return _json_error(413, ut("too_large", "en", mb=mb))
    lang = _lang()
    msg = ut("too_large", lang, mb=mb)
    if request.path.startswith("/upload"):
        return _form_page(lang, 413, values=request.args, error=msg)
    return render_template("error.html", status=413, message=msg, lang=lang), 413
