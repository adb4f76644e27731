"""The private temporary directory: the only place a user's file touches the disk outside the
database, and only while it is read.

``<data dir>/tmp/`` (mode 0700) holds one directory per running process, ``p<pid>-<token>``;
each upload gets a fresh directory inside it, removed as soon as the file is read. At start-up
the directories of processes that are gone (a ``kill -9``, a power cut) are removed; at a
normal exit (and on SIGTERM for ``cityrank serve``) the process removes its own. Nothing goes
to the system temporary directory.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> tmp = PrivateTmp(root)
>>> with tmp.file("数据.csv", b"code\\n330100\\n") as path:
...     path.read_bytes(), path.name, path.parent.parent == tmp.process_dir
(b'code\\n330100\\n', '数据.csv', True)
>>> list(tmp.process_dir.iterdir())
[]
>>> tmp.close(); tmp.process_dir.exists()
False
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from cityrank.atomic import process_alive

_DIR = re.compile(r"^p(\d+)-[0-9a-f]+$")


class PrivateTmp:
    """Temporary files of this process under ``<data_dir>/tmp`` (see the module doc)."""

    def __init__(self, data_dir: str | Path):
        self.root = Path(data_dir) / "tmp"
        self.root.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.root, 0o700)
        self.removed_stale = self.clean_stale()
        self.process_dir = self.root / f"p{os.getpid()}-{secrets.token_hex(4)}"
        self.process_dir.mkdir(mode=0o700)
        self._lock = threading.Lock()
        atexit.register(self.close)

    def clean_stale(self) -> list[str]:
        """Remove what processes that are gone left behind; returns the names removed."""
        gone = []
        for entry in self.root.iterdir():
            m = _DIR.match(entry.name)
            if m and process_alive(int(m.group(1))):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()
            gone.append(entry.name)
        return gone

    @contextlib.contextmanager
    def directory(self) -> Iterator[Path]:
        """A fresh directory, removed with everything in it when the block ends."""
        path = self.process_dir / secrets.token_hex(8)
        path.mkdir(mode=0o700, parents=True)
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def file(self, name: str, data: bytes) -> Iterator[Path]:
        """``data`` written to a file called ``name`` (a cleaned base name), removed after."""
        with self.directory() as d:
            path = d / name
            path.write_bytes(data)
            yield path

    def close(self) -> None:
        with self._lock:
            shutil.rmtree(self.process_dir, ignore_errors=True)
