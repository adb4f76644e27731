"""Real responses validated against the schemas the OpenAPI document declares for them.

OpenAPI 3.0 schemas are JSON Schema plus ``nullable``; the test turns ``nullable`` into a
``null`` type and closes every object that lists its properties (``additionalProperties:
false`` unless declared), so a field added to a response but not to the document fails here.
"""

from __future__ import annotations

import io

import jsonschema
import pytest

from cityrank import paths

DATASET = "ndrc-2017-simulated"


def strict(schema):
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
    if schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema:
        out["additionalProperties"] = False
    return out


@pytest.fixture(scope="module")
def doc(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def response_schema(doc, path, status="200", method="get", mime="application/json"):
    schema = doc["paths"][path][method]["responses"][status]["content"][mime]["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return strict(schema)


def check(body, schema):
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(body, schema, cls=jsonschema.Draft7Validator)


def test_datasets_list_and_one_dataset_match(client, doc):
    check(client.get("/api/v1/datasets").get_json(), response_schema(doc, "/datasets"))
    body = client.get(f"/api/v1/datasets/{DATASET}").get_json()
    schema = response_schema(doc, "/datasets/{dataset}")
    check(body, schema)
    assert {"source_zh", "warnings_zh"} <= set(schema["properties"]) and body["warnings_zh"]


@pytest.mark.parametrize("key", ["330100", "371200", "510100"])
def test_city_detail_matches(client, doc, key):
    body = client.get(f"/api/v1/datasets/{DATASET}/cities/{key}").get_json()
    check(body, response_schema(doc, "/datasets/{dataset}/cities/{code}"))
    assert body["province_en"]


def test_errors_match(client, doc):
    r = client.get("/api/v1/datasets/no-such-dataset")
    assert r.status_code == 404
    check(r.get_json(), response_schema(doc, "/datasets/{dataset}", "404"))


def _post(client, data: bytes, name: str, **form):
    fields = {"file": (io.BytesIO(data), name), "system": "ndrc-2017", **form}
    return client.post("/api/v1/datasets", data=fields, content_type="multipart/form-data")


def test_upload_400_with_problems_matches(client, doc):
    text = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[len(row) - 1] = "abc"
    bad = "\n".join([text[0], ",".join(row), *text[2:]]).encode("utf-8")
    r = _post(client, bad, "bad.csv")
    assert r.status_code == 400, r.get_json()
    body = r.get_json()
    check(body, response_schema(doc, "/datasets", "400", "post"))
    assert body["error"]["message_zh"] and body["problems"][0]["message_zh"]
    assert any(p["column"] == header[-1] and p["row"] == 2 for p in body["problems"])


def test_upload_400_bad_parameter_matches(client, doc):
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    r = _post(client, data, "top10.csv", encoding="latin-9")
    assert r.status_code == 400
    check(r.get_json(), response_schema(doc, "/datasets", "400", "post"))


def test_upload_201_matches(client, doc):
    data = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
    r = _post(client, data, "top10.csv")
    assert r.status_code == 201, r.get_json()
    check(r.get_json(), response_schema(doc, "/datasets", "201", "post"))


def test_strict_check_catches_an_undocumented_field(client, doc):
    body = client.get(f"/api/v1/datasets/{DATASET}").get_json() | {"undocumented": 1}
    with pytest.raises(jsonschema.ValidationError):
        check(body, response_schema(doc, "/datasets/{dataset}"))


def test_template_route_documented_and_served(client, doc):
    op = doc["paths"]["/systems/{system}/template.xlsx"]["get"]
    assert "400" in op["responses"]
    r = client.get("/api/v1/systems/ndrc-2017/template.xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"


def test_covariates_and_a_city_with_covariates_match(app, client, doc):
    """A dataset with covariates kept with it (as ``cityrank covariates --dataset`` stores
    them): its covariates document and a city's payload match their schemas."""
    import pandas as pd

    store = app.extensions["cityrank"].store
    values = pd.DataFrame({"人口": [1237.6, None], "light": [7.0, 3.5]}, index=["330100", "330200"])
    meta = [{"name": "人口", "kind": "table", "source": "pop.csv", "statistic": "人口", "unit": "万人",
             "crs": "", "nodata": "", "band": 1, "date": "2020", "note": ""},
            {"name": "light", "kind": "raster", "source": "ntl.tif", "statistic": "mean",
             "unit": "nW/cm²/sr", "crs": "EPSG:4326", "nodata": "-9999.0", "band": 1, "date": "",
             "note": ""}]
    store.put_covariates(DATASET, values, meta)
    try:
        body = client.get(f"/api/v1/datasets/{DATASET}/covariates").get_json()
        check(body, response_schema(doc, "/datasets/{dataset}/covariates"))
        assert body["count"] == 2 and body["units"]
        city = client.get(f"/api/v1/datasets/{DATASET}/cities/330100").get_json()
        check(city, response_schema(doc, "/datasets/{dataset}/cities/{code}"))
        assert [c["name"] for c in city["covariates"]] == ["人口", "light"]
    finally:
        store.delete_covariates(DATASET)
    assert client.get(f"/api/v1/datasets/{DATASET}/covariates").get_json()["count"] == 0
