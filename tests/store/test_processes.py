"""Real server processes on one database: two waitress servers (the production server of
``cityrank serve``) and gunicorn with two workers see the same uploads; an upload survives
``kill -9`` and a restart, and the user's file left in the private temporary directory by a
server killed mid-upload is removed when the next one starts."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from cityrank import paths

TOP10 = (paths.PUBLISHED_DIR / "ndrc-2017-top10.csv").read_bytes()
HOLD = "CITYRANK_TEST_HOLD_INGEST"  # seconds the test server sleeps once a file is written

SERVER = r'''
import os, sys, time
from cityrank.web.server import run

hold = float(os.environ.get("CITYRANK_TEST_HOLD_INGEST") or 0)
if hold:  # the test kills this server while a user's file is being read
    import cityrank.scoring.ingest as ingest_mod
    real = ingest_mod.ingest

    def slow(path, *a, **kw):
        if os.path.basename(str(path)).startswith("hold-"):
            print("READING", path, flush=True)
            time.sleep(hold)
        return real(path, *a, **kw)

    ingest_mod.ingest = slow
# cityrank serve's own code path (SIGTERM handling, start-up cleaning), without the warm-up
run(None, "127.0.0.1", 0, 4, warm_up=False, out=lambda text: print(text, flush=True))
'''
UNLIMITED = {"CITYRANK_UPLOAD_QUOTA": "none", "CITYRANK_UPLOAD_QUOTA_TOTAL": "none",
             "CITYRANK_UPLOAD_PER_MINUTE": "none"}


class Server:
    def __init__(self, env: dict, hold: float = 0):
        env = {**os.environ, **UNLIMITED, **env, HOLD: str(hold)}
        self.log = tempfile.TemporaryFile(mode="w+")  # stderr, never a pipe nobody drains
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER], env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=self.log)
        line = self._line(300)
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line or "")
        if not m:
            self.stop(signal.SIGKILL)
            raise AssertionError(f"server did not start: {line!r} {self.stderr()}")
        self.url = f"http://127.0.0.1:{m.group(1)}"

    def stderr(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:]

    def _line(self, timeout: float) -> str | None:
        out: list[str] = []
        t = threading.Thread(target=lambda: out.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        return out[0].strip() if out else None

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(60)
        self.proc.stdout.close()
        self.log.close()


def request(method: str, url: str, data: bytes | None = None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def upload(url: str, data: bytes = TOP10, name: str = "top10.csv"):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"system\"\r\n\r\nndrc-2017\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return request("POST", url + "/api/v1/datasets", body,
                   {"Content-Type": f"multipart/form-data; boundary={boundary}"})


@pytest.fixture(params=["sqlite", "postgresql"])
def env(request, tmp_path):
    out = {"CITYRANK_DATA_DIR": str(tmp_path)}
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres")
        out["CITYRANK_DATABASE_URL"] = server.url(server.create_db())
    return out


def test_two_servers_on_one_database(env):
    a = Server(env)
    b = Server(env)
    try:
        status, body = upload(a.url)
        assert status == 201, body
        did, token = body["id"], body["delete_token"]
        assert request("GET", f"{b.url}/api/v1/datasets/{did}")[0] == 200
        sa = request("GET", f"{a.url}/api/v1/datasets/{did}/scores")[1]
        sb = request("GET", f"{b.url}/api/v1/datasets/{did}/scores")[1]
        assert sa == sb and sa["count"] == 10
        # delete through B; A had it cached and must not serve it any more
        assert request("DELETE", f"{b.url}/api/v1/datasets/{did}",
                       headers={"Authorization": f"Bearer {token}"})[0] == 200
        assert request("GET", f"{a.url}/api/v1/datasets/{did}/scores")[0] == 404
    finally:
        a.stop()
        b.stop()


def test_kill_9_mid_upload_then_restart(env, tmp_path):
    """Upload (kept), then kill -9 while a second upload's file is being read: the restarted
    server has the first dataset, and no user file is left in any temporary directory."""
    system_tmp = tmp_path / "system-tmp"  # the servers' TMPDIR: what they put in "/tmp"
    system_tmp.mkdir()
    env = {**env, "TMPDIR": str(system_tmp)}
    a = Server(env, hold=120)
    try:
        status, body = upload(a.url)
        assert status == 201, body
        did = body["id"]
        def killed_upload():
            try:
                upload(a.url, name="hold-第二个.csv")
            except (urllib.error.URLError, ConnectionError):
                pass  # the server is killed while it reads this one

        threading.Thread(target=killed_upload, daemon=True).start()
        line = ""
        while not line.startswith("READING"):  # skip the rest of the start-up banner
            line = a._line(120)
            assert line is not None, a.stderr()
        held = Path(line.split(" ", 1)[1])
        assert held.exists() and tmp_path / "tmp" in held.parents
        assert held.name == "hold-第二个.csv"
        os.kill(a.proc.pid, signal.SIGKILL)
        a.proc.wait(30)
        assert held.exists()  # kill -9 leaves it behind ...
    finally:
        a.stop(signal.SIGKILL)
    b = Server(env)
    try:
        assert not held.exists() and not held.parent.parent.exists()  # ... the restart removes it
        status, info = request("GET", f"{b.url}/api/v1/datasets/{did}")
        assert status == 200 and info["n_scored"] == 10
        leftovers = [p.name for p in (tmp_path / "tmp").iterdir()]
        assert len(leftovers) == 1 and leftovers[0].startswith(f"p{b.proc.pid}-")
    finally:
        b.stop(signal.SIGTERM)
    assert not (tmp_path / "tmp" / leftovers[0]).exists()  # SIGTERM: the server cleans up
    assert list(system_tmp.iterdir()) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_two_workers_serve_every_read_of_a_new_upload(tmp_path):
    """The report: "under two gunicorn workers half the reads of a new upload return 404"."""
    port = _free_port()
    env = {**os.environ, "CITYRANK_DATA_DIR": str(tmp_path)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout",
                             "300", "cityrank.web.app:create_app()"], env=env,
                            stdout=subprocess.DEVNULL, stderr=log, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if request("GET", url + "/api/v1/datasets")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                log.seek(0)
                raise AssertionError(log.read()[-3000:])
            time.sleep(0.5)
        status, body = upload(url)
        assert status == 201, body
        for _ in range(30):  # each read may reach either worker
            code, info = request("GET", f"{url}/api/v1/datasets/{body['id']}")
            assert code == 200 and info["id"] == body["id"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        log.close()
