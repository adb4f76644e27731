"""The one derived cache: single flight per key, builds outside the lock, bounded in bytes,
dropped by dataset. Concurrency is checked with threads and events, never with timings."""

from __future__ import annotations

import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

from cityrank.service.cache import DerivedCache, RecursiveBuildError, estimate_size
from cityrank.service.response import representation

WAIT = 30  # seconds; a bound for a broken implementation, never reached by a working one


def _start(target, *args) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run():
        try:
            out["value"] = target(*args)
        except BaseException as exc:  # handed to the test
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def test_slow_build_of_one_key_blocks_neither_hits_nor_builds_of_others():
    cache = DerivedCache()
    cache.put("ds", "b", (), "cached B")
    started, release = threading.Event(), threading.Event()

    def slow_a():
        started.set()
        assert release.wait(WAIT)
        return "A"

    t, out = _start(cache.get_or_build, "ds", "a", (), slow_a)
    assert started.wait(WAIT)  # A's build is running and holds no lock while it waits
    assert cache.get_or_build("ds", "b", (), lambda: pytest.fail("B was cached")) == "cached B"
    assert cache.get_or_build("other", "c", (), lambda: "C") == "C"  # a new build runs too
    assert cache.get("ds", "a") is None and t.is_alive()
    release.set()
    t.join(WAIT)
    assert out == {"value": "A"} and cache.get("ds", "a") == "A"


def test_one_build_per_key_waiters_share_its_value():
    cache = DerivedCache()
    started, release = threading.Event(), threading.Event()
    calls = []

    def build():
        calls.append(1)
        started.set()
        assert release.wait(WAIT)
        return object()

    first, out1 = _start(cache.get_or_build, "ds", "k", (), build)
    assert started.wait(WAIT)
    waiters = [_start(cache.get_or_build, "ds", "k", (), build) for _ in range(4)]
    # the waiters are blocked on the flight (not building): the build has run once
    assert len(calls) == 1 and all(t.is_alive() for t, _ in waiters)
    release.set()
    for t, _ in [(first, out1), *waiters]:
        t.join(WAIT)
    values = {id(out["value"]) for _, out in [(first, out1), *waiters]}
    assert len(calls) == 1 and len(values) == 1
    assert cache.stats()["misses"] == 1 and cache.stats()["building"] == 0


def test_a_failed_build_reaches_every_waiter_and_is_not_cached():
    cache = DerivedCache()
    started, release = threading.Event(), threading.Event()

    def bad():
        started.set()
        assert release.wait(WAIT)
        raise ValueError("no such indicator")

    first, out1 = _start(cache.get_or_build, "ds", "k", (), bad)
    assert started.wait(WAIT)
    second, out2 = _start(cache.get_or_build, "ds", "k", (), lambda: "never")
    release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert isinstance(out1["error"], ValueError) and isinstance(out2.get("error"), ValueError)
    assert cache.get("ds", "k") is None
    assert cache.get_or_build("ds", "k", (), lambda: "fixed") == "fixed"  # the next call retries


def test_a_build_that_asks_for_itself_fails_instead_of_hanging():
    cache = DerivedCache()
    with pytest.raises(RecursiveBuildError):
        cache.get_or_build("ds", "k", (), lambda: cache.get_or_build("ds", "k", (), lambda: 1))
    assert cache.get_or_build("ds", "outer", (), lambda: cache.get_or_build("ds", "inner", (), lambda: 2)) == 2


def test_bounded_in_bytes_least_recently_used_goes_first():
    cache = DerivedCache(max_bytes=3000)
    for name in ("a", "b", "c"):
        cache.put("ds", name, (), b"x" * 900, size=900)
    assert cache.bytes == 2700 and len(cache) == 3
    assert cache.get("ds", "a") is not None  # a is now the most recently used
    cache.put("ds", "d", (), b"y" * 900, size=900)  # 3600 > 3000: the LRU entry (b) goes
    assert cache.get("ds", "b") is None
    assert {k[1] for k in cache.keys()} == {"a", "c", "d"} and cache.bytes == 2700
    assert cache.stats()["evictions"] == 1
    cache.put("ds", "huge", (), b"z", size=5000)  # larger than the whole cache: not kept
    assert cache.get("ds", "huge") is None and cache.bytes == 2700
    cache.put("ds", "a", (), b"new", size=100)  # replacing an entry adjusts the total
    assert cache.bytes == 1900


def test_eviction_uses_the_size_estimates():
    body = "城市" * 50_000
    cached = representation(body, "text/html; charset=utf-8")
    assert cached.gzip is not None
    assert estimate_size(cached) == len(cached.body) + len(cached.gzip) + 256
    cache = DerivedCache(max_bytes=3 * estimate_size(cached) + 100)  # three pages fit, not four
    for i in range(5):
        cache.get_or_build("ds", "page", i, lambda i=i: representation(body + str(i), "text/html"))
    assert len(cache) == 3 and cache.bytes <= cache.max_bytes


def test_size_estimates_of_what_the_service_caches():
    assert estimate_size(b"x" * 1000) >= 1000
    assert estimate_size("x" * 1000) >= 1000
    assert estimate_size(np.zeros(1000)) >= 8000
    df = pd.DataFrame({"code": [str(i) for i in range(1000)], "v": np.arange(1000.0)})
    assert estimate_size(df) >= int(df.memory_usage(deep=True).sum())
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    gdf = gpd.GeoDataFrame({"code": ["1"] * 200}, geometry=[square] * 200, crs=4490)
    assert estimate_size(gdf) >= 200 * 5 * 16  # the coordinates count, not just the wrappers
    report = {"units": [{"id": str(i), "value": float(i), "name": "杭州市"} for i in range(300)]}
    assert estimate_size(report) > 300 * 50
    loop: dict = {"self": None}
    loop["self"] = loop
    assert estimate_size(loop) > 0  # cycles end


def test_drop_removes_everything_derived_from_one_dataset():
    cache = DerivedCache()
    for kind in ("joined", "geometry", "page", "png", "analysis", "weights"):
        cache.put("upload-1", kind, ("p",), b"x" * 100)
        cache.put("bundled", kind, ("p",), b"x" * 100)
    cache.put(None, "layer", "prefecture_web", b"x" * 100)
    total = cache.bytes
    assert cache.drop("upload-1") == 6
    assert cache.keys("upload-1") == [] and len(cache.keys("bundled")) == 6
    assert cache.get(None, "layer", "prefecture_web") is not None
    assert cache.bytes < total
    assert cache.drop("bundled", "png") == 1 and len(cache.keys("bundled")) == 5


def test_a_build_in_flight_when_its_dataset_is_dropped_is_not_stored():
    cache = DerivedCache()
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        assert release.wait(WAIT)
        return "stale"

    t, out = _start(cache.get_or_build, "upload-1", "joined", (), slow)
    assert started.wait(WAIT)
    cache.drop("upload-1")  # the upload expired while its layer was being joined
    release.set()
    t.join(WAIT)
    assert out["value"] == "stale"  # the request that asked still gets its answer
    assert cache.get("upload-1", "joined") is None  # but nothing of the dataset stays


def test_mapping_view_for_weights_cache():
    cache = DerivedCache()
    weights = cache.mapping("ds", "weights")
    assert weights.get(("queen", ("1", "2"))) is None and len(weights) == 0
    weights[("queen", ("1", "2"))] = "W"
    assert weights.get(("queen", ("1", "2"))) == "W" and ("queen", ("1", "2")) in weights
    assert cache.keys("ds", "weights") == [("ds", "weights", ("queen", ("1", "2")))]
    cache.drop("ds")
    assert len(weights) == 0
