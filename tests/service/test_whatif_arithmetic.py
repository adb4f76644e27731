"""The map client's what-if arithmetic (``web/static/map/whatif.js``, run here under Node)
against the Python scoring core: with the published weights it gives the published totals
and ranks, and with the reader's first-level weights it gives what
``scoring.engine.score(..., weighting="user", weights=...)`` gives -- for the bundled
293-city data, the published top 10 (宁波 and 佛山 tied), and a system with a deduction item
under arithmetic and geometric aggregation. The block it reads comes from
``service.mapclient`` (the values payload of the total)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cityrank import paths
from cityrank.scoring.engine import score
from cityrank.scoring.system import load_system
from cityrank.service import mapclient
from cityrank.service.site import Site

WHATIF_JS = paths.WEB_DIR / "static" / "map" / "whatif.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is needed to run whatif.js")

RUNNER = """
import { totals, ranks, reweigh } from %s;
let text = "";
process.stdin.on("data", (c) => { text += c; });
process.stdin.on("end", () => {
  const { payload, weights } = JSON.parse(text);
  const out = weights.map((w) => {
    const t = totals(payload.whatif, w);
    const p = reweigh(payload, w);
    return { totals: Array.from(t), ranks: Array.from(ranks(t)),
             order: p.codes, order_ranks: p.ranks, intervals: p.intervals };
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def run_js(payload: dict, weights: list[list[float]]) -> list[dict]:
    src = RUNNER % json.dumps(WHATIF_JS.as_uri())
    done = subprocess.run([NODE, "--input-type=module", "-e", src], capture_output=True, text=True,
                          input=json.dumps({"payload": payload, "weights": weights}), timeout=60,
                          check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def site():
    return Site(None)


def _core(system, data, ids, w, **kw) -> pd.DataFrame:
    return score(system, data, weighting="user", weights=dict(zip(ids, w, strict=True)), **kw).set_index("code")


@pytest.mark.parametrize("dataset", ["ndrc-2017-simulated", "ndrc-2017-top10"])
def test_published_and_changed_weights_equal_the_core(site, dataset):
    ds = site.dataset(dataset)
    payload = mapclient.values_payload(site, ds.id, "total")
    block = payload["whatif"]
    assert block["ids"] == ["perception", "management", "services", "cyberspace", "collaboration"]
    assert block["weights"] == [15.0, 25.0, 25.0, 15.0, 20.0] and block["total_max"] == 100.0
    published = block["weights"]
    changed = [[30, 20, 20, 15, 15], [1, 1, 1, 1, 96], [50, 10, 10, 20, 10]]
    js = run_js(payload, [published, *changed])

    # the published weights: the dataset's own totals and ranks (ties included)
    s = ds.scores().set_index("code").loc[payload["codes"]]
    assert_allclose(js[0]["totals"], s["total"], atol=1e-9)
    assert js[0]["ranks"] == [int(r) for r in s["rank"]] == payload["ranks"]
    assert js[0]["order"] == payload["codes"] and js[0]["intervals"] is None

    data = ds.raw()[0]
    base = score(ds.system, data).set_index("code")
    assert_allclose(base.loc[payload["codes"], "total"], s["total"], atol=1e-9)  # the same core run
    for w, out in zip(changed, js[1:], strict=True):
        core = _core(ds.system, data, block["ids"], w).loc[payload["codes"]]
        assert_allclose(out["totals"], core["total"], atol=1e-9)
        assert out["ranks"] == [int(r) for r in core["rank"]]
        # the payload's order is the core's (rank, code) order
        order = core.reset_index().sort_values(["rank", "code"], kind="stable")
        assert out["order"] == list(order["code"]) and out["order_ranks"] == [int(r) for r in order["rank"]]
        assert out["ranks"] != js[0]["ranks"]  # the weights change the ranking


def test_top10_tie_is_shared_as_the_core_shares_it(site):
    payload = mapclient.values_payload(site, "ndrc-2017-top10", "total")
    out = run_js(payload, [payload["whatif"]["weights"], [15, 25, 25, 15, 20.5]])
    by_code = [dict(zip(payload["codes"], o["ranks"], strict=True)) for o in out]
    assert by_code[0]["330200"] == by_code[0]["440600"] == 7  # 宁波, 佛山 tied 7th
    assert by_code[0]["330200"] != 8 and 8 not in by_code[0].values()
    assert by_code[1]["330200"] != by_code[1]["440600"]  # more weight on collaboration parts them


def _deduction_case(aggregation: str):
    s = copy.deepcopy(load_system("ndrc-2018"))
    s.aggregation = aggregation
    s.geometric_offset = 0.01 if aggregation == "geometric" else None
    rng = np.random.default_rng(9)
    cols = [n for n in s.first_level if not s.nodes[n].deduction]
    codes = pd.Index([f"{110000 + 100 * i}" for i in range(40)], name="code")
    data = pd.DataFrame(rng.uniform(0.2, 1.0, size=(40, len(cols))) * [s.nodes[c].max_points for c in cols],
                        columns=cols, index=codes).round(2)
    data["security"] = rng.choice([0.0, 0.0, 1.0, 2.5, 90.0], size=40)  # 90: capped at the total
    return s, data, cols


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric"])
def test_deductions_and_geometric_mean_equal_the_core(aggregation):
    s, data, cols = _deduction_case(aggregation)
    scores = score(s, data)
    codes = list(scores["code"])
    block = mapclient.whatif(s, scores, codes)
    assert block["aggregation"] == aggregation and block["ids"] == cols and len(block["deductions"]) == 1
    payload = {"codes": codes, "ranks": [int(r) for r in scores["rank"]], "whatif": block, "intervals": None}
    changed = [list(np.linspace(1, 3, len(cols))), [5.0] * len(cols)]
    js = run_js(payload, [block["weights"], *changed])
    assert_allclose(js[0]["totals"], scores["total"], atol=1e-9)
    assert js[0]["ranks"] == payload["ranks"]
    assert min(js[0]["totals"]) == 0.0  # a deduction never takes a total below zero
    for w, out in zip(changed, js[1:], strict=True):
        core = _core(s, data, cols, w).loc[codes]
        assert_allclose(out["totals"], core["total"], atol=1e-9)
        assert out["ranks"] == [int(r) for r in core["rank"]]


def test_copeland_and_other_indicators_carry_no_block(site):
    s, data, cols = _deduction_case("arithmetic")
    s.aggregation = "copeland"
    scores = score(s, data)
    assert mapclient.whatif(s, scores, list(scores["code"])) is None
    assert mapclient.values_payload(site, "ndrc-2017-top10", "perception")["whatif"] is None


def test_the_block_in_the_cached_values_json(site):
    """The values endpoint's JSON (cached, ETag'd) carries the block for the total only."""
    res = mapclient.values(site, "ndrc-2017-simulated", {"indicator": "total"})
    body = json.loads(res.body)
    assert res.etag and len(body["whatif"]["points"][0]) == body["n"] == 293
    assert mapclient.values(site, "ndrc-2017-simulated", {"indicator": "total"}) is res  # cached
