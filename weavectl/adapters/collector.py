"""The process's cycle collector: how often it runs, and the phases it is kept out of.

CPython frees nearly everything weavectl makes by reference counting; the cycle collector finds only what
reference cycles hold. It still walks the container objects it tracks, and a large config or schema allocates
hundreds of thousands of them (nodes, mappings, position keys) and frees none until it is done: each pass then
finds nothing, and costs more the larger the file. Parsing, checking, reading the schema and comparing make no
cycle that holds their data (tests/unit/test_collector.py holds them to it), so they run with the collector
paused.

A weavectl process also freezes what such a phase leaves (the config, the live schema, the plan: it lives until
the process ends), so no later pass walks it either. Only the process's entry point turns that on
(`tune_garbage_collector`): in a process that lives on (tests, an embedding program) a frozen object that later
became cyclic garbage would never be freed, so there the pause only defers the collector's work.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Young objects collected once this many more have been allocated than freed (CPython's default is 700).
GC_YOUNG_THRESHOLD = 100_000


class _Policy:
    freeze_after_pause = False  # set by tune_garbage_collector: a weavectl process, short-lived


_POLICY = _Policy()


def tune_garbage_collector() -> None:
    """For a weavectl process (its entry point calls this; a library call never does): collect cycles less often
    (parsing a large config allocates a few objects per node and frees none, so at the default threshold the
    collector runs thousands of times to find no garbage), and freeze what each paused phase leaves."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)
    _POLICY.freeze_after_pause = True


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The block runs without cycle collection; the collector is as it was after it, also when the block raises.
    For a phase that allocates much, frees little and makes no cycles: parsing, checking, comparing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _POLICY.freeze_after_pause:
            # Without this, the first pass after the pause would walk all the phase made, once: the pause would
            # only move the cost. gc.freeze splices the tracked lists into the permanent generation (no walk).
            gc.freeze()
        if was_enabled:
            gc.enable()
