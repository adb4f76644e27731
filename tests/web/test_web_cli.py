"""``cityrank serve`` starts the viewer, prints its URL, and serves the national map."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request


def _cmd() -> list[str]:
    exe = shutil.which("cityrank")
    return [exe] if exe else [sys.executable, "-m", "cityrank.cli"]


def test_serve_help_lists_options():
    out = subprocess.run(_cmd() + ["serve", "--help"], capture_output=True, text=True, timeout=60, check=True).stdout
    for opt in ("--host", "--port", "--data"):
        assert opt in out


def test_serve_prints_url_and_serves():
    with subprocess.Popen(_cmd() + ["serve", "--port", "0"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            line = proc.stdout.readline()
            assert line.startswith("cityrank viewer: http://127.0.0.1:")
            url = line.split()[2]
            with urllib.request.urlopen(url + "api/v1/datasets", timeout=60) as r:
                assert r.status == 200 and b"ndrc-2017-simulated" in r.read()
            with urllib.request.urlopen(url, timeout=120) as r:
                assert b"folium-map" in r.read()
        finally:
            proc.terminate()
            proc.wait(10)


def test_serve_bad_data_dir_fails_cleanly(tmp_path):
    r = subprocess.run(_cmd() + ["serve", "--port", "0", "--data", str(tmp_path / "missing")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "missing" in r.stderr
