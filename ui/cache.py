"""A cache of the frames pages ask for, bounded by their size in bytes rather than their count.

`st.cache_data(max_entries=256)` bounds how many answers are kept, not how big they are: eight
sessions asking for long ranges once grew the server from 0.5 GB to 1.85 GB and kept it there
(issue 9, item 10). `FrameCache` keeps frames for `ttl` seconds, evicting the least recently used
once their total `memory_usage(deep=True)` passes `max_bytes`; a frame bigger than a quarter of the
budget is handed out but never kept. Like st.cache_data it is shared by every session of the
process and keeps no errors (an exception is raised, nothing stored). Callers must not change a
frame they get (ui.data hands out copies).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pandas as pd


def frame_bytes(frame: pd.DataFrame) -> int:
    return int(frame.memory_usage(index=True, deep=True).sum())


class FrameCache:
    """Frames by key, least recently used evicted first past `max_bytes`, each kept `ttl` seconds."""

    def __init__(self, max_bytes: int, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[pd.DataFrame, int, float]] = OrderedDict()  # frame, bytes, at
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> pd.DataFrame | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() - entry[2] > self.ttl:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, frame: pd.DataFrame) -> None:
        size = frame_bytes(frame)
        with self._lock:
            if key in self._entries:
                self._drop(key)
            if size > self.max_bytes // 4:  # one answer must never push out everything else
                return
            self._entries[key] = (frame, size, self._clock())
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self, where: Callable[[Hashable], bool] = lambda key: True) -> None:
        with self._lock:
            for key in [k for k in self._entries if where(k)]:
                self._drop(key)

    def _drop(self, key: Hashable) -> None:
        self._bytes -= self._entries.pop(key)[1]

    def cached(self, compute: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        """`compute(*args)`, kept under (its name, *args); `.clear()` forgets its frames only."""
        name = compute.__qualname__

        def call(*args) -> pd.DataFrame:
            key = (name, *args)
            frame = self.get(key)
            if frame is None:
                frame = compute(*args)
                self.put(key, frame)
            return frame

        call.clear = lambda: self.clear(lambda key: key[0] == name)
        call.__doc__, call.__name__, call.__qualname__ = compute.__doc__, compute.__name__, name
        return call
