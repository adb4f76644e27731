"""Upload problems and warnings in the page's language: simplified Chinese by default, English
with ``lang=en``; the API carries both (``message`` and ``message_zh``) with the same rows,
columns and numbers."""

from __future__ import annotations

import io
import re
from html import unescape

import opencc
import pandas as pd
import pytest

from cityrank import paths

T2S = opencc.OpenCC("t2s")
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def demo() -> pd.DataFrame:
    return pd.read_csv(paths.DEMO_DIR / "ndrc-2017-simulated.csv", dtype=str, keep_default_na=False)


def post(client, data: bytes, name: str, url: str = "/upload", **form):
    # the demo data have gaps: fill them, so that only the cells made bad here are problems
    fields = {"file": (io.BytesIO(data), name), "system": "ndrc-2017", "missing": "mean", **form}
    return client.post(url, data=fields, content_type="multipart/form-data")


def cells(html: str) -> list[tuple[str, ...]]:
    body = html.split('id="cr-problems"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr data-kind=\"[a-z_]+\">\s*(.*?)</tr>", body, re.S)
    return [tuple(unescape(c.strip()) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S))
            for r in rows]


def bad_csv(encoding="gbk") -> bytes:
    df = demo()
    df.loc[4, "video_sharing"] = "二十"  # spreadsheet row 6, not a number
    df.loc[7, "open_data"] = "6.5"  # row 9, above the maximum of 5
    df.loc[10, "code"] = "999999"  # row 12
    return df.to_csv(index=False).encode(encoding)


def test_zh_page_shows_chinese_problems_with_row_and_column(client):
    html = post(client, bad_csv(), "数据表.csv").get_data(as_text=True)
    rows = cells(html)
    assert ("数据表.csv", "6", "video_sharing", "「二十」不是数字") in rows
    assert ("数据表.csv", "9", "open_data",
            "6.5 超出指标 open_data（政府数据开放情况）的取值范围 [0, 5]") in rows
    assert ("数据表.csv", "12", "code", "无法识别的行政区划代码「999999」") in rows
    assert len(rows) == 3  # no extra "missing value" for the two bad cells
    for _, _, _, msg in rows:
        assert T2S.convert(msg) == msg
    assert 'lang="zh-Hans"' in html


def test_en_page_shows_the_same_problems_in_english(client):
    html = post(client, bad_csv(), "数据表.csv", url="/upload?lang=en").get_data(as_text=True)
    rows = cells(html)
    assert ("数据表.csv", "6", "video_sharing", "'二十' is not a number") in rows
    assert ("数据表.csv", "9", "open_data",
            "6.5 is outside [0, 5] for 'open_data' (政府数据开放情况)") in rows
    assert ("数据表.csv", "12", "code", "unknown administrative code '999999'") in rows


def test_api_returns_both_languages(client):
    r = post(client, bad_csv("utf-8"), "api.csv", url="/api/v1/datasets")
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"]["message"] == "3 problem(s) in api.csv; nothing was scored"
    assert body["error"]["message_zh"] == "api.csv 中有 3 个问题；未评分"
    by_row = {p["row"]: p for p in body["problems"]}
    assert by_row[6]["message"] == "'二十' is not a number"
    assert by_row[6]["message_zh"] == "「二十」不是数字"
    assert by_row[6]["params"] == {"value": "二十"} and by_row[6]["column"] == "video_sharing"
    assert by_row[9]["params"]["value"] == 6.5 and by_row[9]["params"]["hi"] == 5.0
    assert by_row[12]["msg"] == "unknown_unit.code" and by_row[12]["kind"] == "unknown_unit"


def test_api_warnings_in_both_languages(client):
    df = demo()
    df.loc[df["code"] == "370100", "name"] = "莱芜"
    df.loc[3, "open_data"] = "—"  # a gap, filled by the national mean
    df = df.drop(columns=["code"])
    r = post(client, df.to_csv(index=False).encode("gbk"), "莱芜.csv", url="/api/v1/datasets")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert len(body["warnings"]) == len(body["warnings_zh"]) == len(body["warning_details"])
    kinds = [d["kind"] for d in body["warning_details"]]
    assert {"encoding_detected", "admin_change", "missing_filled"} <= set(kinds)
    laiwu = body["warning_details"][kinds.index("admin_change")]
    assert laiwu["file"] == "莱芜.csv" and laiwu["column"] == "name"
    assert "mapped to today's 济南市 (370100)" in laiwu["message"]
    assert f"第 {laiwu['row']} 行" in laiwu["message_zh"] and "济南市（370100）" in laiwu["message_zh"]
    filled = body["warning_details"][kinds.index("missing_filled")]
    n = filled["params"]["n"]
    assert n > 0 and filled["message"] == f"莱芜.csv: {n} missing value(s) filled by policy 'mean'"
    assert n == 1
    assert filled["message_zh"] == f"莱芜.csv：已按缺失值处理方式 mean（全国均值）填补 {n} 个缺失值"
    assert all("/tmp" not in w for w in body["warnings"] + body["warnings_zh"])
    page = client.get(f"/upload/{body['id']}").get_data(as_text=True)
    assert "已映射到现行的 济南市（370100）" in page and "检测到文本编码为 gbk" in page
    assert "mapped to today's" in unescape(
        client.get(f"/upload/{body['id']}?lang=en").get_data(as_text=True))


def test_attack_value_stays_text_in_chinese_message(client):
    df = demo()
    df.loc[0, "services"] = XSS
    html = post(client, df.to_csv(index=False).encode("utf-8"), "x.csv").get_data(as_text=True)
    assert XSS not in html and "「&lt;img src=x onerror=alert(1)&gt;」不是数字" in html


def test_file_level_problem_in_chinese(client):
    html = post(client, b"%PDF-1.4", "报告.csv").get_data(as_text=True)
    assert ("报告.csv", "", "", "文件扩展名为 .csv，但实际是PDF 文档") in cells(html)
