"""Flask app factory (flaskr pattern): nothing is built at import time.

The web package is the adapter over :mod:`cityrank.service`: one blueprint per feature
(vendor assets, viewer pages, the JSON API, OGC API - Features, embeds, uploads, analysis),
views of one line around the service functions and :func:`cityrank.web.respond.respond`.
Core errors become HTTP statuses here and only here: ParameterError -> 400,
NotFoundError -> 404, any other CityrankError -> 422; API/OGC paths answer in JSON.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from cityrank.errors import CityrankError, NotFoundError, ParameterError
from cityrank.service.cache import DEFAULT_MAX_BYTES
from cityrank.service.site import Site
from cityrank.service.uploads import MAX_BYTES
from cityrank.web import compress, security
from cityrank.web.i18n import norm_lang, t

JSON_PREFIXES = ("/api/", "/ogc")


def create_app(test_config: dict | None = None) -> Flask:
    """The app. Config keys: ``DATA_DIR`` (a directory with datasets.yaml; default the bundled
    data or ``$CITYRANK_DATA``), ``STORE_DIR`` (the writable data directory: database and
    private temp files; default ``$CITYRANK_DATA_DIR`` or the per-user one), ``DATABASE_URL``
    (default ``$CITYRANK_DATABASE_URL`` or SQLite in ``STORE_DIR``), ``UPLOAD_LIMITS`` (a
    :class:`~cityrank.service.limits.UploadLimits`), ``CACHE_BYTES`` (bound of the derived cache),
    ``ANALYSIS_PERMUTATIONS``/``ANALYSIS_DRAWS`` (the analysis page), ``VENDOR_DIR``,
    ``SITE`` (a ready :class:`~cityrank.service.site.Site`, for tests), ``BIND_HOST`` (the
    address served, trusted as a host name) and ``TRUSTED_HOST_NAMES`` (default
    :func:`cityrank.web.security.trusted_hosts`: ``$CITYRANK_TRUSTED_HOSTS``, else the
    localhost names and the bound address; any other ``Host`` gets 400)."""
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=os.environ.get("CITYRANK_DATA") or None,
        MAX_CONTENT_LENGTH=MAX_BYTES,  # uploads (service/uploads.py) and request bodies
        CACHE_BYTES=DEFAULT_MAX_BYTES,
        VENDOR_DIR=None,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["cityrank"] = app.config.get("SITE") or Site(
        app.config["DATA_DIR"], cache_bytes=int(app.config["CACHE_BYTES"]),
        analysis_permutations=app.config.get("ANALYSIS_PERMUTATIONS"),
        analysis_draws=app.config.get("ANALYSIS_DRAWS"), store_dir=app.config.get("STORE_DIR"),
        database_url=app.config.get("DATABASE_URL"), limits=app.config.get("UPLOAD_LIMITS"))

    security.init_app(app)
    compress.init_app(app)

    from cityrank.web import assets
    from cityrank.web.views import analysis, api, compare, embed, maps, ogc, upload, viewer

    for bp in (assets.bp, viewer.bp, api.bp, ogc.bp, embed.bp, upload.bp, analysis.bp, maps.bp,
               compare.bp):
        app.register_blueprint(bp)
    app.jinja_env.globals["has_analysis"] = True

    _register_errors(app)
    app.jinja_env.globals.update(t=t)
    return app


def _wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.args.get("f") == "json"


def _error(status: int, message, lang: str | None = None):
    """The error as JSON (API paths) or as a page in the page's language; ``message`` is a
    string or a typed error (worded from the catalogue when it carries a key)."""
    asked = lang or request.args.get("lang")
    lang = norm_lang(asked)
    keyed = isinstance(message, CityrankError)
    if _wants_json():  # the API's messages stay English unless a language is asked for
        text = message.text(lang) if keyed and asked else str(message)
        resp = jsonify({"error": {"status": status, "message": text}})
        resp.status_code = status
        return resp
    text = message.text(lang) if keyed else str(message)
    return render_template("error.html", status=status, message=text, lang=lang), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ParameterError)
    def _bad(exc):
        return _error(400, exc)

    @app.errorhandler(NotFoundError)
    def _missing(exc):
        return _error(404, exc)

    @app.errorhandler(CityrankError)
    def _core(exc):
        return _error(422, exc)

    @app.errorhandler(HTTPException)
    def _http(exc):
        resp = app.make_response(_error(exc.code or 500, exc.description or exc.name))
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # RFC 9110 15.5.6
        for name, value in exc.get_headers():
            if name.lower() == "retry-after":
                resp.headers[name] = value
        return resp
