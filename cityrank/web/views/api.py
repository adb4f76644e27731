"""JSON API ``/api/v1``: datasets, systems, scores (JSON/CSV), rank intervals (uncertainty), covariates,
the scored workbook, cities, summaries, geometry. (``POST``/``DELETE`` of datasets: views/upload.py; ``/compare``:
views/compare.py.)"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from cityrank.service import api, cities, covariates, uncertainty
from cityrank.service.openapi import openapi_document
from cityrank.web.respond import args, respond, site

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/")
def root():
    return respond(api.index())


@bp.route("/openapi.json")
def openapi():
    return Response(current_app.json.dumps(openapi_document()), mimetype="application/vnd.oai.openapi+json")


@bp.route("/datasets")
def datasets():
    return respond(api.datasets(site()))


@bp.route("/datasets/<dataset>")
def dataset(dataset: str):
    return respond(api.dataset(site(), dataset))


@bp.route("/datasets/<dataset>/system")
def system(dataset: str):
    return respond(api.system(site(), dataset))


@bp.route("/datasets/<dataset>/scores")
def scores(dataset: str):
    return respond(api.scores(site(), dataset, args()))


@bp.route("/datasets/<dataset>/summary")
def summary(dataset: str):
    return respond(api.summary(site(), dataset, args()))


@bp.route("/datasets/<dataset>/uncertainty")
def dataset_uncertainty(dataset: str):
    return respond(uncertainty.document(site(), dataset))


@bp.route("/datasets/<dataset>/covariates")
def dataset_covariates(dataset: str):
    return respond(covariates.document(site(), dataset))


@bp.route("/datasets/<dataset>/workbook.xlsx")
def workbook(dataset: str):
    return respond(api.workbook(site(), dataset, args()))


@bp.route("/datasets/<dataset>/cities/<code>")
def city(dataset: str, code: str):
    return respond(cities.city(site(), dataset, code))


@bp.route("/geometry")
def geometry():
    return respond(api.geometry(site(), args()))
