"""Years compared on the two bundled (simulated) years: Kendall's τ equal to scipy's and
giddy's on the same ranks, giddy's spatial statistics, convergence that the generator built in,
the regional gap in the reports' wording; the same through the API, the change page (with its
change map) and ``cityrank compare``."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from giddy.markov import Spatial_Markov
from giddy.rank import SpatialTau, Tau
from scipy.stats import kendalltau, linregress

from cityrank import paths
from cityrank.cli import main
from cityrank.geo.analysis.change import compare
from cityrank.scoring.pipeline import score_file
from cityrank.web.app import create_app

A, B = "ndrc-2017-simulated", "ndrc-2019-simulated"


@pytest.fixture(scope="module")
def app():
    app = create_app({"TESTING": True, "ANALYSIS_PERMUTATIONS": 99})
    yield app
    app.extensions["cityrank"].close()


@pytest.fixture(scope="module")
def years():
    a = score_file("ndrc-2017", paths.DEMO_DIR / f"{A}.csv").scores
    b = score_file("ndrc-2017", paths.DEMO_DIR / f"{B}.csv").scores
    return a, b


@pytest.fixture(scope="module")
def weights(app, years):
    from cityrank.service.compare import weights

    return weights(app.extensions["cityrank"], list(years[0]["code"]))


def test_kendall_tau_equals_scipy_and_giddy_on_the_same_ranks(years):
    a, b = years
    res = compare(a, b, year_from=2017, year_to=2019)
    ranks = a.set_index("code")["rank"], b.set_index("code").loc[a["code"], "rank"]
    ra, rb = ranks[0].loc[a["code"]].to_numpy(), ranks[1].to_numpy()
    mob = res.stats["mobility"]
    assert mob["kendall_tau"] == pytest.approx(kendalltau(ra, rb).statistic, abs=1e-12)
    assert mob["giddy_tau"] == pytest.approx(Tau(ra, rb).tau, abs=1e-12)
    assert mob["kendall_tau"] == pytest.approx(mob["giddy_tau"], abs=1e-12)
    assert 0.5 < mob["kendall_tau"] < 0.8  # ranks move, but 2019 is not a reshuffle
    assert res.stats["moves"]["up"] + res.stats["moves"]["down"] + res.stats["moves"]["same"] == 293


def test_spatial_statistics_are_giddys(years, weights):
    a, b = years
    res = compare(a, b, year_from=2017, year_to=2019, weights=weights, permutations=99, seed=7)
    mob = res.stats["mobility"]
    order = [weights.ids.index(c) for c in res.table["code"]]
    inv = np.argsort(order)
    ya, yb = res.table["total_from"].to_numpy()[inv], res.table["total_to"].to_numpy()[inv]
    np.random.seed(7)
    st = SpatialTau(ya, yb, weights.w, 99)
    assert mob["spatial_tau"] == pytest.approx(st.tau_spatial, abs=1e-12)
    assert mob["spatial_tau_p"] == pytest.approx(st.tau_spatial_psim)
    sm = Spatial_Markov(np.column_stack([ya / ya.mean(), yb / yb.mean()]), weights.w, k=5, m=5,
                        fixed=True)
    assert np.allclose(mob["markov"]["p"], np.round(sm.p, 4))
    assert mob["markov"]["chi2"] == pytest.approx(sm.x2)


def test_convergence_and_regional_gap_as_simulated(years):
    a, b = years
    res = compare(a, b, year_from=2017, year_to=2019, columns=("perception",))
    st = res.stats
    assert st["mean"]["from"] == pytest.approx(45.1, abs=0.005)
    assert st["mean"]["to"] == pytest.approx(52.97, abs=0.005)
    assert st["sigma"]["converging"] and st["sigma"]["cv_to"] < st["sigma"]["cv_from"]
    fit = linregress(np.log(res.table["total_from"]),
                     np.log(res.table["total_to"] / res.table["total_from"]) / 2)
    assert st["beta"]["beta"] == pytest.approx(fit.slope) and st["beta"]["converging"]
    gaps = {r["region"]: r["gap_to"] for r in st["regions"]["regions"]}
    assert gaps["East"] > 4 and gaps["Central"] > 4 and gaps["Northeast"] < -4 and gaps["West"] < -4
    zh, en = res.findings["zh"], res.findings["en"]
    assert zh[0] == "293 个城市的平均得分由2017年的 45.10 分提高到2019年的 52.97 分，提高 17.45%。"
    assert any("东部（高 5.0 个百分点）、中部（高 4.5 个百分点）" in s and s.startswith("2019年")
               for s in zh)
    assert any("β收敛" in s for s in zh) and any("σ-convergence" in s for s in en)
    assert "change_perception" in res.table.columns


def test_cities_in_one_year_only_are_listed_not_dropped(years):
    a, b = years
    b2 = b[b["code"] != "370100"]
    res = compare(a, b2, year_from=2017, year_to=2019)
    assert res.stats["n"] == 292 and res.stats["only_from"] == ["370100"]
    assert any("370100" in s for s in res.findings["zh"])


def test_api_compare(app):
    c = app.test_client()
    body = c.get(f"/api/v1/compare?from={A}&to={B}").get_json()
    assert body["synthetic"] is True and body["from"]["year"] == 2017 and body["to"]["year"] == 2019
    assert body["n"] == 293 and len(body["units"]) == 293 and body["findings_zh"]
    assert body["mobility"]["kendall_tau"] == pytest.approx(body["mobility"]["giddy_tau"])
    default = c.get("/api/v1/compare").get_json()  # the oldest and newest comparable years
    assert default["from"]["id"] == A and default["to"]["id"] == B
    assert c.get(f"/api/v1/compare?from={A}&to={A}").status_code == 400
    assert c.get(f"/api/v1/compare?from={A}&to=nope").status_code == 404
    datasets = c.get("/api/v1/datasets").get_json()["datasets"]
    assert {d["id"]: d["year"] for d in datasets} == {A: 2017, "ndrc-2017-top10": 2017, B: 2019}
    assert all(d["kind"] == "bundled" and d["revision"] >= 1 for d in datasets)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_change_page_with_year_selector_and_change_map(app, lang):
    c = app.test_client()
    r = c.get(f"/change?from={A}&to={B}&lang={lang}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="c-from"' in html and 'id="c-to"' in html
    assert re.search(rf'<option value="{B}" selected>2019 ·', html)
    assert "data-cr-map" in html and "cr-change-map" in html  # the one map client
    cfg = json.loads(re.search(r'<script type="application/json" class="cr-config">(.*?)</script>',
                               html, re.S).group(1))
    assert cfg["indicator"] == "change" and cfg["values"]["n"] > 280 and cfg["dataset"]["synthetic"]
    again = c.get(cfg["urls"]["values"].replace("{indicator}", "rank_change"))
    assert again.status_code == 200 and again.headers["ETag"]
    moved = again.get_json()
    assert moved["indicator"] == "rank_change" and moved["synthetic"] is True
    assert sorted(moved["codes"]) == sorted(cfg["values"]["codes"])
    assert "cr-synthetic" in html  # simulated, said on the page and on the map
    assert ("总分变化（2017→2019）" if lang == "zh" else "Change of the total (2017→2019)") in html
    assert html.count("<tr>") > 293
    csp = r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    rank = c.get(f"/change?from={A}&to={B}&value=rank_change&lang={lang}")
    assert rank.status_code == 200 and "rank_change" in rank.get_data(as_text=True)
    assert c.get(f"/change?from={A}&to={B}&value=nope").status_code == 400


def test_cli_compare_prints_tau_equal_to_scipys(capsys, years, tmp_path):
    a, b = years
    ra = a.set_index("code")["rank"]
    rb = b.set_index("code").loc[ra.index, "rank"]
    tau = kendalltau(ra.to_numpy(), rb.to_numpy()).statistic
    out_csv = tmp_path / "change.csv"
    code = main(["compare", "--from", A, "--to", B, "--permutations", "99", "--top", "3",
                 "--out", str(out_csv)])
    out = capsys.readouterr().out
    assert code == 0
    m = re.search(r"肯德尔 τ-b（scipy）= ([\d.]+)；giddy Tau = ([\d.]+)", out)
    assert m and float(m.group(1)) == pytest.approx(tau, abs=1e-6) == float(m.group(2))
    assert "模拟数据" in out and "排名上升最多的 3 个城市" in out and "σ收敛" in out
    assert out_csv.exists() and "synthetic" in out_csv.read_text(encoding="utf-8").splitlines()[0]
    code = main(["compare", "--from", A, "--to", "ndrc-2017-top10", "--lang", "en"])
    assert code == 0  # same system: the 10 cities of the published table
    assert main(["compare", "--from", A, "--to", "nope", "--lang", "en"]) == 2
