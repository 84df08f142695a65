"""The load generator's own garbage collector, kept out of the latencies it measures.

A thousand logged-in clients are some 100,000 objects in this process, and a full
collection walks them all: about 80 ms on a 2-core VM, during which no update is read
and every message in flight looks that much slower. Once the clients are logged in they
live until the run ends, so they are moved out of the collector's sight for the
measured window (gc.freeze) and handed back afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_heap() -> Iterator[None]:
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
