"""Fixtures for the web tests: one app per session (building layers is the slow part), a
test client, a live werkzeug server in a thread, and headless Debian Chromium via playwright
with every non-local request blocked."""

from __future__ import annotations

import threading
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from cityrank.service.limits import UploadLimits
from cityrank.service.site import Site
from cityrank.web.app import create_app

EVIL_NAMES = {"330100": "<img src=x onerror=alert(1)>", "330200": "${alert(1)}"}
DATASET = "ndrc-2017-simulated"
# The suite uploads hundreds of files from one client: no quota or rate limit on the shared
# apps (tests/store checks the limits with apps of their own).
UNLIMITED = UploadLimits(per_client=None, total=None, total_bytes=None, per_minute=1e6,
                         burst=10**6, queue=64)


class _EvilDataset:
    """A dataset whose city names are attack strings (for the XSS tests)."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def scores(self):
        df = self._real.scores()
        df["name"] = [EVIL_NAMES.get(c, n) for c, n in zip(df["code"], df["name"], strict=True)]
        return df


class EvilSite(Site):
    def join(self, scores, layer="prefecture"):
        result = super().join(scores, layer=layer)
        g = result.gdf
        for code, evil in EVIL_NAMES.items():
            g.loc[g["code"] == code, ["name", "name_en"]] = evil
        return result

    def dataset(self, dataset_id=None):
        return _EvilDataset(super().dataset(dataset_id))


@pytest.fixture(scope="session")
def app():
    return create_app({"TESTING": True, "UPLOAD_LIMITS": UNLIMITED})


@pytest.fixture(scope="session")
def evil_app():
    return create_app({"TESTING": True, "SITE": EvilSite(limits=UNLIMITED)})


@pytest.fixture()
def client(app):
    return app.test_client()


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="session")
def live_server(app):
    server, thread = _serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def evil_server(evil_app):
    server, thread = _serve(evil_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


class PageWatch:
    """A page plus what it tried to do: blocked requests, console errors, dialogs."""

    def __init__(self, page):
        self.page = page
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.responses: list = []


@pytest.fixture()
def watched_page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page = context.new_page()
    w = PageWatch(page)

    def route(r):
        host = urlparse(r.request.url).hostname
        if host in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            w.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.errors.append(str(e)))

    def dialog(d):
        w.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.on("response", lambda r: w.responses.append(r))
    yield w
    context.close()


def local(url: str) -> bool:
    return urlparse(url).hostname in ("127.0.0.1", "localhost")
