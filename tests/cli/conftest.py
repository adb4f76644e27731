"""Run ``cityrank`` in process: ``cli("map", "--out", path)`` -> Result(code, out, err).

``cityrank.cli.main(argv)`` returns the exit code; stdout and stderr come from capsys. Only
the tests that need a real process (the console script, a server, a fresh font cache) start
one (the ``console_script`` fixture)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from cityrank.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _no_env_lang(monkeypatch):
    """The default language is Chinese unless a test says otherwise."""
    monkeypatch.delenv("CITYRANK_LANG", raising=False)


@pytest.fixture
def cli(capsys):
    def run(*args) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def console_script() -> str:
    """The installed ``cityrank`` entry point of this interpreter's environment."""
    exe = Path(sys.executable).with_name("cityrank")
    assert exe.exists(), f"{exe}: the console script is not installed (pip install -e .)"
    return str(exe)
