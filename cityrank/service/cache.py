"""One cache for everything derived from a dataset: joined layers, geometry documents, rendered
maps and pages, PNGs, analysis reports, spatial weights.

* Keys are ``(dataset_id, kind, params)``; ``dataset_id`` is ``None`` for what depends on no
  dataset (boundary layers, the unit resolver, cluster definitions).
* Values are built OUTSIDE the lock with per-key single flight: while one thread builds a key,
  other requests for the same key wait for that build (and get its value or its exception);
  requests for any other key, cached or not, never wait for it.
* The cache is bounded in BYTES (estimated: ``len`` of bytes and text, ``memory_usage`` of
  DataFrames plus coordinates of geometries, ``nbytes`` of arrays, a walk over dicts, lists and
  objects) and evicts the least recently used entries.
* :meth:`DerivedCache.drop` removes everything derived from one dataset (an upload that expired
  or was deleted); a build of that dataset in flight at that moment is not stored.

>>> cache = DerivedCache(max_bytes=1000)
>>> cache.get_or_build("ds", "greeting", ("zh",), lambda: b"ni hao")
b'ni hao'
>>> cache.get("ds", "greeting", ("zh",))
b'ni hao'
>>> cache.drop("ds")
1
>>> cache.get("ds", "greeting", ("zh",)) is None
True
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

DEFAULT_MAX_BYTES = 512 * 2**20
"""About twenty datasets' worth of joined layers, rendered maps and reports (a national map
page is ~0.6 MB plus its gzip form, a full-resolution joined layer ~10 MB)."""

Key = tuple[str | None, str, Hashable]


class RecursiveBuildError(RuntimeError):
    """A build asked for its own key (it would wait for itself forever)."""


@dataclass(eq=False)
class _Flight:
    generation: int
    owner: int
    done: threading.Event = field(default_factory=threading.Event)
    value: object = None
    error: BaseException | None = None


class DerivedCache:
    """Thread-safe, byte-bounded LRU of values derived from datasets (see the module doc)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES,
                 sizer: Callable[[object], int] | None = None):
        self.max_bytes = int(max_bytes)
        self._sizer = sizer or estimate_size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Key, tuple[object, int]] = OrderedDict()
        self._flights: dict[Key, _Flight] = {}
        self._generation: defaultdict[str | None, int] = defaultdict(int)
        self.bytes = 0
        self.hits = self.misses = self.evictions = 0

    # -- reading and building ------------------------------------------------------------
    def get(self, dataset_id: str | None, kind: str, params: Hashable = ()):
        """The cached value or ``None`` (never builds, never waits)."""
        key = (dataset_id, kind, params)
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                return None
            self._entries.move_to_end(key)
            return item[0]

    def get_or_build(self, dataset_id: str | None, kind: str, params: Hashable,
                     build: Callable[[], object], *, size: int | Callable[[object], int] | None = None):
        """The value of ``(dataset_id, kind, params)``, calling ``build()`` on a miss.

        ``size`` (bytes, or a function of the value) overrides the estimate.
        """
        key = (dataset_id, kind, params)
        me = threading.get_ident()
        with self._lock:
            item = self._entries.get(key)
            if item is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return item[0]
            flight = self._flights.get(key)
            owner = flight is None
            if owner:
                self.misses += 1
                flight = self._flights[key] = _Flight(self._generation[dataset_id], me)
            elif flight.owner == me:
                raise RecursiveBuildError(f"building {key!r} asked for itself")
        if not owner:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            value = build()
            nbytes = int(size(value) if callable(size) else size if size is not None else self._sizer(value))
        except BaseException as exc:
            flight.error = exc
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()
            raise
        with self._lock:
            self._flights.pop(key, None)
            if self._generation[dataset_id] == flight.generation:
                self._store(key, value, nbytes)
        flight.value = value
        flight.done.set()
        return value

    def put(self, dataset_id: str | None, kind: str, params: Hashable, value, *,
            size: int | None = None) -> None:
        nbytes = int(size if size is not None else self._sizer(value))
        with self._lock:
            self._store((dataset_id, kind, params), value, nbytes)

    def _store(self, key: Key, value, nbytes: int) -> None:
        """Insert under the lock, evicting least recently used entries to stay within bounds."""
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        if nbytes > self.max_bytes:  # larger than the whole cache: served, never kept
            return
        self._entries[key] = (value, nbytes)
        self.bytes += nbytes
        while self.bytes > self.max_bytes:
            _, (_, n) = self._entries.popitem(last=False)
            self.bytes -= n
            self.evictions += 1

    # -- forgetting ----------------------------------------------------------------------
    def drop(self, dataset_id: str | None, kind: str | None = None) -> int:
        """Remove everything derived from ``dataset_id`` (only entries of ``kind`` if given);
        returns the number of entries removed.

        Builds of that dataset still running are not stored when they finish.
        """
        with self._lock:
            self._generation[dataset_id] += 1
            gone = [k for k in self._entries if k[0] == dataset_id and (kind is None or k[1] == kind)]
            for k in gone:
                self.bytes -= self._entries.pop(k)[1]
            return len(gone)

    def clear(self) -> None:
        with self._lock:
            for ds in {k[0] for k in self._entries} | {k[0] for k in self._flights}:
                self._generation[ds] += 1
            self._entries.clear()
            self.bytes = 0

    # -- inspection ----------------------------------------------------------------------
    def keys(self, dataset_id: str | None = ..., kind: str | None = None) -> list[Key]:
        """Cached keys, optionally of one dataset and/or kind (least recently used first)."""
        with self._lock:
            return [k for k in self._entries
                    if (dataset_id is ... or k[0] == dataset_id) and (kind is None or k[1] == kind)]

    def __contains__(self, key: Key) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self.bytes, "max_bytes": self.max_bytes,
                    "hits": self.hits, "misses": self.misses, "evictions": self.evictions,
                    "building": len(self._flights)}

    def mapping(self, dataset_id: str | None, kind: str) -> CacheMapping:
        """A dict-like view of one (dataset, kind) for code that takes a plain cache dict
        (``geo.analysis.report.build_report``'s ``weights_cache``)."""
        return CacheMapping(self, dataset_id, kind)


class CacheMapping:
    """``get(key)`` / ``view[key] = value`` over the entries ``(dataset_id, kind, key)``."""

    def __init__(self, cache: DerivedCache, dataset_id: str | None, kind: str):
        self.cache, self.dataset_id, self.kind = cache, dataset_id, kind

    def get(self, key, default=None):
        value = self.cache.get(self.dataset_id, self.kind, key)
        return default if value is None else value

    def __getitem__(self, key):
        value = self.cache.get(self.dataset_id, self.kind, key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value) -> None:
        self.cache.put(self.dataset_id, self.kind, key, value)

    def __contains__(self, key) -> bool:
        return (self.dataset_id, self.kind, key) in self.cache

    def __len__(self) -> int:
        return len(self.cache.keys(self.dataset_id, self.kind))


# -- size estimates -------------------------------------------------------------------------
_MAX_DEPTH = 8


def estimate_size(value) -> int:
    """Approximate bytes held by ``value`` (good enough to bound a cache, cheap to compute)."""
    return _size(value, 0, set())


def _size(value, depth: int, seen: set[int]) -> int:
    if value is None or isinstance(value, bool | int | float):
        return 24
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value) + 33
    if isinstance(value, str):
        return sys.getsizeof(value)
    if id(value) in seen or depth > _MAX_DEPTH:
        return 0
    seen.add(id(value))
    nbytes = getattr(value, "cache_bytes", None)  # our own values say what they hold
    if isinstance(nbytes, int):
        return nbytes
    frame = _frame_size(value)
    if frame is not None:
        return frame
    arr = getattr(value, "nbytes", None)
    if isinstance(arr, int) and hasattr(value, "dtype"):
        return arr + 112
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(_size(k, depth + 1, seen) + _size(v, depth + 1, seen)
                                          for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(_size(v, depth + 1, seen) for v in value)
    attrs = getattr(value, "__dict__", None)
    if attrs is not None:
        return sys.getsizeof(value) + _size(attrs, depth + 1, seen)
    slots = getattr(type(value), "__slots__", ())
    if slots:
        return sys.getsizeof(value) + sum(_size(getattr(value, s, None), depth + 1, seen)
                                          for s in slots)
    return sys.getsizeof(value)


def _frame_size(value) -> int | None:
    """pandas objects: their memory; geometry columns add their coordinates (shapely objects
    report only the size of their Python wrapper)."""
    usage = getattr(value, "memory_usage", None)
    if usage is None or not callable(usage) or not hasattr(value, "index"):
        return None
    try:
        total = usage(deep=True)
        total = int(total.sum()) if hasattr(total, "sum") else int(total)
    except (TypeError, ValueError):
        return None
    import shapely

    columns = [value] if not hasattr(value, "columns") else [value[c] for c in value.columns]
    for col in columns:
        if str(getattr(col, "dtype", "")) == "geometry":
            total += int(shapely.get_num_coordinates(col.values).sum()) * 16 + 100 * len(col)
    return total
