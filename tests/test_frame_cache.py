"""ui.cache.FrameCache: the page cache is bounded by bytes, not entries (issue 9, item 10).

The bound under real load (eight sessions against a served 1M-order demo, RSS measured) is in
tests/test_memory_load.py; here the policy itself, with real frames and a fake clock.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ui import data
from ui.cache import FrameCache, frame_bytes

MB = 2**20


def frame(megabytes: float, seed: int = 0) -> pd.DataFrame:
    rows = int(megabytes * MB / 8)
    return pd.DataFrame({"value": np.full(rows, float(seed))})


def test_total_bytes_stay_under_the_budget_oldest_out_first():
    cache = FrameCache(max_bytes=10 * MB, ttl=600)
    for i in range(12):
        cache.put(i, frame(2, i))
        assert cache.nbytes <= 10 * MB
    assert 3 <= len(cache) <= 5
    assert cache.get(0) is None and cache.get(11) is not None
    kept = [i for i in range(12) if cache.get(i) is not None]
    assert kept == list(range(12 - len(kept), 12)), "the least recently used went first"


def test_a_read_keeps_an_entry_alive():
    cache = FrameCache(max_bytes=8 * MB, ttl=600)
    for i in range(5):
        cache.put(i, frame(1.5, i))
    assert len(cache) == 5 and cache.get(0) is not None   # 0 is now the most recently used
    cache.put(5, frame(1.5, 5))
    assert cache.get(1) is None and cache.get(0) is not None


def test_a_frame_bigger_than_a_quarter_of_the_budget_is_served_but_not_kept():
    cache = FrameCache(max_bytes=8 * MB, ttl=600)
    cache.put("small", frame(1))
    cache.put("huge", frame(3))
    assert cache.get("huge") is None and cache.get("small") is not None
    assert cache.nbytes == frame_bytes(frame(1))


def test_entries_expire_after_the_ttl():
    now = [0.0]
    cache = FrameCache(max_bytes=8 * MB, ttl=600, clock=lambda: now[0])
    cache.put("a", frame(0.1))
    now[0] = 599
    assert cache.get("a") is not None
    now[0] = 601
    assert cache.get("a") is None and cache.nbytes == 0


def test_cached_computes_once_keeps_no_error_and_clears_its_own():
    cache = FrameCache(max_bytes=8 * MB, ttl=600)
    calls = []

    @cache.cached
    def answer(x):
        calls.append(x)
        if x < 0:
            raise ValueError("no")
        return frame(0.01, x)

    @cache.cached
    def other(x):
        return frame(0.01, x)

    assert answer(1) is answer(1) and calls == [1]
    for _ in range(2):
        with pytest.raises(ValueError):
            answer(-1)
    assert calls == [1, -1, -1], "an error is raised each time, never kept"
    other(1)
    answer.clear()
    answer(1)
    assert calls == [1, -1, -1, 1] and len(cache) == 2   # other's frame stayed


def test_the_page_caches_are_frame_caches_with_a_byte_budget():
    assert data.FRAMES.max_bytes == data.CACHE_BYTES <= 512 * MB
    assert data._report.clear and data._provider_data.clear
