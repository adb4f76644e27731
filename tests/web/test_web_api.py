"""The JSON API: datasets, systems, scores (JSON/CSV), cities, summaries, geometry, errors."""

from __future__ import annotations

import csv
import io
import json

DATASET = "ndrc-2017-simulated"
PUBLISHED = "ndrc-2017-top10"


def test_datasets_lists_both_and_flags_synthetic(client):
    r = client.get("/api/v1/datasets")
    assert r.status_code == 200
    body = r.get_json()
    ids = {d["id"]: d for d in body["datasets"]}
    assert body["default"] == DATASET
    assert ids[DATASET]["synthetic"] is True
    assert ids[PUBLISHED]["synthetic"] is False
    assert body["synthetic"] is True


def test_dataset_detail_has_indicators_at_every_level(client):
    body = client.get(f"/api/v1/datasets/{DATASET}").get_json()
    levels = {i["level"] for i in body["indicators"]}
    assert {0, 1, 2, 3} <= levels
    assert body["indicators"][0]["id"] == "total"
    assert body["synthetic"] is True


def test_system_is_json(client):
    body = client.get(f"/api/v1/datasets/{DATASET}/system").get_json()
    assert body["synthetic"] is True and body["system"]


def test_scores_json_ranked_293(client):
    body = client.get(f"/api/v1/datasets/{DATASET}/scores").get_json()
    assert body["synthetic"] is True
    assert body["count"] == 293 == len(body["scores"])
    ranks = [s["rank"] for s in body["scores"]]
    assert ranks[0] == 1 and ranks == sorted(ranks)


def test_published_top10_has_qingdao_first(client):
    body = client.get(f"/api/v1/datasets/{PUBLISHED}/scores").get_json()
    assert body["synthetic"] is False
    first = body["scores"][0]
    assert first["name"] == "青岛市" and first["rank"] == 1
    assert abs(first["total"] - 68.4) <= 0.11  # L1 scores sum to 68.3; published 68.4


def test_scores_csv_carries_synthetic_column(client):
    r = client.get(f"/api/v1/datasets/{DATASET}/scores?format=csv&indicator=total")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == 293
    assert set(rows[0]) >= {"code", "name", "total", "rank", "synthetic"}
    assert rows[0]["synthetic"] == "True"


def test_city_detail_hangzhou(client):
    body = client.get(f"/api/v1/datasets/{PUBLISHED}/cities/330100").get_json()
    assert body["name"] == "杭州市" and body["rank"] == 2 and abs(body["total"] - 67.7) <= 0.11
    assert body["synthetic"] is False
    names = {n["name"] for n in body["neighbours"]}
    assert {"湖州市", "嘉兴市", "绍兴市"} <= names
    assert any(k.startswith("cluster_mean:yrd") for k in body["comparisons"][0])


def test_summary_published_bins(client):
    body = client.get(f"/api/v1/datasets/{DATASET}/summary").get_json()
    assert body["synthetic"] is True
    s = body["summary"]
    assert abs(s["mean"] - 45.1) < 1.0


def test_errors_are_json_with_status(client):
    r = client.get("/api/v1/datasets/nope/scores")
    assert r.status_code == 404 and "nope" in r.get_json()["error"]["message"]
    r = client.get(f"/api/v1/datasets/{DATASET}/cities/999999")
    assert r.status_code == 404 and "999999" in r.get_json()["error"]["message"]
    r = client.get(f"/api/v1/datasets/{DATASET}/scores?format=xml")
    assert r.status_code == 400 and "xml" in r.get_json()["error"]["message"]
    r = client.get(f"/api/v1/datasets/{DATASET}/scores?indicator=bogus")
    assert r.status_code == 400 and "bogus" in r.get_json()["error"]["message"]
    r = client.get("/api/v1/geometry?precision=99")
    assert r.status_code == 400


def test_geometry_geojson_joined(client):
    r = client.get(f"/api/v1/geometry?dataset={DATASET}")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    body = json.loads(r.data)
    assert body["synthetic"] is True
    feats = body["features"]
    assert len(feats) == 375
    scored = [f for f in feats if f["properties"]["status"] == "scored"]
    assert len(scored) == 293
    assert all(isinstance(f["properties"]["rank"], int) for f in scored)
    taiwan = next(f for f in feats if f["id"] == "710000")
    assert taiwan["properties"]["total"] is None


def test_geometry_topojson(client):
    r = client.get("/api/v1/geometry?format=topojson")
    body = json.loads(r.data)
    assert body["type"] == "Topology" and body["synthetic"] is False
    (obj,) = body["objects"].values()
    assert len(obj["geometries"]) == 375


def test_openapi_document_lists_paths(client):
    r = client.get("/api/v1/openapi.json")
    doc = json.loads(r.data)
    assert doc["openapi"].startswith("3.")
    assert "/datasets/{dataset}/scores" in doc["paths"] and "/geometry" in doc["paths"]
    # every documented path answers (with the first dataset and Hangzhou filled in)
    for path in doc["paths"]:
        url = "/api/v1" + (path.replace("{dataset}", DATASET).replace("{code}", "330100")
                           .replace("{system}", "ndrc-2017"))
        assert client.get(url).status_code == 200, url


def test_city_by_name_traditional_and_historical_code(client):
    for key in ("杭州", "杭州市", "156330100"):
        assert client.get(f"/api/v1/datasets/{DATASET}/cities/{key}").get_json()["code"] == "330100"
    laiwu = client.get(f"/api/v1/datasets/{DATASET}/cities/371200").get_json()
    assert laiwu["code"] == "370100" and laiwu["resolved_from"] == "371200" and "莱芜" in laiwu["warning"]
    r = client.get(f"/api/v1/datasets/{DATASET}/cities/不存在市")
    assert r.status_code == 404 and "不存在市" in r.get_json()["error"]["message"]
