"""Shared timing for the benchmarks: the median of repeated runs, so one slow run on a busy machine does not
decide the result, and a stopwatch for a run that is timed once."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from types import TracebackType


class Stopwatch:
    """`with Stopwatch() as watch: ...`, then `watch.seconds` is the wall time the block took."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.seconds = time.perf_counter() - self._start


def median_time(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        with Stopwatch() as watch:
            fn()
        runs.append(watch.seconds)
    return statistics.median(runs)
