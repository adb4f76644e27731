"""cityrank.atomic: one file or several, all or nothing, and no temp file outlives its run --
checked with real processes killed (SIGTERM, SIGINT, SIGKILL) while they write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cityrank import atomic

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from cityrank.atomic import atomic_group
    out, gen = Path(sys.argv[1]), sys.argv[2]

    def slow(text):
        def write(tmp):
            with open(tmp, "w") as fh:
                for _ in range(20):
                    fh.write(text)
                    fh.flush()
                    time.sleep(0.01)
        return write

    print("ready", flush=True)
    with atomic_group() as g:
        g.add(out / "report.json", slow(gen))
        g.add(out / "report.html", slow(gen))
""")


def temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if atomic.TEMP_MARK in p.name
                  or p.name.startswith(atomic.JOURNAL_PREFIX))


def pair(directory: Path) -> tuple[str, str]:
    return tuple((directory / n).read_text()[:1] if (directory / n).exists() else ""
                 for n in ("report.json", "report.html"))


def test_failed_write_leaves_no_temp_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "s.csv"
    target.write_text("old")

    def fail(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic.atomic_write(target, fail)
    assert target.read_text() == "old" and temps(tmp_path) == []
    with pytest.raises(RuntimeError), atomic.atomic_group() as g:
        g.add_text(tmp_path / "a.json", "new")
        g.add(tmp_path / "b.html", fail)
    assert not (tmp_path / "a.json").exists() and temps(tmp_path) == []


def test_temp_names_are_visible_and_stale_ones_are_cleaned(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f"report{atomic.TEMP_MARK}{dead}-abcd1234.json"
    stale.write_text("left by a killed run")
    mine = atomic.temp_path(tmp_path / "x.csv")  # a live process's temp stays
    assert not mine.name.startswith(".") and atomic.TEMP_MARK in mine.name
    assert not stale.exists()  # cleaned by the next write into the directory
    assert mine.exists()
    atomic._discard(mine)


def test_an_interrupted_commit_is_completed_by_the_next_run(tmp_path):
    (tmp_path / "report.json").write_text("old")
    (tmp_path / "report.html").write_text("old")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    tmps = [tmp_path / f"report{atomic.TEMP_MARK}{dead}-0000aaaa.{e}" for e in ("json", "html")]
    for t in tmps:
        t.write_text("new")
    os.replace(tmps[0], tmp_path / "report.json")  # killed after the first move
    journal = tmp_path / f"{atomic.JOURNAL_PREFIX}{dead}-0000aaaa.json"
    journal.write_text(json.dumps([[str(tmps[0]), str(tmp_path / "report.json")],
                                   [str(tmps[1]), str(tmp_path / "report.html")]]))
    atomic.clean_stale(tmp_path)
    assert pair(tmp_path) == ("n", "n") and temps(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_killed_writers_leave_both_files_or_neither(tmp_path, sig):
    (tmp_path / "report.json").write_text("o")
    (tmp_path / "report.html").write_text("o")
    seen = set()
    for i, delay in enumerate((0.05, 0.15, 0.25, 0.35, 0.45, 0.6)):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "n"],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        proc.stdout.close()
        if sig == signal.SIGKILL:
            atomic.clean_stale(tmp_path)  # what the next run does first
        state = pair(tmp_path)
        assert state in (("o", "o"), ("n", "n")), (i, delay, state)
        assert temps(tmp_path) == [], (i, delay)
        seen.add(state)
        (tmp_path / "report.json").write_text("o")
        (tmp_path / "report.html").write_text("o")
    assert ("o", "o") in seen  # interrupted mid-write at least once


@pytest.mark.slow
def test_analyze_killed_while_it_writes_leaves_the_old_report_pair(tmp_path):
    """``cityrank analyze --out --html``: killed after the JSON's temp file is written (while
    the maps of the HTML are drawn), the old JSON and HTML stay together, no temp file is left
    (SIGTERM), or the next run removes it (SIGKILL)."""
    for name in ("r.json", "r.html"):
        (tmp_path / name).write_text("old")
    cmd = [sys.executable, "-m", "cityrank.cli", "analyze", "--dataset", "ndrc-2017-simulated",
           "--out", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"),
           "--permutations", "99", "--draws", "50", "--no-zones"]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 300
        while not any(n.endswith(".json") for n in temps(tmp_path)):
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        proc.stderr.close()
        if sig == signal.SIGKILL:
            assert temps(tmp_path)  # nobody can clean up after SIGKILL ...
            atomic.clean_stale(tmp_path)  # ... but the next run does
        assert temps(tmp_path) == []
        assert (tmp_path / "r.json").read_text() == (tmp_path / "r.html").read_text() == "old"
