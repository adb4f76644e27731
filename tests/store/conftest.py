"""Both backends for the store's tests: SQLite in a temp directory, and a real PostgreSQL
server from Debian's packages started for the session in a private directory (initdb, pg_ctl,
a Unix socket only, no TCP port, trust authentication, fsync off).

As root (CI), PostgreSQL refuses to run: the cluster is created and run as the ``postgres``
system user that Debian's package creates (``runuser``). Every test that asks for a database
gets a new one (``CREATE DATABASE``), so tests never see each other's datasets.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        cand = Path(out.stdout.strip())
        if (cand / "initdb").exists():
            return cand
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A private PostgreSQL cluster: ``url(dbname)`` for SQLAlchemy, ``create_db()``."""

    def __init__(self):
        self.bindir = _bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL is not installed (scripts/setup.sh --test installs "
                               "Debian's postgresql package)")
        self.root = Path(tempfile.mkdtemp(prefix="cityrank-pg-"))
        self.data, self.sock, self.log = self.root / "data", self.root / "sock", self.root / "log"
        self.sock.mkdir()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # postgres will not run as root
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.user = "cityrank"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True,
                       cwd=self.root, timeout=120)

    def start(self) -> PostgresServer:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                  "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
        opts = (f"-k {self.sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=100")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                  str(self.log), "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@/{dbname}?host={self.sock}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.sock), user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def create_db(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        self.admin(f'CREATE DATABASE "{name}"')
        return name


@pytest.fixture(scope="session")
def postgres():
    try:
        server = PostgresServer().start()
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        if os.environ.get("CI"):
            pytest.fail(f"cannot start PostgreSQL for the store tests: {detail}")
        pytest.skip(f"PostgreSQL not available: {detail}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cityrank.sqlite3'}"
    server = request.getfixturevalue("postgres")
    return server.url(server.create_db())


@pytest.fixture()
def store(db_url):
    from cityrank.store import Store

    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def cli(capsys, tmp_path):
    """``cityrank …`` in process on the test's own data directory: (exit code, stdout, stderr)."""
    from cityrank.cli import main

    def run(*args):
        capsys.readouterr()
        code = main([str(a) for a in (*args, "--data-dir", tmp_path)])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
