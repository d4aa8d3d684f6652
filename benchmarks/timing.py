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


def interleaved_medians(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The median time of each function, run in turn (a round of every one, `repeat` rounds) rather than one
    after the other: a slow spell of a shared machine then falls on the floor and on what is measured against it
    alike, and their ratio holds where separate runs of each could differ by half."""
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            with Stopwatch() as watch:
                fn()
            runs[name].append(watch.seconds)
    return {name: statistics.median(times) for name, times in runs.items()}
