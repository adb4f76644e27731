"""`cityrank map`: the real command, end to end."""

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from opencc import OpenCC

from cityrank.scoring.units import prefecture_cities


def _cmd():
    exe = shutil.which("cityrank")
    return [exe] if exe else [sys.executable, "-m", "cityrank.cli"]


def run(*args, timeout=300):
    return subprocess.run([*_cmd(), *args], capture_output=True, text=True, timeout=timeout)


def test_map_of_demo_dataset_png(tmp_path):
    out = tmp_path / "demo.png"
    r = run("map", "--dataset", "ndrc-2017-simulated", "--classification", "published",
            "--out", str(out), "--review-number", "GS(2024)0650号", "--dpi", "80")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "293 scored, 0 no data, 82 not evaluated, 0 unmatched" in r.stdout
    assert "[SIMULATED DATA]" in r.stdout


def test_map_of_a_names_only_traditional_file_with_laiwu_svg(tmp_path):
    s2t = OpenCC("s2t")
    cities = prefecture_cities()
    names = [s2t.convert(n) for n in cities["name"]]
    names[names.index("濟南市")] = "萊蕪市"  # a 2017 file
    csv = tmp_path / "scores.csv"
    pd.DataFrame({"城市": names, "total": range(len(names))}).to_csv(csv, index=False)
    out = tmp_path / "m.svg"
    r = run("map", "--scores", str(csv), "--out", str(out), "--lang", "en", "--k", "4",
            "--classification", "natural_breaks", "--dpi", "60")
    assert r.returncode == 0, r.stderr
    assert "293 scored" in r.stdout
    assert "[SIMULATED DATA]" not in r.stdout
    assert "莱芜市 (371200)" in r.stderr and "济南市 (370100)" in r.stderr
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_map_of_user_boundaries(tmp_path):
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import box

    names = ["新安街道", "西乡街道", "航城街道", "福永街道"]
    g = gpd.GeoDataFrame({"编码": ["01", "02", "03", "04"], "名称": names},
                         geometry=[box(113.8 + 0.05 * i, 22.55, 113.85 + 0.05 * i, 22.6) for i in range(4)],
                         crs=4490)
    shp = tmp_path / "baoan.shp"
    pyogrio.write_dataframe(g, shp, encoding="GBK")
    (tmp_path / "baoan.cpg").unlink()
    csv = tmp_path / "s.csv"
    pd.DataFrame({"name": ["新安", "西乡", "航城"], "score": [1.0, 2.0, 3.0]}).to_csv(csv, index=False)
    out = tmp_path / "b.png"
    r = run("map", "--scores", str(csv), "--boundaries", str(shp), "--indicator", "score",
            "--k", "3", "--out", str(out), "--dpi", "50")
    assert r.returncode == 0, r.stderr
    assert "3 scored, 1 no data, 0 not evaluated, 0 unmatched" in r.stdout
    assert "GB18030" in r.stderr
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indicator", "no_such_node"], "unknown indicator 'no_such_node'"),
        (["--dataset", "nope"], "unknown dataset 'nope'"),
        (["--out", "x.jpg"], "map format must be one of"),
    ],
)
def test_map_errors_exit_2_with_a_message(tmp_path, args, message):
    base = {"--out": str(tmp_path / "m.png")}
    argv = ["map"]
    if "--out" not in args:
        argv += ["--out", base["--out"]]
    r = run(*argv, *args)
    assert r.returncode == 2
    assert message in r.stderr
    assert not (tmp_path / "m.png").exists()
