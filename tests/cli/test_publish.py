"""``cityrank publish``: a static folder served by a plain static server (``python -m
http.server``) draws the map in Chromium with every request to any other host blocked."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

import pytest

from cityrank.cli.main import main

DATASET = "ndrc-2017-simulated"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    assert main(["publish", "--dataset", DATASET, "--out", str(out), "--lang", "en",
                 "--base-url", "https://news.example.org/maps/"]) == 0
    return out


def test_folder_is_self_contained(site_dir, capsys):
    names = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    assert {"index.html", "map.png", "embed-host.js", "data/scores.csv", "data/values-total.json"} <= names
    assert any(n.startswith("geo/prefecture.") and n.endswith(".topo.json") for n in names)
    bundle = [n for n in names if n.startswith("assets/vendor/map/cityrank-map.")]  # the client with Leaflet
    assert sorted(n.rsplit(".", 1)[1] for n in bundle) == ["css", "js"]
    html = (site_dir / "index.html").read_text(encoding="utf-8")
    assert 'src="/' not in html and 'href="/' not in html  # relative URLs only
    assert "Simulated data" in html
    values = json.loads((site_dir / "data/values-total.json").read_text(encoding="utf-8"))
    assert values["synthetic"] is True and values["n"] == 293
    assert (site_dir / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_prints_the_snippet(tmp_path, capsys):
    assert main(["publish", "--dataset", "ndrc-2017-top10", "--out", str(tmp_path / "s"),
                 "--base-url", "https://news.example.cn/maps"]) == 0
    out = capsys.readouterr().out
    assert '<iframe data-cityrank src="https://news.example.cn/maps/index.html"' in out
    assert '<script src="https://news.example.cn/maps/embed-host.js" async></script>' in out


def test_bad_parameter_writes_nothing(tmp_path):
    code = main(["publish", "--dataset", DATASET, "--out", str(tmp_path / "x"), "--indicator", "perception",
                 "--classification", "published"])
    assert code != 0 and not (tmp_path / "x").exists()


@pytest.mark.browser
def test_static_server_serves_a_working_map(site_dir, browser):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              cwd=site_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        page = browser.new_page()
        blocked, failed, errors = [], [], []

        def route(r):
            if urlparse(r.request.url).netloc == f"127.0.0.1:{port}":
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "index.html", wait_until="load")
        page.wait_for_selector("[data-cr-map].cr-ready", timeout=20000)
        assert page.locator("path.cr-scored").count() == 293
        assert page.locator(".cr-inset").is_visible()
        page.locator(".cr-table-wrap summary").click()
        assert page.locator("table.cr-table tbody tr").count() == 293
        assert blocked == [] and failed == [] and errors == []
        page.close()
    finally:
        server.terminate()
        server.wait(10)
