"""The bus alone: CPU of this process per message, in-process bus vs Redis bus.

    python bench/bench_bus.py --messages 20000                      # in-process bus
    python bench/bench_bus.py --messages 20000 --redis redis://127.0.0.1:6379/0
    strace -f -c -o counts.txt python bench/bench_bus.py --messages 20000 --redis ...

``--pairs`` subscriber/publisher pairs (default 50), each on its own channel: publish a
payload (``--size`` bytes), wait until its subscriber has it, again (a closed loop like
bench_delivery.py's senders, without the MTProto and storage work around it). Prints
messages per second and this process's CPU (user + system, all threads) per message,
measured from the first publish to the last delivery. Under strace, run it for two
message counts and take the difference to get syscalls per message without the start-up.
Works on any tree whose storage.bus has open_bus (the base of a comparison too).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trio  # noqa: E402

from storage.bus import open_bus  # noqa: E402


async def run(url: str | None, pairs: int, messages: int, size: int) -> tuple[float, float]:
    per_pair = max(1, messages // pairs)
    payload = secrets.token_bytes(size)
    async with open_bus(url, **({"prefix": f"bench-{secrets.token_hex(4)}:"} if url else {})) as bus:
        start = trio.Event()
        subscribed = 0

        async def pair(index: int) -> None:
            nonlocal subscribed
            channel = f"user:{index}"
            async with bus.subscribe(channel) as sub:
                subscribed += 1
                await start.wait()
                for _ in range(per_pair):
                    await bus.publish(channel, payload)
                    await sub.receive()

        async with trio.open_nursery() as nursery:
            for index in range(pairs):
                nursery.start_soon(pair, index)
            while subscribed < pairs:
                await trio.sleep(0.01)
            cpu, wall = time.process_time(), time.perf_counter()
            start.set()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return per_pair * pairs / wall, cpu * 1000 / (per_pair * pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n\n")[0])
    parser.add_argument("--redis", metavar="URL", help="the Redis bus (default: in-process)")
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--size", type=int, default=200, help="payload bytes")
    args = parser.parse_args()
    rate, cpu_ms = trio.run(run, args.redis, args.pairs, args.messages, args.size)
    bus = "Redis" if args.redis else "in-process"
    print(f"| {bus} | {args.messages} | {rate:.0f} | {cpu_ms:.4f} |", flush=True)


if __name__ == "__main__":
    main()
