"""Start-up time of the mtserver command: wall time of whole processes, median of N runs.

    python bench/bench_cli_startup.py [--runs 10] [--data-dir DIR] [--no-bytecode]

Times `mtserver run --help` (argument parsing only) and `mtserver admin users list`
(opens the SQLite store in DIR, lists users) as `python -m tools.cli ...` from the
repository root, each run a fresh process; prints the median and the spread (min-max)
of the wall time and of the CPU time (user + system: steadier on a shared machine) in
milliseconds. Results: bench/README.md, "Command start-up".

By default the commands may write and read bytecode (__pycache__), as an installed
server does (pip and the Dockerfile compile it); the first, untimed run writes it.
``--no-bytecode`` compiles every module from source on every run (what
PYTHONDONTWRITEBYTECODE=1 with an empty cache gives): the worst case.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall time and CPU time (user + system) of each run, in milliseconds."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tools.cli", *args], cwd=ROOT, check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--data-dir")
    parser.add_argument("--no-bytecode", action="store_true")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if args.no_bytecode:
        env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="mtserver-nopyc-"))
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="mtserver-bench-")
    # One untimed run creates and migrates the store (and warms the page cache).
    subprocess.run([sys.executable, "-m", "tools.cli", "migrate", "--data-dir", data_dir], cwd=ROOT, check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for label, command in (("mtserver run --help", ["run", "--help"]),
                           ("mtserver admin users list", ["admin", "--data-dir", data_dir, "users", "list"])):
        timed(command, 1, env)
        wall, cpu = timed(command, args.runs, env)
        print(f"{label:28} wall median {statistics.median(wall):5.0f} ms (min {min(wall):5.0f}, max {max(wall):5.0f})"
              f"   CPU median {statistics.median(cpu):5.0f} ms (min {min(cpu):5.0f}, max {max(cpu):5.0f})"
              f"   {args.runs} runs{', no bytecode' if args.no_bytecode else ''}")


if __name__ == "__main__":
    main()
