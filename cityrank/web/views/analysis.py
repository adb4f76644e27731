"""The spatial analysis report of a dataset (blueprint ``analysis``).

* ``/analysis/`` and ``/analysis/<dataset>`` -- the report page: the core's report template
  (``cityrank/geo/analysis/templates/report.html``, also the CLI's ``analyze --html``) with this
  page's form (``templates/analysis.html``);
* ``/analysis/<dataset>/<name>.png`` -- the maps and the gradient chart;
* ``/api/v1/datasets/<dataset>/analysis`` -- the same report as JSON.

Parameters, computation and caching: :mod:`cityrank.service.analysis`.
"""

from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, render_template, request

from cityrank.service import analysis
from cityrank.web.respond import respond, site

# The core's report templates, found without importing the analysis modules (PySAL, scipy):
# the viewer starts without them and loads them with the first report.
bp = Blueprint("analysis", __name__, template_folder=str(files("cityrank.geo.analysis") / "templates"))


def _args() -> dict:
    return request.args.to_dict() | {"x": request.args.getlist("x")}


@bp.route("/analysis/")
@bp.route("/analysis/<dataset_id>")
def page(dataset_id: str | None = None):
    return render_template("analysis.html", **analysis.page_context(site(), dataset_id, _args(), request.script_root))


@bp.route("/analysis/<dataset_id>/<name>.png")
def image(dataset_id: str, name: str):
    return respond(analysis.image(site(), dataset_id, name, _args()))


@bp.route("/api/v1/datasets/<dataset_id>/analysis")
def report_json(dataset_id: str):
    return respond(analysis.report_json(site(), dataset_id, _args()))
