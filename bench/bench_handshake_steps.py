"""Scheduler passes and I/O waits per new auth key, in the server: deterministic where
CPU time is not (a busy machine moves the CPU per key by ±15%; the count of trio task
steps a key costs does not move).

    python bench/bench_handshake_steps.py --before ../wt-hsbase --database postgres sqlite

`mtserver run` from each tree (fresh database, as bench_handshake.py), with a trio
Instrument added to its `trio.run` through a sitecustomize module on its PYTHONPATH:
after --warmup keys, --keys keys each on its own connection (handshake and the first
call, invokeWithLayer(initConnection(help.getConfig))), and the counters read before
and after (the server writes them on SIGUSR1). Per key: task steps (each a pass of a
task through the scheduler), I/O waits (epoll passes; these depend on how many tasks a
pass finds ready, so on timing) and tasks spawned.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITECUSTOMIZE = '''
import json, os, signal
import trio, trio.abc
counts = {"task_steps": 0, "io_waits": 0, "tasks_spawned": 0}
def _dump(*_):
    with open(os.environ["BENCH_HANDSHAKE_STEPS"] + ".tmp", "w") as f:
        json.dump(counts, f)
    os.replace(os.environ["BENCH_HANDSHAKE_STEPS"] + ".tmp", os.environ["BENCH_HANDSHAKE_STEPS"])
signal.signal(signal.SIGUSR1, _dump)
class _Count(trio.abc.Instrument):
    def before_task_step(self, task): counts["task_steps"] += 1
    def before_io_wait(self, timeout): counts["io_waits"] += 1
    def task_spawned(self, task): counts["tasks_spawned"] += 1
_run = trio.run
def run(*args, **kwargs):
    kwargs["instruments"] = [*kwargs.get("instruments", ()), _Count()]
    return _run(*args, **kwargs)
trio.run = run
'''


def _read(pid: int, path: Path) -> dict:
    path.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        time.sleep(0.02)
    raise RuntimeError("the server did not write its counters")


def steps_per_key(tree: Path, database: str, key_pem: bytes, count: int, warmup: int, concurrency: int) -> dict:
    import trio

    from bench.bench_handshake import ServerKeys, make_keys
    from tests.e2e.server_process import ServerProcess
    from tests.scratch_postgres import create_database, drop_database

    keys = ServerKeys(key_pem)
    with tempfile.TemporaryDirectory() as tmp:
        site, data_dir, out = Path(tmp) / "site", Path(tmp) / "data", Path(tmp) / "steps.json"
        site.mkdir()
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
        data_dir.mkdir(mode=0o700)
        (data_dir / "server_key.pem").write_bytes(key_pem)
        (data_dir / "server_key.pem").chmod(0o600)
        url = create_database("mtserver_bench") if database == "postgres" else None
        env = {"PYTHONPATH": f"{tree}{os.pathsep}{site}", "BENCH_HANDSHAKE_STEPS": str(out),
               **({"MTSERVER_DATABASE": url} if url else {})}
        server = ServerProcess(data_dir, env=env, root=tree)
        try:
            server.start()
            trio.run(make_keys, server.host, server.port, keys, warmup, concurrency)
            time.sleep(0.3)  # the last connections' background writes
            before = _read(server.proc.pid, out)
            trio.run(make_keys, server.host, server.port, keys, count, concurrency)
            time.sleep(0.3)
            after = _read(server.proc.pid, out)
        finally:
            server.stop()
            if url:
                drop_database(url)
    return {name: (after[name] - before[name]) / count for name in before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgres"), default=["postgres"])
    parser.add_argument("--before", type=Path, help="an older tree to count alongside this one")
    args = parser.parse_args()

    from mtproto.crypto import ServerRsaKey

    key_pem = ServerRsaKey.generate().private_pem()
    trees = {"after": ROOT} if args.before is None else {"before": args.before.resolve(), "after": ROOT}
    print("| per new key (server) | " + " | ".join(f"{side}, {db}" for db in args.database for side in trees) + " |")
    print("|---|" + "---:|" * (len(trees) * len(args.database)))
    results = {(side, db): steps_per_key(tree, db, key_pem, args.keys, args.warmup, args.concurrency)
               for db in args.database for side, tree in trees.items()}
    for name in ("task_steps", "io_waits", "tasks_spawned"):
        print(f"| {name.replace('_', ' ')} | " + " | ".join(
            f"{results[side, db][name]:.1f}" for db in args.database for side in trees) + " |")


if __name__ == "__main__":
    main()
