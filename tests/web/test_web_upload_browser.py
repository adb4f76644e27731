"""The upload page in headless Chromium (offline, every non-local request blocked): a GBK file
keyed by traditional names becomes a map that draws every city; problems are listed by row
and column; an attack string in the file stays text; an oversize file gets a clear 413."""

from __future__ import annotations

import os
import re
from pathlib import Path

import opencc
import pandas as pd
import pytest

from cityrank import paths

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def _demo() -> pd.DataFrame:
    return pd.read_csv(paths.DEMO_DIR / "ndrc-2017-simulated.csv", dtype=str, keep_default_na=False)


def _traditional_gbk() -> bytes:
    cc = opencc.OpenCC("s2t")
    df = _demo()
    df["name"] = [cc.convert(n) for n in df["name"]]
    df.loc[df["code"] == "370100", "name"] = "萊蕪市"
    return df.drop(columns=["code"]).to_csv(index=False).encode("gbk")


def _upload(w, base: str, name: str, data: bytes, mime: str = "text/csv", **selects):
    w.page.goto(base + "/upload", wait_until="load")
    w.page.set_input_files("#u-file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    for field, value in selects.items():
        w.page.select_option(f"#u-{field}", value)
    with w.page.expect_navigation(wait_until="load") as nav:
        w.page.click("#u-submit")
    return nav.value


def _shot_dir(tmp_path) -> Path:
    d = os.environ.get("CITYRANK_SCREENSHOTS")
    return Path(d) if d else tmp_path


def test_gbk_traditional_upload_to_map(live_server, watched_page, tmp_path):
    w = watched_page
    resp = _upload(w, live_server, "城市數據.csv", _traditional_gbk(), encoding="gbk")
    assert resp.status == 200 and "/upload/upload-" in w.page.url
    warn = w.page.locator("#cr-upload-warnings li", has_text="萊蕪市")
    assert warn.count() == 1 and "济南" in warn.inner_text() and "第 127 行" in warn.inner_text()
    assert "293" in w.page.locator("#cr-upload-result h2").inner_text()
    shot = _shot_dir(tmp_path) / "upload-result.png"
    w.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20000

    w.page.click("#cr-open-map")
    w.page.wait_for_selector("path.cr-scored", state="attached", timeout=20000)
    assert w.page.locator("path.cr-scored").count() == 293
    assert "用户上传：城市數據.csv" in w.page.locator(".cr-source").first.inner_text()
    dataset = re.search(r"dataset=(upload-[0-9a-f]+)", w.page.url).group(1)
    assert w.page.locator(f'#f-dataset option[value="{dataset}"]').evaluate("o => o.selected")
    assert w.blocked == [] and w.errors == [] and w.dialogs == []


def test_problems_table_names_row_and_column(live_server, watched_page):
    w = watched_page
    df = _demo().drop(columns=["code"])
    df.loc[4, "video_sharing"] = "abc"  # spreadsheet row 6
    df.loc[9, "name"] = "不存在市"  # row 11
    resp = _upload(w, live_server, "bad.csv", df.to_csv(index=False).encode("utf-8"))
    assert resp.status == 400
    rows = w.page.locator("#cr-problems tbody tr")
    cells = [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]
    assert ["bad.csv", "6", "video_sharing", "「abc」不是数字"] in cells  # zh, the default
    assert any(c[1] == "11" and c[2] == "name" and "不存在市" in c[3] for c in cells)
    # the page itself answers 400 (nothing was scored); nothing else may fail
    assert [e for e in w.errors if "status of 400" not in e] == [] and w.blocked == []


def test_attack_city_name_stays_text(live_server, watched_page):
    w = watched_page
    df = _demo().drop(columns=["code"])
    df.loc[0, "name"] = XSS
    _upload(w, live_server, "xss.csv", df.to_csv(index=False).encode("utf-8"))
    w.page.wait_for_timeout(300)
    cell = w.page.locator("#cr-problems tbody tr", has_text=XSS)
    assert cell.count() == 1 and XSS in cell.inner_text()
    assert w.page.locator("#cr-problems img").count() == 0
    assert w.dialogs == []


def test_oversize_file_gets_a_clear_413(live_server, watched_page):
    w = watched_page
    big = b"code,name\n" + b"1" * (3 * 1024 * 1024)
    resp = _upload(w, live_server, "big.csv", big)
    assert resp.status == 413
    text = w.page.locator("#cr-upload-error").inner_text()
    assert "2 MB" in text and "文件太大" in text
    assert w.page.locator("#cr-upload-form").is_visible()  # the form is back for another try


def test_template_link_follows_the_chosen_system(live_server, watched_page):
    w = watched_page
    w.page.goto(live_server + "/upload", wait_until="load")
    link = w.page.locator("#u-template")
    assert link.get_attribute("href") == "/api/v1/systems/ndrc-2017/template.xlsx"
    w.page.select_option("#u-system", "ndrc-2018")
    assert link.get_attribute("href") == "/api/v1/systems/ndrc-2018/template.xlsx"
    with w.page.expect_download() as dl:
        link.click()
    assert dl.value.suggested_filename == "ndrc-2018-template.xlsx"
    assert w.errors == []
