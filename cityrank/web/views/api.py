"""JSON API ``/api/v1``: datasets, systems, scores (JSON/CSV), cities, summaries, geometry."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from cityrank.web import api_service as svc_api
from cityrank.web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _svc():
    return current_app.extensions["cityrank"]


@bp.route("/")
def root():
    return jsonify(svc_api.index())


@bp.route("/openapi.json")
def openapi():
    return Response(current_app.json.dumps(openapi_document()), mimetype="application/vnd.oai.openapi+json")


@bp.route("/datasets")
def datasets():
    return jsonify(svc_api.datasets(_svc()))


@bp.route("/datasets/<dataset>")
def dataset(dataset: str):
    return jsonify(svc_api.dataset(_svc(), dataset))


@bp.route("/datasets/<dataset>/system")
def system(dataset: str):
    return jsonify(svc_api.system(_svc(), dataset))


@bp.route("/datasets/<dataset>/scores")
def scores(dataset: str):
    return svc_api.scores(_svc(), dataset, request.args)


@bp.route("/datasets/<dataset>/summary")
def summary(dataset: str):
    return jsonify(svc_api.summary(_svc(), dataset, request.args))


@bp.route("/datasets/<dataset>/cities/<code>")
def city(dataset: str, code: str):
    return jsonify(_svc().city(dataset, code))


@bp.route("/geometry")
def geometry():
    return svc_api.geometry(_svc(), request.args)
