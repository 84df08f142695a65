"""Command line of the fuzz suite; see tests/fuzz/__init__.py. Exit code 1 on any failure."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from . import runner, targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--minutes", type=float, default=1.0, help="how long to run (all targets share it)")
    parser.add_argument("--target", action="append", help="a target to run (repeatable; default every one)")
    parser.add_argument("--seed", type=int, help="the run's seed (default: a random one, printed)")
    parser.add_argument("--replay", type=Path, metavar="FILE", help="check one saved failing case again")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing cases are saved")
    parser.add_argument("--max-failures", type=int, default=1, help="failures after which a target stops")
    args = parser.parse_args(argv)
    available = targets()

    if args.replay:
        saved = runner.load(args.replay)
        failure = runner.replay(available[saved["target"]], saved)
        if failure is None:
            print(f"{args.replay}: {saved['target']} case passes now")
            return 0
        print(failure.error, end="")
        return 1

    chosen = args.target or list(available)
    unknown = [name for name in chosen if name not in available]
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}; there are {', '.join(available)}")
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    print(f"fuzzing {', '.join(chosen)} for {args.minutes:g} min, seed {seed}", flush=True)

    def report(target, failure):
        path = failure.save(args.out)
        hexed = failure.case.hex()
        shown = hexed if len(hexed) <= 2000 else hexed[:2000] + f"... ({len(failure.case)} bytes)"
        print(f"\nFAIL {target.name} seed {failure.seed} -> {path}\n{failure.error}case: {shown}\n", flush=True)

    stats = runner.run([available[name] for name in chosen], args.minutes * 60, seed,
                       max_failures=args.max_failures, report=report)
    print(f"{'target':<10} {'cases':>9} {'cases/s':>9} {'slowest call':>13} {'failures':>9}")
    for name in chosen:
        s = stats[name]
        slowest = f"{available[name].slowest[0] * 1000:.1f} ms"
        print(f"{name:<10} {s.cases:>9} {s.rate:>9.0f} {slowest:>13} {len(s.failures):>9}")
    return 1 if any(s.failures for s in stats.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
