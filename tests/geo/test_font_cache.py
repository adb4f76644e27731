"""A matplotlib font cache written before the CJK font was installed (any user who ran
matplotlib before installing cityrank) must not stop Chinese text: the font is found by file
(fontconfig, then the known Debian paths) and registered with matplotlib.

The stale cache is made for real: a fresh MPLCONFIGDIR, matplotlib builds its fontlist JSON,
the Noto CJK entries are removed from it; every process below starts from that file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cityrank.geo import map_style

PNG = b"\x89PNG\r\n\x1a\n"
PROBE = """
from matplotlib import font_manager as fm
print(sum("CJK" in f.name for f in fm.fontManager.ttflist))
"""
SERVER_PNG = """
import sys
from matplotlib import font_manager as fm
assert not any("CJK" in f.name for f in fm.fontManager.ttflist), "the cache is not stale"
from cityrank.web.app import create_app
resp = create_app({"TESTING": True}).test_client().get("/embed/ndrc-2017-simulated.png?lang=zh")
assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:500])
from matplotlib.font_manager import FontProperties, findfont
print(findfont(FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False))
sys.stdout.flush()
sys.stdout.buffer.write(resp.data)
"""


@pytest.fixture(scope="module")
def stale_env(tmp_path_factory):
    if not map_style._font_files(map_style.CJK_FAMILIES):
        pytest.fail("the Noto CJK fonts are not installed: run scripts/setup.sh")
    config = tmp_path_factory.mktemp("mplconfig")
    env = {**os.environ, "MPLCONFIGDIR": str(config)}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True,
                   timeout=300, capture_output=True)
    (cache,) = config.glob("fontlist-*.json")
    doc = json.loads(cache.read_text(encoding="utf-8"))
    kept = [e for e in doc["ttflist"] if "CJK" not in e["name"] and "CJK" not in e["fname"]]
    assert len(kept) < len(doc["ttflist"]), "matplotlib's cache should have listed the Noto CJK fonts"
    doc["ttflist"] = kept
    cache.write_text(json.dumps(doc), encoding="utf-8")
    probe = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                           timeout=120, check=True)
    assert probe.stdout.strip() == "0", "a process with this MPLCONFIGDIR must start without the font"
    yield env
    assert "CJK" not in cache.read_text(encoding="utf-8"), "the stale cache was rebuilt, not used"


def test_cli_map_draws_chinese_with_a_stale_cache(stale_env, tmp_path):
    from cityrank.cli import main

    argv = ["map", "--dataset", "ndrc-2017-simulated", "--dpi", "40", "--title", "智慧城市：总分"]
    stale = tmp_path / "stale.png"
    exe = Path(sys.executable).with_name("cityrank")
    r = subprocess.run([str(exe), *argv, "--out", str(stale)], env=stale_env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "findfont" not in r.stderr  # regular and bold were both found
    assert stale.read_bytes()[:8] == PNG
    fresh = tmp_path / "fresh.png"
    assert main([*argv, "--out", str(fresh)]) == 0  # this process: the normal cache
    assert stale.read_bytes() == fresh.read_bytes(), "the stale-cache map was drawn differently"


def test_server_png_draws_chinese_with_a_stale_cache(stale_env):
    r = subprocess.run([sys.executable, "-c", SERVER_PNG], env=stale_env, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    font_path, _, png = r.stdout.partition(b"\n")
    assert b"NotoSansCJK" in font_path
    assert png[:8] == PNG and len(png) > 10_000


def test_missing_font_names_the_package_and_setup():
    from cityrank.errors import ConfigError

    with pytest.raises(ConfigError, match=r"no CJK font found.*fonts-noto-cjk.*scripts/setup\.sh"):
        map_style.find_cjk_font(("No Such Font CJK",))
