"""The service layer knows no web framework: every module of ``cityrank.service`` imports, and
serves real payloads, in a process where importing Flask or Werkzeug fails."""

from __future__ import annotations

import subprocess
import sys

BLOCKED = r'''
import importlib, pkgutil, sys

class NoWebFramework:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("flask", "werkzeug"):
            raise ImportError(f"blocked for this test: {name}")
        return None

sys.meta_path.insert(0, NoWebFramework())
import cityrank.service
names = [m.name for m in pkgutil.iter_modules(cityrank.service.__path__)]
for name in names:
    importlib.import_module("cityrank.service." + name)

from cityrank.service import api, cities
from cityrank.service.site import Site

site = Site()
listing = api.datasets(site)
scores = api.scores(site, listing["default"], {"indicator": "perception"})
city = cities.city(site, listing["default"], "杭州")
assert scores.status == 200 and scores.etag and scores.gzip, scores
assert city["code"] == "330100", city
assert not [m for m in sys.modules if m.split(".")[0] in ("flask", "werkzeug")]
print(len(names), "modules", listing["default"], len(scores.body))
'''


def test_service_layer_imports_and_serves_without_flask():
    r = subprocess.run([sys.executable, "-c", BLOCKED], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    n = int(r.stdout.split()[0])
    assert n >= 15, r.stdout  # site, cache, response, api, ogc, geometry, pages, analysis, ...


def test_the_blocker_blocks():
    """The check above can fail: the same blocker refuses the web adapter."""
    code = BLOCKED.split("import cityrank.service")[0] + "import cityrank.web.app\n"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "blocked for this test: flask" in r.stderr
