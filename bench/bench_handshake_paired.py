"""Server CPU per new auth key, end to end, two trees side by side: both servers run at
once and take turns in small batches, so a machine whose speed drifts (a shared VM:
another tenant's load, steal time) slows both alike.

    python bench/bench_handshake_paired.py --before ../wt-hsbase --database postgres sqlite

bench_handshake.py runs one server after the other, a minute each; on a shared 2-vCPU VM
the CPU per key of the same tree moved by ±30% between such runs, more than the changes
it was to show. Here the same clients (bench_handshake.new_key: TCP, the three round
trips, invokeWithLayer(initConnection(help.getConfig)), close; ``--concurrency`` at once)
make ``--batch`` keys on one server, then on the other, in the order before, after,
after, before (ABBA) per block, ``--blocks`` blocks after ``--warmup`` keys each. Each
batch's CPU is that server's utime + stime (/proc) across the batch; the other server is
idle meanwhile. Printed per side: ms per key over all its batches, and the median
(min–max) of the per-block ratio after / before.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _server(stack: ExitStack, tree: Path, database: str, key_pem: bytes):
    from tests.e2e.server_process import ServerProcess
    from tests.scratch_postgres import create_database, drop_database

    data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "data"
    data_dir.mkdir(mode=0o700)
    (data_dir / "server_key.pem").write_bytes(key_pem)
    (data_dir / "server_key.pem").chmod(0o600)
    url = create_database("mtserver_bench") if database == "postgres" else None
    if url:
        stack.callback(drop_database, url)
    server = ServerProcess(data_dir, env={"PYTHONPATH": str(tree), **({"MTSERVER_DATABASE": url} if url else {})},
                           root=tree)
    server.start()
    stack.callback(server.stop)
    return server


def paired(trees: dict[str, Path], database: str, key_pem: bytes, blocks: int, batch: int, warmup: int,
           concurrency: int) -> dict:
    import trio

    from bench_handshake import ServerKeys, make_keys
    from tools.loadgen.delivery import process_cpu_seconds

    keys = ServerKeys(key_pem)
    cpu = {side: 0.0 for side in trees}
    ratios = []
    with ExitStack() as stack:
        servers = {side: _server(stack, tree, database, key_pem) for side, tree in trees.items()}
        for server in servers.values():
            trio.run(make_keys, server.host, server.port, keys, warmup, concurrency)
        for b in range(blocks):
            block = {side: 0.0 for side in trees}
            for side in ("before", "after", "after", "before"):
                server = servers[side]
                start = process_cpu_seconds(server.proc.pid)
                trio.run(make_keys, server.host, server.port, keys, batch, concurrency)
                block[side] += process_cpu_seconds(server.proc.pid) - start
            for side in trees:
                cpu[side] += block[side]
            ratios.append(block["after"] / block["before"])
            print(f"{database} block {b + 1}: before {block['before'] * 500 / batch:.2f}, after "
                  f"{block['after'] * 500 / batch:.2f} ms/key, ratio {ratios[-1]:.3f}", file=sys.stderr, flush=True)
    per_key = {side: cpu[side] * 1000 / (2 * batch * blocks) for side in trees}
    return {"ms": per_key, "ratios": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the older tree")
    parser.add_argument("--after", type=Path, default=ROOT, help="the newer tree (default: this one)")
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgres"), default=["postgres"])
    parser.add_argument("--blocks", type=int, default=6, help="ABBA blocks (default 6)")
    parser.add_argument("--batch", type=int, default=40, help="keys per turn (default 40)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    from mtproto.crypto import ServerRsaKey

    key_pem = ServerRsaKey.generate().private_pem()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    load = os.getloadavg()[0]
    results = {database: paired(trees, database, key_pem, args.blocks, args.batch, args.warmup, args.concurrency)
               for database in args.database}
    print(f"{args.blocks} ABBA blocks of {args.batch} keys per turn ({4 * args.batch * args.blocks} keys per "
          f"database), {args.concurrency} clients at once; load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    print()
    print("| end to end, server CPU ms per new key | before | after | after / before, per block: median (min–max) |")
    print("|---|---:|---:|---:|")
    for database, result in results.items():
        r = result["ratios"]
        print(f"| {database} | {result['ms']['before']:.2f} | {result['ms']['after']:.2f} | "
              f"{statistics.median(r):.3f} ({min(r):.3f}–{max(r):.3f}) |")


if __name__ == "__main__":
    main()
