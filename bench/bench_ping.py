"""Encrypted ping round trips over loopback against a real server process.

    python bench/bench_ping.py [--connections 1 10 100] [--seconds 5]

Starts `mtserver run` on a free port with auth keys registered in its data dir (no
handshakes in the measurement), then N trio connections each send ping → wait for pong
in a loop over the intermediate transport. Reports round trips per second (all
connections together) and p50/p99 latency. Server and clients share this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trio  # noqa: E402
import trio_asyncio  # noqa: E402

from mtproto.salts import SaltPolicy  # noqa: E402
from mtproto.transport.client import IntermediateClient  # noqa: E402
from mtproto.transport.events import Packet  # noqa: E402
from tests.e2e.server_process import ServerProcess  # noqa: E402
from storage import AuthKeyRecord, open_storage  # noqa: E402
from tests.mtproto.session_client import FakeClient  # noqa: E402
from tl import functions as F, types as T  # noqa: E402


async def pinger(port: int, client: FakeClient, stop_at: float, latencies: list[float]) -> None:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    codec = IntermediateClient()
    ping_id = 0
    async with stream:
        while time.perf_counter() < stop_at:
            ping_id += 1
            start = time.perf_counter()
            await stream.send_all(codec.encode(client.request(F.Ping(ping_id=ping_id))))
            done = False
            while not done:
                for event in codec.feed(await stream.receive_some(65536)):
                    if isinstance(event, Packet):
                        done = done or any(isinstance(o, T.Pong) and o.ping_id == ping_id
                                           for _, _, o in client.read(event.payload))
            latencies.append(time.perf_counter() - start)


async def run(port: int, clients: list[FakeClient], seconds: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    start = time.perf_counter()
    async with trio.open_nursery() as nursery:
        for c in clients:
            nursery.start_soon(pinger, port, c, start + seconds, latencies)
    return len(latencies) / (time.perf_counter() - start), latencies


async def register(data_dir: Path, clients: list[FakeClient]) -> bytes:
    """The keys go where the server will look: its storage (MTSERVER_DATABASE or the data
    dir). Returns the salt secret the server will use, from the same storage."""
    async with trio_asyncio.open_loop():
        async with await open_storage(os.environ.get("MTSERVER_DATABASE"), str(data_dir)) as storage:
            for c in clients:
                await storage.auth_keys.add(AuthKeyRecord(key_id=c.key_id, key=c.auth_key,
                                                          created_at=int(time.time())))
            return await storage.secrets.get_or_create("salt")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data")
        server.data_dir.mkdir(parents=True)
        clients = [FakeClient() for _ in range(max(args.connections))]
        salt_secret = trio.run(register, server.data_dir, clients)
        server.start()
        try:
            salts = SaltPolicy(salt_secret)
            for c in clients:
                c.salt = salts.current(c.key_id, time.time())
            print(f"{'connections':>11} {'round trips/s':>14} {'p50 ms':>8} {'p99 ms':>8}")
            for n in args.connections:
                rate, lat = trio.run(run, server.port, clients[:n], args.seconds)
                lat.sort()
                p50 = statistics.median(lat) * 1000
                p99 = lat[int(len(lat) * 0.99) - 1] * 1000
                print(f"{n:>11} {rate:>14.0f} {p50:>8.2f} {p99:>8.2f}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
