"""``cityrank validate/score --lang zh``: the same problems and warnings in simplified Chinese."""

import shutil
import subprocess
import sys
from pathlib import Path

from cityrank import paths

ROOT = Path(__file__).resolve().parents[2]

TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"
BAD = "城市,智能感知,智慧管理,惠民服务,网络空间,主体协同\n杭州,1,2,3,4,5\n火星,1,2,3,4,99\n宁波,1,abc,3,4,5\n"


def cityrank(*args):
    exe = shutil.which("cityrank")
    cmd = [exe] if exe else [sys.executable, "-m", "cityrank.cli"]
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_validate_lang_zh_names_row_and_column(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(BAD, encoding="gbk")
    zh = cityrank("validate", "--system", "ndrc-2017", "--data", p, "--lang", "zh")
    assert zh.returncode == 1
    assert f"错误：{p}，第 3 行，「城市」列：无法识别的城市「火星」" in zh.stdout
    assert "第 4 行，「智慧管理」列：「abc」不是数字" in zh.stdout
    assert "检测到文本编码为 gbk" in zh.stdout
    assert "警告：指标 data_management（数据管理）满分为 10" in zh.stdout
    assert "一级指标 5 个，二级指标 13 个，末级指标 21 个，总分 100" in zh.stdout
    assert f"数据 {p}：2 个单位，编码 gbk" in zh.stdout
    assert "2 个错误" in zh.stderr and "缺少数值" not in zh.stdout
    en = cityrank("validate", "--system", "ndrc-2017", "--data", p)
    assert "row 3, column '城市': unknown city '火星'" in en.stdout
    assert "row 4, column '智慧管理': 'abc' is not a number" in en.stdout
    assert "2 error(s)" in en.stderr and "错误" not in en.stdout


def test_score_lang_zh_warnings_and_errors(tmp_path):
    r = cityrank("score", "--system", "ndrc-2017", "--data", TOP10, "--lang", "zh", "--top", "3")
    assert r.returncode == 0, r.stderr
    assert "警告：青岛市 (370200)：公布总分为 68.4，但一级指标得分合计为 68.3（差值 +0.1）" in r.stderr
    assert "公布排名第 8 位，计算排名第 7 位" in r.stderr
    p = tmp_path / "bad.csv"
    p.write_text(BAD, encoding="utf-8")
    bad = cityrank("score", "--system", "ndrc-2017", "--data", p, "--lang", "zh")
    assert bad.returncode == 2
    assert "输入数据中有 2 个问题" in bad.stderr and "第 3 行" in bad.stderr
    bad_en = cityrank("score", "--system", "ndrc-2017", "--data", p)
    assert bad_en.returncode == 2 and "2 problem(s) in input data" in bad_en.stderr
