"""Running fuzz targets: for a time, or one saved case again.

Each case gets its own seed, derived from the run's seed, the target and the case's
number, so that a run is reproducible (`--seed`) and a single case can be regenerated.
A case that breaks an invariant, lets an exception out or runs past CASE_TIMEOUT is
written to a JSON file (target, seed, the case as hex, the error) that `replay` feeds to
the same check again. Targets take turns in short slices so that every one gets its share
of a run however long it is.
"""

from __future__ import annotations

import hashlib
import json
import random
import signal
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .target import Target

#: Wall time one case may take before it counts as a hang.
CASE_TIMEOUT = 20.0
SLICE_SECONDS = 0.5


class Hang(BaseException):
    """Raised into a case that ran past CASE_TIMEOUT (a BaseException, so that the code
    under test cannot swallow it with `except Exception`)."""


@contextmanager
def deadline(seconds: float):
    """Raise Hang in this thread after `seconds` of wall time (main thread only; elsewhere,
    no deadline)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise Hang(f"case still running after {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def case_seed(run_seed: int, target: str, number: int) -> int:
    digest = hashlib.sha256(f"{run_seed}:{target}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


@dataclass
class Failure:
    target: str
    seed: int
    case: bytes
    error: str

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.target}-{self.seed:016x}.json"
        path.write_text(json.dumps({"target": self.target, "seed": self.seed, "case": self.case.hex(),
                                    "error": self.error}, indent=1) + "\n")
        return path


@dataclass
class Stats:
    cases: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


def run_case(target: Target, seed: int) -> Failure | None:
    """Generate the case of `seed` and check it; the failure, if any."""
    case = b""
    try:
        with deadline(CASE_TIMEOUT):
            case = target.generate(random.Random(seed))
            target.check(case)
    except (Exception, Hang):
        return Failure(target.name, seed, case, traceback.format_exc())
    return None


def run(targets: list[Target], seconds: float, run_seed: int, *, max_failures: int = 1,
        report=None) -> dict[str, Stats]:
    """Check cases of every target, in turns, until `seconds` are spent. A target stops
    after `max_failures` failures. `report(target, failure)` is told of each at once."""
    for target in targets:
        target.prepare()
    stats = {t.name: Stats() for t in targets}
    active = list(targets)
    end = time.monotonic() + seconds
    while active and time.monotonic() < end:
        for target in list(active):
            s = stats[target.name]
            slice_end = min(end, time.monotonic() + SLICE_SECONDS)
            start = time.monotonic()
            while time.monotonic() < slice_end:
                failure = run_case(target, case_seed(run_seed, target.name, s.cases))
                s.cases += 1
                if failure is not None:
                    s.failures.append(failure)
                    if report:
                        report(target, failure)
                    if len(s.failures) >= max_failures:
                        active.remove(target)
                        break
            s.seconds += time.monotonic() - start
            if time.monotonic() >= end:
                break
    return stats


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def replay(target: Target, saved: dict) -> Failure | None:
    """Check the saved case again (its bytes, not a regeneration from the seed)."""
    case = bytes.fromhex(saved["case"])
    try:
        with deadline(CASE_TIMEOUT):
            target.check(case)
    except (Exception, Hang):
        return Failure(target.name, saved["seed"], case, traceback.format_exc())
    return None
