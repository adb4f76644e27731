"""The wheel runs anywhere: built from this checkout, installed with its dependencies into a
fresh virtual environment outside it, run from a directory that is not the repository.

The source is copied first (the files git tracks or would track, plus the built front-end
assets) so the build neither writes ``build/`` into the checkout nor picks up stale files
from an earlier build there. Dependencies come through pip's cache and the configured
indexes; ``--no-compile`` skips byte-compiling thousands of files nobody imports here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from cityrank import paths

ROOT = Path(__file__).resolve().parent.parent
VENDOR = Path("cityrank") / "web" / "static" / "vendor"
PNG = b"\x89PNG\r\n\x1a\n"
PACKAGE_DATA = (
    "cityrank/i18n/cli.yaml",
    "cityrank/config/regions.yaml",
    "cityrank/config/indicators/ndrc-2017.yaml",
    "cityrank/config/admin_units.csv",
    "cityrank/data/datasets.yaml",
    "cityrank/data/demo/ndrc-2017-simulated.csv",
    "cityrank/shapefiles/china_admin.gpkg",
    "cityrank/web/templates/base.html",
    "cityrank/web/static/app.css",
    "cityrank/web/static/vendor/leaflet/leaflet.js",
    "cityrank/web/static/vendor/map/manifest.json",  # the map client's bundle (esbuild)
)

pytestmark = pytest.mark.slow


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("timeout", 300)
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\n{r.stdout}\n{r.stderr}"
    return r


def _copy_source(dest: Path, *, with_assets: bool = True) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    if with_assets:
        shutil.copytree(ROOT / VENDOR, dest / VENDOR)
    return dest


def _clean_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return env | extra


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not (ROOT / VENDOR / "leaflet" / "leaflet.js").is_file():
        pytest.fail("front-end assets not built: run scripts/setup.sh")
    src = _copy_source(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("wheelhouse")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, src],
         env=_clean_env())
    (whl,) = out.glob("cityrank-*.whl")
    return whl


def test_wheel_holds_one_package_and_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"cityrank"}, tops
    for path in PACKAGE_DATA:
        assert path in names, path
    assert not [n for n in names if n.endswith("/cli.py") and not n.startswith("cityrank/cli/")]


def test_building_without_the_assets_fails_loudly(tmp_path):
    src = _copy_source(tmp_path / "src", with_assets=False)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                        "-w", tmp_path / "out", src], capture_output=True, text=True, timeout=300,
                       env=_clean_env())
    assert r.returncode != 0
    assert "refusing to build without the front-end assets" in r.stdout + r.stderr
    assert "scripts/setup.sh" in r.stdout + r.stderr
    assert not list(tmp_path.glob("out/*.whl"))


def test_installed_wheel_runs_score_map_and_serve(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python]
    _run([*pip, "install", "-q", "--no-compile", wheel], env=_clean_env(), timeout=600)

    shown = _run([*pip, "show", "-f", "cityrank"], env=_clean_env()).stdout
    files = [line.strip() for line in shown.split("Files:", 1)[1].splitlines() if line.strip()]
    tops = {f.split("/")[0] for f in files if not f.startswith("..") and ".dist-info/" not in f}
    assert tops == {"cityrank"}, tops
    for path in PACKAGE_DATA:
        assert path in files, path

    work = tmp_path / "elsewhere"
    work.mkdir()
    data = shutil.copy(paths.DEMO_DIR / "ndrc-2017-simulated.csv", work / "数据.csv")
    exe = venv / "bin" / "cityrank"
    env = _clean_env(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    where = _run([python, "-c", "import cityrank, sys; print(cityrank.__file__)"], cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    r = _run([exe, "score", "--system", "ndrc-2017", "--data", data, "--out", "得分.xlsx", "--top", "3"],
             cwd=work, env=env)
    assert "共 293 个单位" in r.stdout and (work / "得分.xlsx").stat().st_size > 0

    r = _run([exe, "map", "--dataset", "ndrc-2017-simulated", "--out", "map.png", "--dpi", "40",
              "--lang", "en"], cwd=work, env=env)
    assert "293 scored" in r.stdout and (work / "map.png").read_bytes()[:8] == PNG

    with subprocess.Popen([exe, "serve", "--port", "0"], cwd=work, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            line = proc.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if not found:
                proc.terminate()
                pytest.fail(f"cityrank serve printed {line!r}; stderr: {proc.stderr.read()[-3000:]}")
            url = found.group(0)
            with urllib.request.urlopen(url + "vendor/leaflet/leaflet.js", timeout=60) as resp:
                assert resp.status == 200 and b"Leaflet" in resp.read()[:2000]
            with urllib.request.urlopen(url, timeout=180) as resp:
                page = resp.read()
                assert resp.status == 200 and b"data-cr-map" in page
            bundle = re.search(rb'<script type="module" src="/([^"]+)"', page).group(1).decode()
            with urllib.request.urlopen(url + bundle, timeout=60) as resp:  # the built bundle, shipped
                assert resp.status == 200 and b"Leaflet" in resp.read()
        finally:
            proc.terminate()
            proc.wait(10)
