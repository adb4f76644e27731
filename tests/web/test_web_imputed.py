"""Imputation is visible (issue 9): every cell a missing-value policy filled is flagged, with
the method, in the scores API (JSON and CSV), the city API and page, the ranking page and its
exports, and the dataset's workbook -- in both languages."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.web.test_web_upload import demo_frame, post

GAPS = {3: ("open_data",), 10: ("open_data", "one_stop")}


@pytest.fixture(scope="module")
def gapped(app):
    client = app.test_client()
    df = demo_frame()
    expected = {}
    for row, cols in GAPS.items():
        for col in cols:
            df.loc[row, col] = ""
        expected[str(df.loc[row, "code"])] = list(cols)
    r = post(client, df.to_csv(index=False).encode("utf-8"), "gaps.csv", url="/api/v1/datasets",
             missing="province_mean")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"], expected


def test_scores_api_flags_every_filled_cell(client, gapped):
    ds, expected = gapped
    body = client.get(f"/api/v1/datasets/{ds}/scores").get_json()
    assert body["imputation"] == {"method": "province_mean", "cells": 3}
    flagged = {r["code"]: r["imputed"] for r in body["scores"] if r["imputed"]}
    assert flagged == expected
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/datasets/{ds}/scores?format=csv").get_data(as_text=True))))
    assert {r["code"]: r["imputed"].split(",") for r in rows if r["imputed"]} == expected


def test_city_api_and_page_name_the_filled_values(client, gapped):
    ds, expected = gapped
    code = next(c for c, cols in expected.items() if len(cols) == 2)
    city = client.get(f"/api/v1/datasets/{ds}/cities/{code}").get_json()
    assert [c["indicator"] for c in city["imputed"]] == expected[code]
    assert {c["method"] for c in city["imputed"]} == {"province_mean"}
    zh = client.get(f"/city/{code}?dataset={ds}").get_data(as_text=True)
    assert 'id="imputed-note"' in zh and "已填补（本省均值）" in zh and zh.count('class="cr-imputed"') == 2
    en = client.get(f"/city/{code}?dataset={ds}&lang=en").get_data(as_text=True)
    assert "2 of this city&#39;s values were missing" in en or "2 of this city's values were missing" in en


def test_ranking_page_and_exports_flag_the_cities(client, gapped):
    ds, expected = gapped
    html = client.get(f"/ranking?dataset={ds}").get_data(as_text=True)
    assert html.count('<abbr class="cr-imputed"') == len(expected) and 'id="imputed-note"' in html
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/ranking.xlsx?dataset={ds}").data))
    rows = list(wb["排名"].iter_rows(values_only=True))
    col = rows[0].index("缺失值已填补的指标")
    code = rows[0].index("代码")
    assert {str(r[code]): r[col].split(",") for r in rows[1:] if r[col]} == expected
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/v1/datasets/{ds}/workbook.xlsx?lang=en").data))
    head = [c.value for c in next(book["scores"].iter_rows(max_row=1))]
    assert "indicators with filled gaps" in head


def test_a_dataset_without_gaps_has_no_flags(client):
    body = client.get("/api/v1/datasets/ndrc-2017-simulated/scores").get_json()
    assert body["imputation"]["cells"] == 0 and not any(r["imputed"] for r in body["scores"])
    assert "cr-imputed" not in client.get("/ranking").get_data(as_text=True)
