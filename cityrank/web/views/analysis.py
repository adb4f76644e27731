"""The spatial analysis report of a dataset (blueprint ``analysis``).

* ``/analysis/`` and ``/analysis/<dataset>`` -- the report page: the core's report template
  (``cityrank/geo/analysis/templates/report.html``, also the CLI's ``analyze --html``) with this
  page's form (``templates/analysis.html``);
* ``POST /analysis/<dataset>/covariates`` -- a covariates table (CSV/XLSX keyed like data
  files) whose columns become the page's explanatory variables;
* ``/analysis/<dataset>/<name>.png`` -- the maps and the gradient chart;
* ``/api/v1/datasets/<dataset>/analysis`` -- the same report as JSON.

Parameters, computation and caching: :mod:`cityrank.service.analysis`.
"""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for

from cityrank.errors import DataError
from cityrank.i18n import t
from cityrank.service import analysis
from cityrank.service.uploads import MAX_BYTES
from cityrank.web.i18n import norm_lang
from cityrank.web.respond import respond, site
from cityrank.web.views.upload import _same_origin

# The core's report templates, found without importing the analysis modules (PySAL, scipy):
# the viewer starts without them and loads them with the first report.
bp = Blueprint("analysis", __name__, template_folder=str(files("cityrank.geo.analysis") / "templates"))


def _args() -> dict:
    return request.args.to_dict() | {"x": request.args.getlist("x")}


@bp.route("/analysis/")
@bp.route("/analysis/<dataset_id>")
def page(dataset_id: str | None = None):
    return render_template("analysis.html", **analysis.page_context(site(), dataset_id, _args(), request.script_root))


@bp.route("/analysis/<dataset_id>/covariates", methods=["POST"])
def covariates(dataset_id: str):
    if not _same_origin():
        abort(403)
    lang = norm_lang(request.args.get("lang"))
    f = request.files.get("file")
    try:
        if f is None or not f.filename:
            raise DataError(t("report.covariates_no_file", lang))
        key = analysis.covariates_upload(site(), dataset_id, f.read(MAX_BYTES + 1), f.filename)
    except DataError as exc:
        ctx = analysis.page_context(site(), dataset_id, _args(), request.script_root)
        ctx["notes"].append(t("report.covariates_problem", lang, detail=str(exc)))
        return render_template("analysis.html", **ctx), 400
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "cov"] + [("cov", key)]
    return redirect(url_for("analysis.page", dataset_id=dataset_id) + "?" + urlencode(query), 303)


@bp.route("/analysis/<dataset_id>/<name>.png")
def image(dataset_id: str, name: str):
    return respond(analysis.image(site(), dataset_id, name, _args()))


@bp.route("/api/v1/datasets/<dataset_id>/analysis")
def report_json(dataset_id: str):
    return respond(analysis.report_json(site(), dataset_id, _args()))
