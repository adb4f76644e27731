"""``--lang``: every message of the command in simplified Chinese (the default) or English."""

import pytest

from cityrank import paths

TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"
BAD = "城市,智能感知,智慧管理,惠民服务,网络空间,主体协同\n杭州,1,2,3,4,5\n火星,1,2,3,4,99\n宁波,1,abc,3,4,5\n"


def test_validate_lang_zh_names_row_and_column(cli, tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(BAD, encoding="gbk")
    zh = cli("validate", "--system", "ndrc-2017", "--data", p)  # zh is the default
    assert zh.code == 1
    assert f"错误：{p}，第 3 行，「城市」列：无法识别的城市「火星」" in zh.out
    assert "第 4 行，「智慧管理」列：「abc」不是数字" in zh.out
    assert "检测到文本编码为 gbk" in zh.out
    assert "警告：指标 data_management（数据管理）满分为 10" in zh.out
    assert "一级指标 5 个，二级指标 13 个，末级指标 21 个，总分 100" in zh.out
    assert f"数据 {p}：2 个单位，编码 gbk" in zh.out
    assert "2 个错误" in zh.err and "缺少数值" not in zh.out
    en = cli("validate", "--system", "ndrc-2017", "--data", p, "--lang", "en")
    assert "row 3, column '城市': unknown city '火星'" in en.out
    assert "row 4, column '智慧管理': 'abc' is not a number" in en.out
    assert "2 error(s)" in en.err and "错误" not in en.out


def test_score_lang_zh_warnings_and_errors(cli, tmp_path):
    r = cli("score", "--system", "ndrc-2017", "--data", TOP10, "--lang", "zh", "--top", "3")
    assert r.code == 0, r.err
    assert "警告：青岛市 (370200)：公布总分为 68.4，但一级指标得分合计为 68.3（差值 +0.1）" in r.err
    assert "公布排名第 8 位，计算排名第 7 位" in r.err
    p = tmp_path / "bad.csv"
    p.write_text(BAD, encoding="utf-8")
    bad = cli("score", "--system", "ndrc-2017", "--data", p)
    assert bad.code == 2
    assert bad.err.startswith("cityrank score: 错误：输入数据中有 2 个问题") and "第 3 行" in bad.err
    bad_en = cli("score", "--system", "ndrc-2017", "--data", p, "--lang", "en")
    assert bad_en.code == 2 and "2 problem(s) in input data" in bad_en.err


def test_reading_errors_follow_the_language(cli, tmp_path):
    missing = tmp_path / "nope.csv"
    zh = cli("score", "--system", "ndrc-2017", "--data", missing)
    en = cli("score", "--system", "ndrc-2017", "--data", missing, "--lang", "en")
    assert zh.code == en.code == 2
    assert str(missing) in zh.err and str(missing) in en.err
    assert zh.err != en.err and "错误" in zh.err and "error" in en.err


def test_environment_sets_the_default_language(cli, monkeypatch):
    monkeypatch.setenv("CITYRANK_LANG", "en")
    r = cli("validate", "--system", "ndrc-2017")
    assert "5 first-level, 13 second-level, 21 leaf" in r.out
    zh = cli("validate", "--system", "ndrc-2017", "--lang", "zh")  # the option wins
    assert "一级指标 5 个" in zh.out


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [
        (["map"], "缺少必需的参数：--out", "the following arguments are required: --out"),
        (["map", "--out", "m.png", "--classes", "x"], "参数 --classes：无效的取值 'x'",
         "argument --classes: invalid int value: 'x'"),
        (["analyze", "--out", "r.json", "--weights"], "参数 --weights 需要一个取值",
         "argument --weights: expected one argument"),
        (["map", "--out", "m.png", "--dataset", "a", "--data", "b.csv"],
         "参数 --data 不能与 --dataset 同时使用", "argument --data: not allowed with argument --dataset"),
        (["score", "--system", "s", "--data", "d", "--nonsense"], "无法识别的参数：--nonsense",
         "unrecognized arguments: --nonsense"),
        (["serve", "--threads", "0"], "参数 --threads：无效的取值 '0'",
         "argument --threads: invalid positive_int value: '0'"),
        ([], "缺少必需的参数：COMMAND", "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_in_both_languages(cli, argv, zh, en):
    r = cli(*argv)
    assert r.code == 2 and zh in r.err and r.err.startswith("用法：")
    r = cli(*argv, "--lang", "en")
    assert r.code == 2 and en in r.err and r.err.startswith("usage: ")
