"""What a fuzz target is: a seeded generator of cases and a checker of invariants.

A case is plain bytes, so that a failing one can be written down as hex and replayed
exactly (`python -m tests.fuzz --replay FILE`). `generate(rng)` builds a case from a
seeded `random.Random` and nothing else (same seed, same bytes); `check(case)` feeds it to
the code under test and raises AssertionError when an invariant breaks. Any other exception
escaping `check` is a failure too: the code under test let a foreign exception out.

Targets whose code under test draws its own randomness (the handshake's server nonce) encode
in the case what to do (which step, which mutations) rather than the exact bytes fed; their
module says so. This module knows no target.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Target:
    name: str
    summary: str
    generate: Callable[[random.Random], bytes]
    check: Callable[[bytes], None]
    #: One-time set-up (parsing schemas, building bombs, an RSA key), run before the
    #: clock starts so that rates measure cases, not set-up.
    prepare: Callable[[], None] = lambda: None
    #: The slowest single call into the code under test so far (CPU seconds), kept by
    #: the checks that time their calls; reported by the runner.
    slowest: list[float] = field(default_factory=lambda: [0.0])

    def timed(self, limit: float, what: str, call: Callable, *args, **kwargs):
        """`call(*args)`, asserting it used at most `limit` seconds of this thread's CPU
        (CPU, not wall time: other processes on a loaded machine do not count)."""
        start = time.thread_time()
        result = call(*args, **kwargs)
        spent = time.thread_time() - start
        self.slowest[0] = max(self.slowest[0], spent)
        assert spent <= limit, f"{what} took {spent * 1000:.1f} ms of CPU (limit {limit * 1000:.0f} ms)"
        return result
