"""``cityrank serve`` starts the viewer under waitress, prints its URL and what it serves, and
serves the national map."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.error
import urllib.request


def _cmd() -> list[str]:
    exe = shutil.which("cityrank")
    return [exe] if exe else [sys.executable, "-m", "cityrank.cli"]


def test_serve_help_lists_options():
    out = subprocess.run(_cmd() + ["serve", "--help"], capture_output=True, text=True, timeout=60, check=True).stdout
    for opt in ("--host", "--port", "--data", "--threads"):
        assert opt in out


def test_serve_prints_url_and_serves():
    with subprocess.Popen(_cmd() + ["serve", "--port", "0", "--threads", "3"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            line = proc.stdout.readline()
            assert line.startswith("cityrank viewer: http://127.0.0.1:")
            url = line.split()[2]
            assert not url.endswith(":0/")  # the port actually bound
            banner = "".join(proc.stdout.readline() for _ in range(5))
            assert "datasets: 2 (" in banner and "default ndrc-2017-simulated" in banner
            assert "datasets.yaml" in banner and "uploads:" in banner and "memory" in banner
            assert "server:   waitress, 3 threads" in banner
            with urllib.request.urlopen(url + "api/v1/datasets", timeout=60) as r:
                assert r.status == 200 and b"ndrc-2017-simulated" in r.read()
                assert r.headers["Server"] == "waitress"
            with urllib.request.urlopen(url, timeout=120) as r:
                assert b"folium-map" in r.read() and r.headers["Server"] == "waitress"
                etag = r.headers["ETag"]
            req = urllib.request.Request(url, headers={"If-None-Match": etag})
            try:
                urllib.request.urlopen(req, timeout=60)
                raise AssertionError("expected 304")
            except urllib.error.HTTPError as exc:  # urllib reports 304 as an error
                assert exc.code == 304 and exc.read() == b"" and exc.headers["Server"] == "waitress"
        finally:
            proc.terminate()
            proc.wait(10)


def test_serve_bad_data_dir_fails_cleanly(tmp_path):
    r = subprocess.run(_cmd() + ["serve", "--port", "0", "--data", str(tmp_path / "missing")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "missing" in r.stderr
