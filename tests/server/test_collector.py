"""server/collector.py: the startup heap frozen, and every collection's pause counted."""

from __future__ import annotations

import gc
import weakref

from server import collector, metrics


def _pauses(generation: int) -> float:
    return next(s.value for m in metrics.REGISTRY.collect() for s in m.samples
                if s.name == "mtserver_gc_pause_seconds_count" and s.labels["generation"] == str(generation))


def test_what_is_alive_at_startup_is_frozen_and_garbage_is_not():
    class Cycle:
        pass

    garbage = Cycle()
    garbage.me = garbage
    gone = weakref.ref(garbage)
    kept = Cycle()
    kept.me = kept
    del garbage
    try:
        frozen = collector.freeze_startup_heap()
        assert frozen == gc.get_freeze_count() > 0
        assert gone() is None  # the unreachable cycle was collected first, not frozen
        assert not any(o is kept for o in gc.get_objects())  # the live one is out of the collector's sight
    finally:
        gc.unfreeze()  # this is a test process, not a server's own
    assert any(o is kept for o in gc.get_objects())


def test_every_collection_is_timed_once_however_often_it_is_installed():
    collector.watch_pauses()
    collector.watch_pauses()
    assert sum(isinstance(c, collector._PauseWatch) for c in gc.callbacks) == 1
    gc.disable()  # only the collections asked for here
    try:
        before = _pauses(2), _pauses(0)
        gc.collect()
        gc.collect(0)
        assert (_pauses(2), _pauses(0)) == (before[0] + 1, before[1] + 1)
    finally:
        gc.enable()
