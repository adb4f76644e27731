"""The installed ``cityrank`` console script and ``python -m cityrank.cli`` as real processes:
exit codes, Chinese on a real pipe, the deprecation notice on stderr."""

from __future__ import annotations

import subprocess
import sys

from cityrank import __version__


def _run(cmd, tmp_path):
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=120,
                          cwd=tmp_path)


def test_version_and_usage_error_exit_codes(console_script, tmp_path):
    r = _run([console_script, "--version"], tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"cityrank {__version__}"
    r = _run([console_script, "map", "--classes", "x"], tmp_path)
    assert r.returncode == 2 and "参数 --classes：无效的取值 'x'" in r.stderr


def test_validate_problems_exit_1_in_chinese(console_script, tmp_path):
    data = tmp_path / "数据.csv"
    data.write_text("城市,智能感知,智慧管理,惠民服务,网络空间,主体协同\n杭州,1,2,3,4,5\n火星,1,2,3,4,5\n",
                    encoding="gbk")
    r = _run([console_script, "validate", "--system", "ndrc-2017", "--data", str(data)], tmp_path)
    assert r.returncode == 1
    assert "第 3 行，「城市」列：无法识别的城市「火星」" in r.stdout and "1 个错误" in r.stderr


def test_python_dash_m_is_the_same_command(tmp_path):
    r = _run([sys.executable, "-m", "cityrank.cli", "score", "--help", "--lang", "en"], tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("usage: cityrank score")
    r = _run([sys.executable, "-m", "cityrank.cli", "serve", "--data", str(tmp_path / "none"),
              "--port", "0"], tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("提示：选项 --data 已更名为 --data-dir")
