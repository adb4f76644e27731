"""Flask app factory (flaskr pattern): nothing is built at import time.

One blueprint per feature: vendor assets, viewer pages, the JSON API, OGC API - Features and
embeds. Core errors become HTTP statuses here and only here: ParameterError -> 400,
NotFoundError -> 404, any other CityrankError -> 422; API/OGC paths answer in JSON.
"""

from __future__ import annotations

import importlib
import os

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from cityrank.errors import CityrankError, NotFoundError
from cityrank.web import compress, security
from cityrank.web.i18n import norm_lang, t
from cityrank.web.services import ParameterError, Services

JSON_PREFIXES = ("/api/", "/ogc")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=os.environ.get("CITYRANK_DATA") or None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,  # uploads (web/views/upload.py) and request bodies
        VENDOR_DIR=None,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["cityrank"] = test_config.get("SERVICES") if test_config and test_config.get("SERVICES") else Services(app.config["DATA_DIR"])

    security.init_app(app)
    compress.init_app(app)

    from cityrank.web import assets
    from cityrank.web.views import api, embed, ogc, upload, viewer

    for bp in (assets.bp, viewer.bp, api.bp, ogc.bp, embed.bp, upload.bp):
        app.register_blueprint(bp)
    try:  # the analysis helper's pages, when present
        analysis = importlib.import_module("cityrank.web.analysis_views")
    except ImportError:
        analysis = None
    if analysis is not None and hasattr(analysis, "bp"):
        app.register_blueprint(analysis.bp)
    app.jinja_env.globals["has_analysis"] = "analysis" in app.blueprints

    _register_errors(app)
    app.jinja_env.globals.update(t=t)
    return app


def services() -> Services:
    from flask import current_app

    return current_app.extensions["cityrank"]


def _wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.args.get("f") == "json"


def _error(status: int, message: str):
    if _wants_json():
        resp = jsonify({"error": {"status": status, "message": message}})
        resp.status_code = status
        return resp
    lang = norm_lang(request.args.get("lang"))
    return render_template("error.html", status=status, message=message, lang=lang), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ParameterError)
    def _bad(exc):
        return _error(400, str(exc))

    @app.errorhandler(NotFoundError)
    def _missing(exc):
        return _error(404, str(exc))

    @app.errorhandler(CityrankError)
    def _core(exc):
        return _error(422, str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc):
        return _error(exc.code or 500, exc.description or exc.name)
