"""TL codec throughput on every shipped layer, and against Telethon's, same objects.

    python bench/bench_tl.py [--seconds 1.0]                          this tree only
    python bench/bench_tl.py --before /tmp/wt-tlbase --rounds 3       before vs after

Payloads: a messages.messages with 100 text messages (entities, replies), 20 users and
5 chats; and an `updates` with one new message, its user and chat. Each is encoded and
decoded in every shipped layer (one column per layer: the same canonical objects,
written in that layer's constructors, and those bytes read back), reported as ops/s of
CPU time (`time.process_time`, so time the machine gives to other processes does not
count), the best of 5 runs that share the `--seconds` of a cell. Telethon's codec is
measured on the newest layer (the one it speaks).

`--before` is a checkout of an older commit (`git worktree add /tmp/wt-tlbase <commit>`);
"after" is the tree this file is in. Each tree runs in its own long-lived worker process
with that tree first on sys.path (the payloads are built there from its classes), and
every cell is measured on both in turn, the order alternating, `--rounds` times: load
from other users of the machine falls on both alike. Each number is the median over the
rounds with ± half their range (max - min) as a share of the median. Also measured per
tree, the same way: `python -c "import tl"` (wall time), the first encode for layer 158
(its tables or modules loaded), each with compiled modules cached and without, and the
size of tl/generated/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# -- payloads (built in the worker, from its tree's classes) ----------------------------------


def payloads(T) -> dict:
    def user(i: int):
        return T.User(id=1000 + i, access_hash=i * 7919, first_name=f"User {i}", last_name="Example",
                      username=f"user{i}", phone=f"1555000{i:04d}", contact=i % 2 == 0, status=T.UserStatusRecently(),
                      photo=T.UserProfilePhoto(photo_id=i, dc_id=1, stripped_thumb=b"\x01" * 40))

    def chat(i: int):
        if i % 2:
            return T.Chat(id=2000 + i, title=f"Group {i}", photo=T.ChatPhotoEmpty(), participants_count=10,
                          date=1700000000, version=3)
        return T.Channel(id=3000 + i, title=f"Channel {i}", photo=T.ChatPhotoEmpty(), date=1700000000, access_hash=i,
                         megagroup=True, username=f"chan{i}", participants_count=100)

    def message(i: int):
        return T.Message(id=i + 1, peer_id=T.PeerUser(user_id=1000 + i % 20),
                         from_id=T.PeerUser(user_id=1000 + (i + 1) % 20), date=1700000000 + i,
                         message=f"Message number {i}: the quick brown fox jumps over the lazy dog", out=i % 3 == 0,
                         entities=[T.MessageEntityBold(offset=0, length=7)] if i % 4 == 0 else None,
                         reply_to=T.MessageReplyHeader(reply_to_msg_id=i) if i % 5 == 0 and i else None)

    return {
        "messages.messages (100 msgs, 20 users, 5 chats)": T.messages.Messages(
            messages=[message(i) for i in range(100)], topics=[], chats=[chat(i) for i in range(5)],
            users=[user(i) for i in range(20)]),
        "updates (1 message)": T.Updates(updates=[T.UpdateNewMessage(message=message(7), pts=100, pts_count=1)],
                                         users=[user(1)], chats=[chat(1)], date=1700000000, seq=0),
    }


def rate(fn, seconds: float, samples: int = 5) -> float:
    """Calls per CPU second: the best of `samples` runs sharing `seconds` (other processes
    only ever slow a run down, through the caches and cores they share with it)."""
    # Calibrate on a quarter of a run's time: how many calls make one run.
    n, start = 0, time.process_time()
    while time.process_time() - start < seconds / samples / 4:
        fn()
        n += 1
    per_sample = n * 4
    best = 0.0
    for _ in range(samples):
        start = time.process_time()
        for _ in range(per_sample):
            fn()
        elapsed = time.process_time() - start
        best = max(best, per_sample / elapsed if elapsed > 0 else 0.0)
    return best


# -- the worker: one tree ------------------------------------------------------------------


class Cells:
    """Every measurement of one tree, by name."""

    def __init__(self):
        import tl

        self.tl = tl
        self.objects = payloads(tl.types)
        self.data = {}
        for name, obj in self.objects.items():
            for layer in tl.SHIPPED_LAYERS:
                data = tl.encode(obj, layer)
                # Warm: the layer's codec is built, and its bytes read back to themselves.
                assert tl.encode(tl.decode(data, layer), layer) == data, (name, layer)
                self.data[name, layer] = data

    def measure(self, payload: str, op: str, layer, seconds: float) -> dict:
        tl, obj = self.tl, self.objects[payload]
        if layer == "telethon":
            from telethon.extensions import BinaryReader

            data = tl.encode(obj)
            theirs = BinaryReader(data).tgread_object()
            assert bytes(theirs) == data, "Telethon disagrees with our bytes"
            fn = (lambda: bytes(theirs)) if op == "encode" else (lambda: BinaryReader(data).tgread_object())
            return {"rate": rate(fn, seconds), "bytes": len(data)}
        data = self.data[payload, layer]
        fn = (lambda: tl.encode(obj, layer)) if op == "encode" else (lambda: tl.decode(data, layer))
        return {"rate": rate(fn, seconds), "bytes": len(data), "digest": hashlib.sha1(data).hexdigest()[:12]}


def worker_main() -> None:
    cells = Cells()
    print(json.dumps({"layers": list(cells.tl.SHIPPED_LAYERS), "payloads": list(cells.objects)}), flush=True)
    for line in sys.stdin:
        ask = json.loads(line)
        print(json.dumps(cells.measure(ask["payload"], ask["op"], ask["layer"], ask["seconds"])), flush=True)


class Worker:
    def __init__(self, tree: Path):
        env = dict(os.environ, PYTHONPATH=str(tree))
        self.proc = subprocess.Popen([PYTHON, str(Path(__file__).resolve()), "--worker"], cwd=tree, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.hello = json.loads(self.proc.stdout.readline())

    def ask(self, payload: str, op: str, layer, seconds: float) -> dict:
        self.proc.stdin.write(json.dumps({"payload": payload, "op": op, "layer": layer, "seconds": seconds}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker exited with {self.proc.wait()}")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# -- start-up and size, per tree --------------------------------------------------------------

FIRST_USE = ("import time, tl; t = time.perf_counter(); tl.encode(tl.types.User(id=1), 158); "
             "print(time.perf_counter() - t)")


def python_env(tree: Path, pycache: Path | None) -> dict:
    """`pycache`: where compiled modules are kept (a deployment's case); None: nothing is
    cached, every module is compiled from source (PYTHONDONTWRITEBYTECODE runs, as here)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "bench-tl-no-pycache")
    else:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def import_ms(tree: Path, pycache: Path | None) -> float:
    """Wall time of `python -c "import tl"` (the interpreter's own start-up included)."""
    start = time.perf_counter()
    subprocess.run([PYTHON, "-c", "import tl"], cwd=tree, env=python_env(tree, pycache), check=True)
    return (time.perf_counter() - start) * 1000


def first_use_ms(tree: Path, pycache: Path | None) -> float:
    out = subprocess.run([PYTHON, "-c", FIRST_USE], cwd=tree, env=python_env(tree, pycache), check=True,
                         capture_output=True, text=True)
    return float(out.stdout) * 1000


def generated_size(tree: Path) -> tuple[int, int]:
    files = list((tree / "tl" / "generated").rglob("*.py"))
    return sum(f.stat().st_size for f in files), len(files)


# -- report ---------------------------------------------------------------------------------


def cell(values: list[float]) -> str:
    m = statistics.median(values)
    if len(values) < 2:
        return f"{m:,.0f}"
    return f"{m:,.0f} ±{(max(values) - min(values)) / m * 50:.0f}%"


def run(trees: dict[str, Path], rounds: int, seconds: float) -> None:
    started = time.monotonic()
    workers = {side: Worker(tree) for side, tree in trees.items()}
    layers = workers["after"].hello["layers"]
    names = workers["after"].hello["payloads"]
    sides = list(trees)
    results: dict[tuple, list[dict]] = {}
    startup: dict[tuple, list[float]] = {}
    pycaches = {side: Path(tempfile.mkdtemp(prefix=f"bench-tl-{side}-")) for side in trees}
    try:
        # Warm the OS caches and fill the compiled-module caches before anything is timed.
        for side, tree in trees.items():
            for pycache in (pycaches[side], None):
                import_ms(tree, pycache)
                first_use_ms(tree, pycache)
        for r in range(rounds):
            i = 0
            for name in names:
                for op in ("encode", "decode"):
                    for layer in [*layers, "telethon"]:
                        order = sides if (r + i) % 2 == 0 else sides[::-1]
                        i += 1
                        for side in order:
                            if layer == "telethon" and side != "after":
                                continue
                            results.setdefault((name, op, layer, side), []).append(
                                workers[side].ask(name, op, layer, seconds))
            for side in (sides if r % 2 == 0 else sides[::-1]):
                for cache, pycache in (("cached", pycaches[side]), ("compiled", None)):
                    for _ in range(3):
                        startup.setdefault(("import", cache, side), []).append(import_ms(trees[side], pycache))
                        startup.setdefault(("first", cache, side), []).append(first_use_ms(trees[side], pycache))
            print(f"round {r + 1}/{rounds} done at {time.monotonic() - started:.0f} s", file=sys.stderr)
    finally:
        for w in workers.values():
            w.close()
        for pycache in pycaches.values():
            shutil.rmtree(pycache, ignore_errors=True)

    print(f"\nCPython {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"{rounds} round(s) of {seconds} s CPU per cell; {time.monotonic() - started:.0f} s\n")
    newest = layers[-1]
    print("ops/s (CPU), median ± half the range over the rounds; `after / newest`: this tree's rate on the "
          f"layer over its rate on layer {newest} in the same round, median over the rounds\n")
    print("| payload | op | tree | " + " | ".join(map(str, layers)) + " |")
    print("|---|---|---|" + "---:|" * len(layers))
    for name in names:
        for op in ("encode", "decode"):
            for side in sides:
                row = [cell([x["rate"] for x in results[name, op, layer, side]]) for layer in layers]
                print(f"| {name} | {op} | {side} | " + " | ".join(row) + " |")
            # Each round's rate over the newest layer's in the same round, then the median.
            after = {layer: [x["rate"] for x in results[name, op, layer, "after"]] for layer in layers}
            ratios = [statistics.median(a / b for a, b in zip(after[layer], after[newest])) for layer in layers]
            print(f"| {name} | {op} | after / newest | " + " | ".join(f"{r:.2f}" for r in ratios) + " |")
    print("\nbytes per layer: " + "; ".join(
        f"{name.split(' ')[0]} " + ", ".join(f"{layer}: {results[name, 'encode', layer, 'after'][0]['bytes']}"
                                              for layer in layers) for name in names))
    if "before" in trees:
        differ = [(name.split(" ")[0], layer) for name in names for layer in layers
                  if results[name, "encode", layer, "before"][0]["digest"]
                  != results[name, "encode", layer, "after"][0]["digest"]]
        print(f"bytes that differ before / after: {differ or 'none'}")

    print(f"\nTelethon, layer {newest}:\n")
    print("| payload | op | ours ops/s | Telethon ops/s | ratio |")
    print("|---|---|---:|---:|---:|")
    for name in names:
        for op in ("encode", "decode"):
            ours = [x["rate"] for x in results[name, op, newest, "after"]]
            theirs = [x["rate"] for x in results[name, op, "telethon", "after"]]
            print(f"| {name} | {op} | {cell(ours)} | {cell(theirs)} | "
                  f"{statistics.median(ours) / statistics.median(theirs):.2f}x |")

    print("\nStart-up, ms, median (min–max) of 3 runs a round: `cached` with compiled modules kept "
          "(PYTHONPYCACHEPREFIX), `compiled` with every module compiled from source (PYTHONDONTWRITEBYTECODE)\n")
    print("| tree | tl/generated/ | `python -c \"import tl\"`, cached | compiled "
          "| first encode for layer 158, cached | compiled |")
    print("|---|---:|---:|---:|---:|---:|")
    for side, tree in trees.items():
        size, count = generated_size(tree)
        times = [cell_ms(startup[what, cache, side])
                 for what in ("import", "first") for cache in ("cached", "compiled")]
        print(f"| {side} | {size / 1e6:.2f} MB in {count} files | " + " | ".join(times) + " |")


def cell_ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="CPU seconds per cell and round (5 runs)")
    parser.add_argument("--before", type=Path, help="a checkout of the older commit to compare with")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main()
    trees = {"before": args.before.resolve(), "after": ROOT} if args.before else {"after": ROOT}
    run(trees, args.rounds, args.seconds)


if __name__ == "__main__":
    main()
