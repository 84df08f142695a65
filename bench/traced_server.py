"""`mtserver` with tracemalloc on demand, for bench_idle_connections.py --trace.

    python /path/to/bench/traced_server.py run --port ... (run from the tree measured)

The first SIGUSR1 starts tracing (after start-up and a warm-up: tracing everything from
the start makes start-up minutes long); each later one writes a snapshot of what is
traced, i.e. what was allocated since and is still held, to $BENCH_TRACE_SNAPSHOT.N
(N counting from 1). Run with cwd = the tree being measured: that tree's code is
imported, not the one this file lives in.
"""

import os
import signal
import sys
import tracemalloc

sys.path.insert(0, os.getcwd())
_taken = 0


def _on_signal(signum, frame) -> None:
    global _taken
    if not tracemalloc.is_tracing():
        tracemalloc.start(int(os.environ.get("BENCH_TRACE_FRAMES", "12")))
        return
    _taken += 1
    path = f"{os.environ['BENCH_TRACE_SNAPSHOT']}.{_taken}"
    tracemalloc.take_snapshot().dump(path + ".part")
    os.rename(path + ".part", path)  # complete once it has its name


signal.signal(signal.SIGUSR1, _on_signal)

from tools.cli import main  # noqa: E402

sys.exit(main())
