"""Dataset warnings reach API clients in both languages, with the same content."""

import re


def test_dataset_warnings_in_english_and_chinese(client):
    body = client.get("/api/v1/datasets/ndrc-2017-simulated").get_json()
    assert body["synthetic"] is True
    en, zh = body["warnings"], body["warnings_zh"]
    assert len(en) == len(zh) >= 1
    mismatch_en = next(w for w in en if "data_management" in w)
    mismatch_zh = next(w for w in zh if "data_management" in w)
    assert re.findall(r"\d+", mismatch_en) == re.findall(r"\d+", mismatch_zh)
    assert re.search(r"[\u4e00-\u9fff]{4}", mismatch_zh.replace("数据管理", ""))
