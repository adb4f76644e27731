"""Upload pages and API: ``/upload`` (form, result, delete), ``POST /api/v1/datasets``,
``DELETE /api/v1/datasets/<id>`` and the Excel template ``/api/v1/systems/<id>/template.xlsx``.

The logic lives in :mod:`cityrank.service.uploads`; these views parse the request, refuse
cross-origin posts (the form is same-origin, and the API's ``Access-Control-Allow-Origin: *``
must not let another site's page push files into the viewer) and serialise. Uploads over a
budget (rate, busy pool, quota) get 429/503/507 with a message in the page's language and
``Retry-After`` where waiting helps; nothing of them is stored.

The delete token of a form upload is kept in an HttpOnly cookie scoped to the upload's own
result page, so only the uploader's browser can delete it; API clients get it in the 201
response (``delete_token``) and send it as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from cityrank.errors import AccessError, QuotaError
from cityrank.i18n import t
from cityrank.scoring.messages import render_warning
from cityrank.service import uploads as up
from cityrank.web.i18n import norm_lang
from cityrank.web.respond import respond, site

bp = Blueprint("upload", __name__)
COOKIE = "cr_delete_"


def ut(key: str, lang: str, **kw) -> str:
    """The upload pages' strings (catalogue domain ``upload``)."""
    return t(f"upload.{key}", lang, **kw)


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


def _form_page(lang: str, status: int = 200, values=None, outcome=None, headers=None, **ctx):
    values = request.values if values is None else values
    page = render_template("upload.html", lang=lang, ut=ut, render_warning=render_warning,
                           **up.form_context(site(), values, outcome), **ctx)
    return page, status, headers or {}


def _run(lang: str, api: bool = False):
    """Shared by the form and the API: (outcome, None) or (None, (status, message, headers)).
    Over budget: the form shows the message on the form; the API answers as
    :func:`over_budget` does."""
    if not _same_origin():
        return None, (403, ut("cross_origin", lang), {})
    f = request.files.get("file")
    if f is None or not f.filename:
        return None, (400, ut("no_file", lang), {})
    try:
        return up.upload(site(), f.read(up.MAX_BYTES + 1), f.filename, request.form.to_dict(),
                         client=request.remote_addr), None
    except QuotaError as exc:
        if api:
            raise
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return None, (exc.status, up.limit_message(exc, lang), headers)


@bp.route("/upload", methods=["GET"])
def upload_form():
    deleted = request.args.get("deleted")
    return _form_page(_lang(), notice=ut("deleted", _lang(), id=deleted) if deleted else None)


@bp.route("/upload", methods=["POST"])
def upload_post():
    lang = _lang()
    outcome, err = _run(lang)
    if err:
        return _form_page(lang, err[0], error=err[1], headers=err[2])
    if outcome.ok:
        did = outcome.dataset.id
        resp = redirect(url_for("upload.upload_result", dataset=did, lang=lang), 303)
        resp.set_cookie(COOKIE + did.removeprefix(up.ID_PREFIX), outcome.delete_token,
                        path=f"/upload/{did}", httponly=True, samesite="Strict",
                        secure=request.is_secure, max_age=10 * 365 * 86400)
        return resp
    return _form_page(lang, 400, outcome=outcome)


def _cookie_token(dataset: str) -> str | None:
    return request.cookies.get(COOKIE + dataset.removeprefix(up.ID_PREFIX))


@bp.route("/upload/<dataset>")
def upload_result(dataset: str):
    outcome = up.stored_outcome(site(), dataset)
    return _form_page(_lang(), outcome=outcome, summary=outcome.dataset.summary(),
                      links=up.links(dataset), can_delete=bool(_cookie_token(dataset)))


@bp.route("/upload/<dataset>/delete", methods=["POST"])
def upload_delete(dataset: str):
    lang = _lang()
    if not _same_origin():
        return _form_page(lang, 403, error=ut("cross_origin", lang))
    try:
        up.delete(site(), dataset, _cookie_token(dataset))
    except AccessError:
        return _form_page(lang, 403, error=ut("not_deleted", lang))
    resp = redirect(url_for("upload.upload_form", lang=lang, deleted=dataset), 303)
    resp.delete_cookie(COOKIE + dataset.removeprefix(up.ID_PREFIX), path=f"/upload/{dataset}")
    return resp


@bp.route("/api/v1/datasets", methods=["POST"])
def api_upload():
    outcome, err = _run("en", api=True)
    if err:
        return _json_error(*err)
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


@bp.route("/api/v1/datasets/<dataset>", methods=["DELETE"])
def api_delete(dataset: str):
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    return respond(up.delete(site(), dataset, token or request.headers.get("X-Delete-Token")))


@bp.route("/api/v1/systems/<system_id>/template.xlsx")
def template(system_id: str):
    return respond(up.template(site(), system_id))


def _json_error(status: int, message: str, headers: dict | None = None,
                message_zh: str | None = None):
    body = {"error": {"status": status, "message": message}, "problems": []}
    if message_zh:
        body["error"]["message_zh"] = message_zh
    resp = jsonify(body)
    resp.status_code = status
    resp.headers.update(headers or {})
    return resp


@bp.app_errorhandler(QuotaError)
def over_budget(exc: QuotaError):
    """A QuotaError raised anywhere (uploads, heavy work): 429/503/507 + Retry-After."""
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    if request.path.startswith(("/api/", "/ogc")):
        return _json_error(exc.status, up.limit_message(exc, "en"), headers,
                           up.limit_message(exc, "zh"))
    lang = _lang()
    return render_template("error.html", status=exc.status, message=up.limit_message(exc, lang),
                           lang=lang), exc.status, headers


@bp.app_errorhandler(AccessError)
def forbidden(exc: AccessError):
    if request.path.startswith(("/api/", "/ogc")):
        return _json_error(403, str(exc), message_zh=t("store.access", "zh"))
    lang = _lang()
    return render_template("error.html", status=403, message=t("store.access", lang),
                           lang=lang), 403


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
