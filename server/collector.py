"""Python's cyclic garbage collector, kept away from what lives as long as the process.

A full collection (generation 2) walks every object the process keeps, and the event
loop stands still meanwhile: every message in flight waits. Half of what a freshly
started server keeps is the import-time heap (modules, the TL schema's tables and
classes, the handler catalogue), and its big dicts and tuples are most of a full
collection's walk. With 1,000 connected clients a full collection took 66–89 ms on a
2-core VM, and one falls in the first second of load as the connections' state
grows, which alone put the open-loop benchmark's p99 over 100 ms (bench/README.md,
"Issue 13, sixth session"). Frozen at startup (gc.freeze: nothing is freed or walked
again), that heap costs no collection anything, and the same full collection took
11–19 ms.

What is frozen is what exists when the server is ready to accept: it is kept until
exit anyway. Garbage made later, the connections' included, is collected as before.
The thresholds stay Python's: raising the young generation's to 10,000 or 50,000
measured no better, and each young collection then walks that many objects at once.

`watch_pauses` puts every collection's length into the mtserver_gc_pause_seconds
histogram, so an operator can see whether a latency tail is the collector's.
"""

from __future__ import annotations

import gc
from time import perf_counter

from . import metrics


def freeze_startup_heap() -> int:
    """Collects once, then moves everything still alive out of the collector's sight.
    Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class _PauseWatch:
    def __init__(self):
        self.started = 0.0
        self.histograms = [metrics.GC_PAUSE.labels(str(generation)) for generation in range(3)]

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = perf_counter()
        else:
            self.histograms[info["generation"]].observe(perf_counter() - self.started)


def watch_pauses() -> None:
    """Records every collection's length from now on (once per process)."""
    if not any(isinstance(callback, _PauseWatch) for callback in gc.callbacks):
        gc.callbacks.append(_PauseWatch())
