"""Atomic file output shared by every layer: write a temp file beside the target, then
``os.replace`` it, so a reader never sees half a file and a failed run never destroys the
previous output.

* **Temp files never outlive their run.** They are named ``<stem>.cityrank-tmp-<pid>-<token>
  <suffix>`` (visible, and saying what they are), removed when the write fails, on SIGTERM
  and SIGINT (handlers installed by the main thread on first use, which then let the signal
  do what it did before) and at exit. A run killed with SIGKILL cannot clean up: the next
  write into the same directory removes temp files whose process is gone.
* **Several files, all or none** (:func:`atomic_group`): ``cityrank analyze --out report.json
  --html report.html`` writes every temp file first; only when all are complete are they
  moved over their targets, with SIGINT/SIGTERM held back during the moves and a journal
  (``.cityrank-commit-<pid>.json``) naming them, so a run killed even there is completed by
  the next one (roll forward) instead of leaving a new JSON beside an old HTML.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_MARK = ".cityrank-tmp-"
JOURNAL_PREFIX = ".cityrank-commit-"
STALE_AFTER = 24 * 3600  # seconds: a temp file of a live process older than this is stale too
_TEMP = re.compile(re.escape(TEMP_MARK) + r"(\d+)-[0-9a-f]+")
_JOURNAL = re.compile(re.escape(JOURNAL_PREFIX) + r"(\d+)-[0-9a-f]+\.json$")
_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_live: set[str] = set()  # temp files of this process not yet moved or removed
_lock = threading.Lock()
_handlers_installed = False
_previous: dict[int, object] = {}


def _remove_live() -> None:
    with _lock:
        paths = list(_live)
        _live.clear()
    for p in paths:
        try:
            os.unlink(p)
        except OSError:
            pass


def _on_signal(signum, frame) -> None:
    _remove_live()
    previous = _previous.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)  # e.g. Python's SIGINT handler: KeyboardInterrupt
        return
    if previous == signal.SIG_IGN:
        return
    signal.signal(signum, signal.SIG_DFL)  # die of the signal, as without us
    os.kill(os.getpid(), signum)


def _install_handlers() -> None:
    """SIGINT/SIGTERM remove this process's temp files, then act as before. Only the main
    thread may set handlers (a web server's worker threads just clean up on errors)."""
    global _handlers_installed
    if _handlers_installed or threading.current_thread() is not threading.main_thread():
        return
    for sig in _SIGNALS:
        try:
            _previous[sig] = signal.getsignal(sig)
            signal.signal(sig, _on_signal)
        except (ValueError, OSError):  # not the main interpreter / not allowed here
            continue
    atexit.register(_remove_live)
    _handlers_installed = True


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs; when that cannot be told (someone else's process, a
    platform without signals) it is taken as alive, so its files are never removed."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_stale(directory: str | Path) -> list[Path]:
    """Finish interrupted group commits (journals of dead processes) and remove temp files
    left by dead processes (or older than :data:`STALE_AFTER`) in ``directory``; returns the
    temp files removed."""
    directory = Path(directory)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        m = _JOURNAL.match(entry.name)
        if m and not process_alive(int(m.group(1))):
            _roll_forward(Path(entry.path))
    now = time.time()
    for entry in entries:
        m = _TEMP.search(entry.name)
        if not m or entry.path in _live:
            continue
        try:
            old = now - entry.stat().st_mtime > STALE_AFTER
        except OSError:
            continue
        if old or not process_alive(int(m.group(1))):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def _roll_forward(journal: Path) -> None:
    """Complete the moves a journal lists (the temps that still exist), then drop it."""
    try:
        moves = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        moves = []
    for tmp, target in moves:
        if os.path.exists(tmp):
            try:
                os.replace(tmp, target)
            except OSError:
                pass
    try:
        journal.unlink()
    except OSError:
        pass


def temp_path(path: Path) -> Path:
    """A new temp file beside ``path`` (created empty, registered for cleanup)."""
    _install_handlers()
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path.parent)
    name = f"{path.stem}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}{path.suffix or '.tmp'}"
    tmp = path.with_name(name)
    with _lock:
        _live.add(str(tmp))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.close(fd)
    return tmp


def _discard(tmp: Path) -> None:
    with _lock:
        _live.discard(str(tmp))
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _moved(tmp: Path) -> None:
    with _lock:
        _live.discard(str(tmp))


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT/SIGTERM wait until the block is done (main thread, POSIX)."""
    held = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask")
    if held:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def atomic_write(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Run ``writer(tmp_path)`` then move the temp file over ``path``."""
    path = Path(path)
    tmp = temp_path(path)
    try:
        writer(tmp)
        with _signals_held():
            os.replace(tmp, path)
            _moved(tmp)
    except BaseException:
        _discard(tmp)
        raise
    return path


class AtomicGroup:
    """Files written together (:func:`atomic_group`): ``add(path, writer)`` writes a temp
    file now; the targets are replaced only when the group commits."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def add(self, path: str | Path, writer: Callable[[Path], None]) -> Path:
        path = Path(path)
        tmp = temp_path(path)
        self._pending.append((tmp, path))
        writer(tmp)
        return path

    def add_text(self, path: str | Path, text: str) -> Path:
        return self.add(path, lambda tmp: tmp.write_bytes(text.encode("utf-8")))

    def commit(self) -> list[Path]:
        if not self._pending:
            return []
        first = self._pending[0][1]
        journal = first.with_name(f"{JOURNAL_PREFIX}{os.getpid()}-{secrets.token_hex(4)}.json")
        moves = [(str(t), str(p)) for t, p in self._pending]
        with _signals_held():
            journal.write_text(json.dumps(moves, ensure_ascii=False), encoding="utf-8")
            for tmp, path in self._pending:
                os.replace(tmp, path)
                _moved(tmp)
            journal.unlink()
        done = [p for _, p in self._pending]
        self._pending = []
        return done

    def abort(self) -> None:
        for tmp, _ in self._pending:
            _discard(tmp)
        self._pending = []


@contextmanager
def atomic_group() -> Iterator[AtomicGroup]:
    """All files added inside the block are written, or none is (see the module docstring).

    >>> with atomic_group() as g:                         # doctest: +SKIP
    ...     g.add_text("report.json", "{}")
    ...     g.add_text("report.html", "<html></html>")
    """
    group = AtomicGroup()
    try:
        yield group
    except BaseException:
        group.abort()
        raise
    group.commit()


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))
