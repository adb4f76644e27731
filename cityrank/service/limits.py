"""Bounds on heavy work: a worker pool with a queue limit and per-client rate limits.

A request over budget is refused at once with a :class:`~cityrank.errors.QuotaError` that
says when to try again (``web`` answers 429 or 503 with ``Retry-After``); no request waits
without bound and the server's threads stay free for reads.

>>> pool = WorkPool(workers=1, queue=0, name="example")
>>> pool.run(sum, [1, 2, 3])
6
>>> limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: 0.0)
>>> limiter.check("a"); limiter.check("a")
>>> try:
...     limiter.check("a")
... except QuotaError as exc:
...     print(exc.status, exc.retry_after)
429 1
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cityrank.errors import QuotaError


@dataclass
class UploadLimits:
    """What one server allows for uploads (``create_app`` config ``UPLOAD_*``).

    ``per_client``/``total`` stored uploads and ``total_bytes`` of their files (checked in
    the storing transaction), ``ttl`` seconds an upload is kept (None: until deleted),
    ``per_minute``/``burst`` uploads per client (token bucket, per process), ``workers``
    uploads scored at once and ``queue`` more waiting (per process).
    """

    per_client: int | None = 20
    total: int | None = 2000
    total_bytes: int | None = 2 * 2**30
    ttl: float | None = None
    per_minute: float = 12.0
    burst: int = 6
    workers: int = 2
    queue: int = 4

    @classmethod
    def from_env(cls, environ=None) -> UploadLimits:
        """The limits set in the environment (the only configuration gunicorn workers get):
        ``CITYRANK_UPLOAD_QUOTA`` (per client; ``0`` or ``none`` = no limit),
        ``CITYRANK_UPLOAD_QUOTA_TOTAL``, ``CITYRANK_UPLOAD_QUOTA_MB``,
        ``CITYRANK_UPLOAD_TTL_HOURS``, ``CITYRANK_UPLOAD_PER_MINUTE``, ``CITYRANK_UPLOAD_BURST``,
        ``CITYRANK_UPLOAD_WORKERS``, ``CITYRANK_UPLOAD_QUEUE``; the defaults otherwise.

        >>> UploadLimits.from_env({"CITYRANK_UPLOAD_QUOTA": "none", "CITYRANK_UPLOAD_TTL_HOURS": "6"})
        ... # doctest: +ELLIPSIS
        UploadLimits(per_client=None, total=2000, total_bytes=2147483648, ttl=21600.0, ...)
        """
        env = os.environ if environ is None else environ
        out = cls()

        def get(name, convert, scale=1):
            raw = (env.get(f"CITYRANK_UPLOAD_{name}") or "").strip().lower()
            if not raw:
                return ...
            if raw in ("none", "0", "off"):
                return None
            try:
                return convert(float(raw) * scale)
            except ValueError:
                from cityrank.errors import ConfigError

                raise ConfigError(f"CITYRANK_UPLOAD_{name} must be a number or 'none', got "
                                  f"{raw!r}") from None

        for field_, name, convert, scale in (
                ("per_client", "QUOTA", int, 1), ("total", "QUOTA_TOTAL", int, 1),
                ("total_bytes", "QUOTA_MB", int, 2**20), ("ttl", "TTL_HOURS", float, 3600),
                ("per_minute", "PER_MINUTE", float, 1), ("burst", "BURST", int, 1),
                ("workers", "WORKERS", int, 1), ("queue", "QUEUE", int, 1)):
            value = get(name, convert, scale)
            if value is not ...:
                if value is None and field_ in ("per_minute", "burst", "workers", "queue"):
                    value = {"per_minute": 1e9, "burst": 10**9, "workers": 1, "queue": 0}[field_]
                setattr(out, field_, value)
        return out


class WorkPool:
    """``workers`` threads and at most ``queue`` jobs waiting; beyond that :meth:`run` refuses
    with 503 and an estimate of when a slot frees up (from the recent job durations)."""

    def __init__(self, workers: int = 2, queue: int = 4, name: str = "cityrank-work"):
        if workers < 1 or queue < 0:
            raise ValueError("a pool needs at least one worker and a non-negative queue")
        self.workers, self.queue = workers, queue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._slots = threading.BoundedSemaphore(workers + queue)
        self._lock = threading.Lock()
        self._mean = 1.0  # seconds, exponentially weighted
        self.busy = 0
        self.refused = 0

    def run(self, fn: Callable, *args, **kwargs):
        """``fn(*args, **kwargs)`` on a pool thread; the caller waits for its result."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                self.refused += 1
                wait = self._mean * (self.busy + 1) / self.workers
            raise QuotaError("the server is busy with other uploads; try again shortly",
                             status=503, retry_after=max(1, math.ceil(wait)), msg="store.busy")
        with self._lock:
            self.busy += 1
        t0 = time.monotonic()
        try:
            return self._executor.submit(fn, *args, **kwargs).result()
        finally:
            with self._lock:
                self.busy -= 1
                self._mean = 0.8 * self._mean + 0.2 * (time.monotonic() - t0)
            self._slots.release()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class RateLimiter:
    """A token bucket per client key: ``burst`` at once, refilled at ``per_minute``. Keeps
    at most ``max_clients`` buckets (the least recently seen are forgotten, i.e. full)."""

    def __init__(self, per_minute: float = 12.0, burst: int = 6, *,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = 10000):
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Take one token for ``key`` or raise QuotaError(429, retry_after)."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate) if self.rate > 0 else 3600
                raise QuotaError("too many uploads from this client; try again later",
                                 status=429, retry_after=max(1, wait), msg="store.rate",
                                 params={"per_minute": f"{self.rate * 60:g}"})
            self._buckets[key] = (tokens - 1.0, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
