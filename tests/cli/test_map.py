"""``cityrank map``, end to end in process: real boundaries, real files, real PNG/SVG."""

import pandas as pd
import pytest
from opencc import OpenCC

from cityrank import paths
from cityrank.scoring.units import prefecture_cities

PNG = b"\x89PNG\r\n\x1a\n"


def test_map_of_demo_dataset_png(cli, tmp_path):
    out = tmp_path / "demo.png"
    r = cli("map", "--dataset", "ndrc-2017-simulated", "--classification", "published",
            "--out", out, "--review-number", "GS(2024)0650号", "--dpi", "80", "--lang", "en")
    assert r.code == 0, r.err
    assert out.read_bytes()[:8] == PNG
    assert "293 scored, 0 no data, 82 not evaluated, 0 unmatched" in r.out
    assert "[SIMULATED DATA]" in r.out


def test_map_of_a_names_only_traditional_file_with_laiwu_svg(cli, tmp_path):
    s2t = OpenCC("s2t")
    cities = prefecture_cities()
    names = [s2t.convert(n) for n in cities["name"]]
    names[names.index("濟南市")] = "萊蕪市"  # a 2017 file
    csv = tmp_path / "scores.csv"
    pd.DataFrame({"城市": names, "total": range(len(names))}).to_csv(csv, index=False)
    out = tmp_path / "m.svg"
    r = cli("map", "--data", csv, "--out", out, "--classes", "4",
            "--classification", "natural_breaks", "--dpi", "60")
    assert r.code == 0, r.err
    assert "293 个有得分" in r.out and "[模拟数据]" not in r.out
    assert "莱芜市 (371200)" in r.err and "济南市 (370100)" in r.err
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")


def test_map_scores_raw_data_with_a_system(cli, tmp_path):
    demo = pd.read_csv(paths.DEMO_DIR / "ndrc-2017-simulated.csv", dtype=str)
    data = tmp_path / "数据.xlsx"
    demo.to_excel(data, sheet_name="填报", index=False)
    out = tmp_path / "m.png"
    r = cli("map", "--data", data, "--sheet", "填报", "--system", "ndrc-2017", "--indicator", "智慧管理",
            "--out", out, "--dpi", "50")
    assert r.code == 0, r.err
    assert "293 个有得分，0 个暂无数据，82 个未参评，0 行未匹配 [模拟数据]" in r.out
    assert out.read_bytes()[:8] == PNG


def test_map_of_user_boundaries(cli, tmp_path):
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
    r = cli("map", "--data", csv, "--boundaries", shp, "--indicator", "score",
            "--classes", "3", "--out", out, "--dpi", "50", "--lang", "en")
    assert r.code == 0, r.err
    assert "3 scored, 1 no data, 0 not evaluated, 0 unmatched" in r.out
    assert "GB18030" in r.err
    assert out.exists()


def test_old_option_names_still_work_with_a_notice(cli, tmp_path):
    csv = tmp_path / "s.csv"
    cities = prefecture_cities()
    pd.DataFrame({"code": cities["code"], "total": range(len(cities))}).to_csv(csv, index=False)
    out = tmp_path / "old.png"
    r = cli("map", "--scores", csv, "--k", "3", "--out", out, "--dpi", "40")
    assert r.code == 0, r.err
    assert "提示：选项 --scores 已更名为 --data" in r.err and "提示：选项 --k 已更名为 --classes" in r.err
    assert out.read_bytes()[:8] == PNG


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indicator", "no_such_node"], "unknown indicator 'no_such_node'"),
        (["--dataset", "nope"], "unknown dataset 'nope'"),
        (["--out", "x.jpg"], "map format must be one of"),
        (["--classes", "1"], "--classes must be at least 2, got 1"),
        (["--bins", "30,forty"], "--bins must be numbers separated by commas"),
        (["--system", "ndrc-2017"], "--system needs --data"),
    ],
)
def test_map_errors_exit_2_with_a_message(cli, tmp_path, args, message):
    argv = ["map", "--lang", "en"]
    if "--out" not in args:
        argv += ["--out", tmp_path / "m.png"]
    r = cli(*argv, *args)
    assert r.code == 2
    assert "cityrank map: error: " in r.err and message in r.err
    assert not (tmp_path / "m.png").exists()


def test_map_errors_in_chinese(cli, tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("code,total\n330100,80\n330200,abc\n", encoding="utf-8")
    r = cli("map", "--data", csv, "--indicator", "score", "--out", tmp_path / "m.png")
    assert r.code == 2 and "没有「score」列" in r.err
    r = cli("map", "--data", csv, "--missing", "zero", "--out", tmp_path / "m.png")
    assert r.code == 2 and "--missing 用于以 --system 为原始数据评分" in r.err
    assert not (tmp_path / "m.png").exists()
