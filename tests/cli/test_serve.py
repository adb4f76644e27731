"""``cityrank serve``: options in process; one real server started by the console script."""

from __future__ import annotations

import os
import re
import subprocess
import urllib.error
import urllib.request


def test_serve_help_lists_options(cli):
    r = cli("serve", "--help", "--lang", "en")
    assert r.code == 0
    for opt in ("--host", "--port", "--data-dir", "--threads", "--lang"):
        assert opt in r.out
    assert "--data " not in r.out  # the old spelling is a hidden alias


def test_serve_prints_url_and_serves(console_script):
    with subprocess.Popen([console_script, "serve", "--port", "0", "--threads", "2"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            line = proc.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            assert found, line
            url = found.group(0)
            assert not url.endswith(":0/")  # the port actually bound
            banner = "".join(proc.stdout.readline() for _ in range(6))
            assert "数据集：3 个（" in banner and "默认 ndrc-2017-simulated" in banner
            assert "datasets.yaml" in banner and "上传数据：保存在数据库中，直到删除" in banner
            assert f"数据目录：{os.environ['CITYRANK_DATA_DIR']}" in banner
            assert "cityrank.sqlite3" in banner
            assert "服务器：waitress，2 个线程" in banner
            with urllib.request.urlopen(url + "api/v1/datasets", timeout=60) as r:
                assert r.status == 200 and b"ndrc-2017-simulated" in r.read()
                assert r.headers["Server"] == "cityrank"
            with urllib.request.urlopen(url, timeout=120) as r:
                assert b"data-cr-map" in r.read() and r.headers["Server"] == "cityrank"
                etag = r.headers["ETag"]
            req = urllib.request.Request(url, headers={"If-None-Match": etag})
            try:
                urllib.request.urlopen(req, timeout=60)
                raise AssertionError("expected 304")
            except urllib.error.HTTPError as exc:  # urllib reports 304 as an error
                assert exc.code == 304 and exc.read() == b"" and exc.headers["Server"] == "cityrank"
        finally:
            proc.terminate()
            proc.wait(10)


def test_serve_bad_data_dir_fails_cleanly(cli, tmp_path):
    missing = tmp_path / "missing"
    r = cli("serve", "--port", "0", "--data-dir", missing)
    assert r.code == 2 and str(missing) in r.err and r.err.startswith("cityrank serve: 错误：")
    old = cli("serve", "--port", "0", "--data", missing, "--lang", "en")
    assert old.code == 2 and "note: option --data is now --data-dir" in old.err
    assert "cityrank serve: error: " in old.err
