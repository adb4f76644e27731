"""The hostile and malformed corpus (tests/corpus/make_corpus.py) through the CLI and the web.

Each file goes through ``cityrank validate`` and ``cityrank score --out`` in process
(``cityrank.cli.main``) and through ``POST /api/v1/datasets`` (Flask test client) and must
have its expected outcome: scored, or refused with the expected problem named (file, and
row/column where there is one), exit code 2 / HTTP 400, never a traceback or a 500, and
nothing written when refused. The worst files are read in a subprocess under a memory limit
(``resource.setrlimit``) that reports their peak RSS.
"""

from __future__ import annotations

import gc
import importlib.util
import io
import json
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from cityrank.cli import main
from cityrank.i18n import t
from cityrank.web.app import create_app

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
_spec = importlib.util.spec_from_file_location("make_corpus", HERE / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
SMALL = sorted(p.name for p in FILES.iterdir())
BIG = sorted(corpus.big())
ALL = SMALL + BIG
WORST = ("dimension_bomb.xlsx", "row_number_bomb.xlsx", "column_bomb.xlsx", "billion_laughs.xlsx",
         "xxe.xlsx", "zip_bomb.xlsx", "big_rows.csv", "big_columns.csv", "huge_cell.csv")


@pytest.fixture(scope="module")
def big_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus-big")
    corpus.write(corpus.big(), out)
    return out


def path_of(name: str, big_dir: Path) -> Path:
    return FILES / name if (FILES / name).exists() else big_dir / name


def fragment(kind: str) -> str:
    """The longest literal piece of the kind's English message: proof it was reported."""
    pieces = re.split(r"\{[^}]*\}", t(f"messages.{kind}", "en"))
    return max((p.strip(" '.:;,()") for p in pieces), key=len)


def test_corpus_is_the_scripts_and_large_enough(tmp_path):
    assert len(corpus.EXPECTED) >= 60
    assert set(corpus.EXPECTED) == set(SMALL) | set(BIG)
    corpus.write(corpus.small(), tmp_path)  # the committed files are what the script makes
    for name in SMALL:
        assert (tmp_path / name).read_bytes() == (FILES / name).read_bytes(), name


def _cli(capsys, *args):
    capsys.readouterr()
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", ALL)
def test_through_the_cli(name, big_dir, tmp_path, capsys):
    path = path_of(name, big_dir)
    expected = corpus.EXPECTED[name][0]
    base = ("--system", "ndrc-2017", "--data", path, "--lang", "en")
    code, out, err = _cli(capsys, "validate", *base)
    assert "Traceback" not in out + err
    if expected == "ok":
        assert code == 0, err
    else:  # 1: problems listed; 2: the file could not be read at all
        assert code in (1, 2) and fragment(expected) in out + err, (out + err)[-2000:]
        assert name in out + err  # the file is named
    target = tmp_path / "out" / "scores.xlsx"
    code, out, err = _cli(capsys, "score", *base, "--out", target)
    assert "Traceback" not in out + err
    if expected == "ok":
        assert code == 0 and target.exists(), err
    else:  # validate and score agree; nothing is written, not even a temp file
        assert code == 2, out
        assert not target.parent.exists() or list(target.parent.iterdir()) == []


@pytest.fixture(scope="module")
def web():
    from cityrank.service.limits import UploadLimits

    # 77 uploads from one client: no rate limit or quota here (tests/store checks those)
    unlimited = UploadLimits(per_client=None, total=None, total_bytes=None, per_minute=1e6,
                             burst=10**6, queue=64)
    return create_app({"TESTING": True, "UPLOAD_LIMITS": unlimited}).test_client()


@pytest.mark.parametrize("name", ALL)
def test_through_the_web_upload(name, big_dir, web):
    data = path_of(name, big_dir).read_bytes()
    with warnings.catch_warnings():
        # werkzeug's test client spools a big body to a temp file that a 413 never reads
        warnings.simplefilter("ignore", ResourceWarning)
        r = web.post("/api/v1/datasets", data={"file": (io.BytesIO(data), name),
                                               "system": "ndrc-2017"},
                     content_type="multipart/form-data")
        gc.collect()
    expected = corpus.EXPECTED[name][1]
    assert r.status_code != 500
    body = r.get_json()
    if expected == "ok":
        assert r.status_code == 201, body["problems"][:3]
        assert body["n_units"] > 0
        return
    if r.status_code == 413:  # refused on its Content-Length, before a byte is read
        assert expected == "too_large" and "2" in body["error"]["message"]
        return
    assert r.status_code == 400, body
    kinds = {p.get("msg") or p["kind"] for p in body.get("problems", [])}
    assert expected in kinds, (expected, sorted(kinds))
    shown = next(p for p in body["problems"] if (p.get("msg") or p["kind"]) == expected)
    assert shown["file"] == name and shown["message_zh"]  # the user's name, both languages
    assert "/tmp" not in json.dumps(body) and "cityrank-upload" not in json.dumps(body)


def test_declared_dimension_smaller_than_the_data_scores_every_row(capsys, tmp_path):
    code, out, err = _cli(capsys, "score", "--system", "ndrc-2017", "--lang", "en", "--data",
                          FILES / "ok_dimension_smaller_than_data.xlsx", "--out", tmp_path / "s.csv")
    assert code == 0, err
    assert len((tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()) == 1 + 293


def test_a_declared_decimal_comma_reads_the_semicolon_file(capsys):
    code, out, err = _cli(capsys, "validate", "--system", "ndrc-2017", "--decimal", ",",
                          "--data", FILES / "semicolon_decimal_comma.csv")
    assert code == 0, out + err


WORST_SCRIPT = textwrap.dedent("""
    import importlib.util, json, resource, sys, time
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    spec = importlib.util.spec_from_file_location("make_corpus", sys.argv[2])
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    from cityrank.scoring.system import load_system
    system = load_system("ndrc-2017")
    corpus.outcome(sys.argv[3], system)  # imports and caches warm
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {}
    for path in sys.argv[4:]:
        t0 = time.perf_counter()
        out[path.rsplit("/", 1)[-1]] = [corpus.outcome(path, system), time.perf_counter() - t0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"results": out, "base_mb": base / 1024, "peak_mb": peak / 1024}))
""")


def test_worst_files_in_bounded_memory(big_dir):
    """The worst files, read one after another in a process whose address space is capped
    (a runaway allocation would die with MemoryError): each refused as expected, and the peak
    RSS grows by far less than the cap."""
    limit = 3 * 2**30  # address space: numpy, pandas and GDAL reserve far more than they use
    paths = [str(path_of(n, big_dir)) for n in WORST]
    proc = subprocess.run([sys.executable, "-c", WORST_SCRIPT, str(limit), str(HERE / "make_corpus.py"),
                           str(FILES / "ok_utf8.csv"), *paths],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    for name in WORST:
        assert report["results"][name][0] == corpus.EXPECTED[name][0], (name, report["results"][name])
    grown = report["peak_mb"] - report["base_mb"]
    print(f"worst files: peak RSS {report['peak_mb']:.0f} MB, +{grown:.0f} MB over the warm process")
    assert grown < 400
