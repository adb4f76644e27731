"""``cityrank datasets list|add|delete|export`` on a data directory of its own; what the CLI
adds, every server on that directory serves."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd

from cityrank import paths
from cityrank.cli import main
from cityrank.web.app import create_app

TOP10 = paths.PUBLISHED_DIR / "ndrc-2017-top10.csv"


def test_add_list_export_delete(cli, tmp_path):
    code, out, _ = cli("datasets", "list")
    assert code == 0 and "3 个数据集" in out and "ndrc-2019-simulated  [内置]  2019" in out
    assert str(tmp_path / "cityrank.sqlite3") in out

    code, out, err = cli("datasets", "add", "--data", TOP10, "--system", "ndrc-2017", "--year",
                         "2017年", "--id", "top10-mine", "--title", "前十名（自己核对）",
                         "--note", "用于核对")
    assert code == 0, err
    assert "已保存数据集 top10-mine：10 个单位，版本 1" in out
    code, out, err = cli("datasets", "add", "--data", TOP10, "--system", "ndrc-2017",
                         "--id", "top10-mine")
    assert code == 2 and "--replace" in err
    assert cli("datasets", "add", "--data", TOP10, "--system", "ndrc-2017", "--id", "top10-mine",
               "--replace", "--year", "2017")[0] == 0  # a replacement says everything again

    code, out, _ = cli("datasets", "list", "--json", "--kind", "added")
    (rec,) = json.loads(out)
    assert rec["id"] == "top10-mine" and rec["year"] == 2017 and rec["revision"] == 2
    assert rec["owner_note"] == "" and rec["kind"] == "added"

    # a server on this data directory lists and serves it
    app = create_app({"TESTING": True, "STORE_DIR": tmp_path})
    try:
        c = app.test_client()
        ids = [d["id"] for d in c.get("/api/v1/datasets").get_json()["datasets"]]
        assert ids[-1] == "top10-mine" and c.get("/api/v1/datasets/top10-mine/scores").status_code == 200

        xlsx = tmp_path / "out.xlsx"
        assert cli("datasets", "export", "--dataset", "top10-mine", "--out", xlsx, "--lang", "en")[0] == 0
        wb = openpyxl.load_workbook(xlsx)
        assert wb.sheetnames == ["data", "scores", "problems", "notes", "indicators"]
        csv = tmp_path / "out.csv"
        assert cli("datasets", "export", "--dataset", "ndrc-2019-simulated", "--out", csv)[0] == 0
        df = pd.read_csv(csv)
        assert len(df) == 293 and df["synthetic"].all()
        code, _, err = cli("datasets", "export", "--dataset", "top10-mine", "--out", tmp_path / "x.pdf")
        assert code == 2 and ".pdf" in err

        code, out, _ = cli("datasets", "delete", "--dataset", "top10-mine")
        assert code == 0 and "已删除数据集 top10-mine" in out
        assert c.get("/api/v1/datasets/top10-mine").status_code == 404  # every server follows
        code, _, err = cli("datasets", "delete", "--dataset", "ndrc-2017-simulated")
        assert code == 2 and "datasets.yaml" in err
    finally:
        app.extensions["cityrank"].close()


def test_actions_name_what_they_need(cli):
    code, _, err = cli("datasets", "add", "--system", "ndrc-2017")
    assert code == 2 and "datasets add 需要 --data" in err
    code, _, err = cli("datasets", "export", "--dataset", "ndrc-2017-simulated", "--lang", "en")
    assert code == 2 and "datasets export needs --out" in err
    code, _, err = cli("datasets", "add", "--data", TOP10, "--system", "ndrc-2017", "--year", "17")
    assert code == 2 and "four-digit year" in err
    code, _, err = cli("datasets", "add", "--data", TOP10, "--system", "ndrc-2017", "--id",
                       "ndrc-2017-simulated")
    assert code == 2 and "taken" in err


def test_missing_data_dir_is_refused(capsys, tmp_path):
    assert main(["datasets", "list", "--data-dir", str(tmp_path / "nope")]) == 2
    assert "data directory not found" in capsys.readouterr().err


def test_template_filled_for_20_cities_scores_20_with_one_notice():
    from cityrank.service.uploads import process_upload

    template = io.BytesIO(main_template())
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    demo = pd.read_csv(paths.DEMO_DIR / "ndrc-2017-simulated.csv", dtype=str).set_index("code")
    ids = [c.value.split("[", 1)[1].split("]", 1)[0] for c in ws[1][3:]]
    filled = 0
    for row in ws.iter_rows(min_row=2):
        if filled < 20 and row[0].value in demo.index:
            for cell, nid in zip(row[3:], ids, strict=True):
                cell.value = float(demo.loc[row[0].value, nid])
            filled += 1
    buf = io.BytesIO()
    wb.save(buf)
    out = process_upload(buf.getvalue(), "填了20个.xlsx", "ndrc-2017")
    assert out.ok, [p.render("en") for p in out.problems[:3]]
    assert len(out.dataset.scores()) == 20 and out.coverage["n_units"] == 20
    notices = [w for w in out.warnings if "273" in str(w)]
    assert len(notices) == 1


def main_template() -> bytes:
    from cityrank.service.uploads import template_bytes

    return template_bytes("ndrc-2017")


def test_map_and_analyze_find_a_dataset_the_cli_added(cli, tmp_path, monkeypatch):
    """What ``datasets add`` keeps, ``map`` and ``analyze --dataset`` find (they used to read
    the bundled catalog only)."""
    code, _, err = cli("datasets", "add", "--data", TOP10, "--system", "ndrc-2017", "--id", "mine")
    assert code == 0, err
    monkeypatch.setenv("CITYRANK_DATA_DIR", str(tmp_path))  # map has no --data-dir: the environment's
    out = tmp_path / "mine.png"
    assert main(["map", "--dataset", "mine", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    code, _, err = cli("analyze", "--dataset", "mine", "--permutations", "99", "--out", tmp_path / "r.json")
    assert code == 0, err
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["dataset"] == "mine"
    assert main(["map", "--dataset", "nobody", "--out", str(tmp_path / "x.png")]) != 0
