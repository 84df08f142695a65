"""Server CPU per new auth key, end to end, with the handshake's crypto alone beside it.

    python bench/bench_handshake.py                                    # this tree, ~1 min
    python bench/bench_handshake.py --database postgres sqlite
    python bench/bench_handshake.py --before ../wt-hsbase --rounds 3   # an older tree, interleaved

**End to end** (what a user pays for): `mtserver run` from the tree, on loopback, with a
fresh database (PostgreSQL: a scratch database on $MTTEST_POSTGRES or the local
server; SQLite: the file in a fresh data dir), and ``--concurrency`` clients in this
process, each making new auth keys one after another as an app does on its first start:
TCP connect (intermediate transport), the handshake (req_pq_multi; req_DH_params with
RSA_PAD, as current apps send it; set_client_DH_params), then the key's first encrypted
request as apps send it, ``invokeWithLayer(initConnection(help.getConfig))``, its answer,
close. After ``--warmup`` keys, ``--keys`` more are timed: server CPU per key is the
server process's utime + stime (/proc/<pid>/stat) over that window divided by the keys;
keys/s is wall clock, with this process's clients (about 8 ms of Python CPU per key:
pq factorisation, RSA encryption, two 2048-bit powers) sharing the machine.

**Crypto only** (the state machine, no TCP, no storage, no first request): a worker
process with the tree first on sys.path drives `mtproto.handshake.Handshake` in memory
with the same client; server CPU is the thread's CPU time inside ``receive``/``confirm``,
per step. It is the floor under the end-to-end figure, labelled as such.

With ``--before DIR`` (a checkout of an older commit: ``git worktree add --detach
../wt-hsbase <commit>``) both trees run each round, in alternating order, so load from
other users of the machine falls on both alike; the table gives the median over the
rounds with min–max. The client side always comes from this tree.

``--breakdown N``: on each server, N more times, connections that stop after each step
(the transport marker alone; req_pq_multi; req_DH_params; set_client_DH_params, the key
made but unused; the first request), so the difference between two rows is what that
step costs the server end to end, next to its "crypto only" figure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__" and "--crypto-worker" in sys.argv:
    # The worker measures the tree it is given, not necessarily this one.
    sys.path.insert(0, sys.argv[sys.argv.index("--crypto-worker") + 1])
else:
    sys.path.insert(0, str(ROOT))

STEPS = ("req_pq_multi", "req_DH_params", "set_client_DH_params", "confirm")


# -- the client: sans I/O, on primitives every tree has --------------------------------------


def client_handshake(n: int, e: int, fingerprint: int, randbytes=os.urandom):
    """A generator: yields each handshake request (a TL object), is sent the server's
    answer (decoded) and returns ``(auth_key, server_salt)``. RSA_PAD for req_DH_params,
    a 2048-bit b, and every check a client makes on the server's answers."""
    import gmpy2

    import tl
    from mtproto.crypto import (DH_PRIME, decrypt_with_hash, encrypt_with_hash, factorize_pq, ige256_encrypt,
                                initial_server_salt, new_nonce_hash, tmp_aes_key_iv)
    from tl import functions as F, types as T

    def signed(data: bytes) -> int:
        return int.from_bytes(data, "little", signed=True)

    nonce_bytes = randbytes(16)
    nonce = signed(nonce_bytes)
    res_pq = yield F.ReqPqMulti(nonce=nonce)
    assert isinstance(res_pq, T.ResPQ) and res_pq.nonce == nonce, res_pq
    p, q = factorize_pq(int.from_bytes(res_pq.pq, "big"))
    new_nonce = randbytes(32)
    inner = T.PQInnerDataDc(pq=res_pq.pq, p=p.to_bytes(4, "big"), q=q.to_bytes(4, "big"), nonce=nonce,
                            server_nonce=res_pq.server_nonce, new_nonce=signed(new_nonce), dc=2)
    data = tl.encode(inner)
    # RSA_PAD (https://core.telegram.org/mtproto/auth_key step 4.1).
    data_with_padding = data + randbytes(192 - len(data))
    while True:
        temp_key = randbytes(32)
        data_with_hash = data_with_padding[::-1] + hashlib.sha256(temp_key + data_with_padding).digest()
        aes_encrypted = ige256_encrypt(data_with_hash, temp_key, bytes(32))
        mask = hashlib.sha256(aes_encrypted).digest()
        value = int.from_bytes(bytes(a ^ b for a, b in zip(temp_key, mask)) + aes_encrypted, "big")
        if value < n:
            break
    encrypted = int(gmpy2.powmod(value, e, n)).to_bytes(256, "big")
    dh_params = yield F.ReqDHParams(nonce=nonce, server_nonce=res_pq.server_nonce, p=inner.p, q=inner.q,
                                    public_key_fingerprint=fingerprint, encrypted_data=encrypted)
    assert isinstance(dh_params, T.ServerDHParamsOk), dh_params
    server_nonce_bytes = res_pq.server_nonce.to_bytes(16, "little", signed=True)
    tmp_key, tmp_iv = tmp_aes_key_iv(new_nonce, server_nonce_bytes)
    dh_inner = tl.decode(decrypt_with_hash(dh_params.encrypted_answer, tmp_key, tmp_iv))
    assert dh_inner.dh_prime == DH_PRIME.to_bytes(256, "big") and dh_inner.g == 3
    g_a = int.from_bytes(dh_inner.g_a, "big")
    margin = 1 << (2048 - 64)
    assert margin < g_a < DH_PRIME - margin
    b = int.from_bytes(randbytes(256), "big")
    g_b = int(gmpy2.powmod(3, b, DH_PRIME)).to_bytes(256, "big")
    client_inner = T.ClientDHInnerData(nonce=nonce, server_nonce=res_pq.server_nonce, retry_id=0, g_b=g_b)
    answer = yield F.SetClientDHParams(
        nonce=nonce, server_nonce=res_pq.server_nonce,
        encrypted_data=encrypt_with_hash(tl.encode(client_inner), tmp_key, tmp_iv, randbytes=randbytes))
    auth_key = int(gmpy2.powmod(g_a, b, DH_PRIME)).to_bytes(256, "big")
    assert isinstance(answer, T.DhGenOk), answer
    assert answer.new_nonce_hash1 == signed(new_nonce_hash(new_nonce, 1, auth_key))
    return auth_key, initial_server_salt(new_nonce, server_nonce_bytes)


# -- crypto only: a worker process inside one tree --------------------------------------------


def crypto_worker(count: int, warmup: int) -> dict:
    """Server CPU per step of ``count`` in-memory handshakes (after ``warmup``)."""
    import tl
    from mtproto.crypto import ServerRsaKey
    from mtproto.handshake import Handshake, KeyComputed, Reply
    from mtproto.plain_message import build_plain, parse_plain

    key = ServerRsaKey.generate()
    totals = []
    for i in range(warmup + count):
        cpu = dict.fromkeys(STEPS, 0)
        handshake = Handshake([key])
        client = client_handshake(key.n, key.e, key.fingerprint)
        request, msg_id, step = client.send(None), int(time.time() * 2**32) & ~3, 0
        try:
            while True:
                msg_id += 4
                payload = build_plain(msg_id, tl.encode(request))
                start = time.thread_time_ns()
                event = handshake.receive(payload, time.time())
                cpu[STEPS[step]] += time.thread_time_ns() - start
                step += 1
                if isinstance(event, KeyComputed):
                    start = time.thread_time_ns()
                    event = handshake.confirm(True, time.time())
                    cpu["confirm"] += time.thread_time_ns() - start
                assert isinstance(event, Reply), event
                request = client.send(tl.decode(parse_plain(event.data)[1]))
        except StopIteration as done:
            assert done.value[0] == handshake.result.key
        if i >= warmup:
            totals.append(cpu)
    return {step: statistics.fmean(c[step] for c in totals) / 1e6 for step in STEPS}


def run_crypto_worker(tree: Path, count: int, warmup: int) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--crypto-worker", str(tree),
                          "--count", str(count), "--warmup", str(warmup)],
                         cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- end to end: a real server and TCP clients --------------------------------------------------


class ServerKeys:
    """The server's public key as clients hold it."""

    def __init__(self, pem: bytes):
        from mtproto.crypto import ServerRsaKey

        key = ServerRsaKey.from_pem(pem)
        self.n, self.e, self.fingerprint = key.n, key.e, key.fingerprint


#: How far a client goes with its connection (--breakdown measures each prefix).
STAGES = ("connect", "req_pq_multi", "req_DH_params", "set_client_DH_params", "first request")


async def new_key(host: str, port: int, keys: ServerKeys, stages: int = len(STAGES)) -> None:
    """One new auth key and its first request, over a connection of its own; with
    ``stages`` < 5 only the first that many steps of STAGES (1: connect and send the
    transport marker; 4: the key is made but never used), then close."""
    import trio

    import tl
    from mtproto.plain_message import build_plain, parse_plain
    from mtproto.transport.client import IntermediateClient
    from mtproto.transport.events import Packet
    from tl import functions as F, types as T
    from tools.loadgen.session import ClientSession, RpcResult

    codec = IntermediateClient()
    stream = await trio.open_tcp_stream(host, port)
    pending: list = []

    async def packet() -> bytes:
        while not pending:
            data = await stream.receive_some(65536)
            if not data:
                raise ConnectionError("the server closed the connection")
            pending.extend(e for e in codec.feed(data) if isinstance(e, Packet))
        return pending.pop(0).payload

    async with stream:
        if stages == 1:
            await stream.send_all(IntermediateClient.marker)  # the transport marker alone
            return
        client = client_handshake(keys.n, keys.e, keys.fingerprint)
        request, msg_id, step = client.send(None), int(time.time() * 2**32) & ~3, 1
        try:
            while True:
                msg_id += 4
                await stream.send_all(codec.encode(build_plain(msg_id, tl.encode(request))))
                answer = tl.decode(parse_plain(await packet())[1])
                step += 1
                if step == stages:
                    return
                request = client.send(answer)
        except StopIteration as done:
            auth_key, salt = done.value
        session = ClientSession(auth_key, salt=salt)
        first = F.InvokeWithLayer(layer=tl.LAYER, query=F.InitConnection(
            api_id=1, device_model="bench", system_version="trio", app_version="1.0", system_lang_code="en",
            lang_pack="", lang_code="en", query=F.help.GetConfig()))
        call_id, data = session.request(first)
        await stream.send_all(codec.encode(data))
        while True:
            for _, _, obj in session.read(await packet()):
                if isinstance(obj, RpcResult) and obj.req_msg_id == call_id:
                    assert isinstance(obj.result, T.Config), obj.result
                    return
                if isinstance(obj, T.BadServerSalt):
                    raise AssertionError("the handshake's initial salt was refused")


async def make_keys(host: str, port: int, keys: ServerKeys, count: int, concurrency: int,
                    stages: int = len(STAGES)) -> None:
    import trio

    left = count

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await new_key(host, port, keys, stages)

    async with trio.open_nursery() as nursery:
        for _ in range(concurrency):
            nursery.start_soon(worker)


def end_to_end(tree: Path, database: str, key_pem: bytes, count: int, warmup: int, concurrency: int,
               breakdown: int = 0) -> dict:
    """Server CPU ms per new key and keys/s for one fresh server from ``tree``; with
    ``breakdown`` rounds, also the server CPU ms per connection that stops after each
    prefix of STAGES (``stages_ms``, lists of ``breakdown`` values)."""
    import trio

    from tests.e2e.server_process import ServerProcess
    from tests.scratch_postgres import create_database, drop_database
    from tools.loadgen.delivery import process_cpu_seconds

    keys = ServerKeys(key_pem)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir(mode=0o700)
        (data_dir / "server_key.pem").write_bytes(key_pem)
        (data_dir / "server_key.pem").chmod(0o600)
        url = create_database("mtserver_bench") if database == "postgres" else None
        env = {"PYTHONPATH": str(tree), **({"MTSERVER_DATABASE": url} if url else {})}
        server = ServerProcess(data_dir, env=env, root=tree)
        try:
            server.start()
            trio.run(make_keys, server.host, server.port, keys, warmup, concurrency)
            cpu, wall = process_cpu_seconds(server.proc.pid), time.perf_counter()
            trio.run(make_keys, server.host, server.port, keys, count, concurrency)
            cpu, wall = process_cpu_seconds(server.proc.pid) - cpu, time.perf_counter() - wall
            stages_ms: dict[str, list[float]] = {stage: [] for stage in STAGES}
            for _ in range(breakdown):
                for stages, stage in enumerate(STAGES, 1):
                    n = count * 3 if stages <= 2 else count  # the cheap ones need more for the clock tick
                    before = process_cpu_seconds(server.proc.pid)
                    trio.run(make_keys, server.host, server.port, keys, n, concurrency, stages)
                    stages_ms[stage].append((process_cpu_seconds(server.proc.pid) - before) * 1000 / n)
        finally:
            code = server.stop()
            if code:
                print(f"server exited with {code}:\n{server.log()[-4000:]}", file=sys.stderr)
            if url:
                drop_database(url)
    return {"server_ms": cpu * 1000 / count, "keys_per_s": count / wall, "stages_ms": stages_ms}


# -- report ---------------------------------------------------------------------------------------


def spread(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return format(values[0], fmt)
    return f"{format(statistics.median(values), fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200, help="new keys timed per end-to-end run (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="keys made first and not timed")
    parser.add_argument("--concurrency", type=int, default=4, help="clients making keys at once (default 4)")
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgres"), default=["postgres"])
    parser.add_argument("--crypto-count", type=int, default=100, help="in-memory handshakes for crypto only")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before", type=Path, help="an older tree to measure alongside this one")
    parser.add_argument("--breakdown", type=int, default=0, metavar="ROUNDS",
                        help="also time connections that stop after each step, ROUNDS times per server")
    parser.add_argument("--crypto-worker", metavar="TREE", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.crypto_worker:
        print(json.dumps(crypto_worker(args.count, args.warmup)))
        return

    from mtproto.crypto import ServerRsaKey, openssl

    load_before = os.getloadavg()[0]
    key_pem = ServerRsaKey.generate().private_pem()
    trees = {"after": ROOT} if args.before is None else {"before": args.before.resolve(), "after": ROOT}
    results: dict[tuple[str, str], list[dict]] = {}
    for r in range(args.rounds):
        order = list(trees) if r % 2 == 0 else list(reversed(trees))
        for side in order:
            for database in args.database:
                result = end_to_end(trees[side], database, key_pem, args.keys, args.warmup, args.concurrency,
                                    args.breakdown)
                results.setdefault((side, database), []).append(result)
                print(f"round {r + 1} {side} {database}: {result['server_ms']:.2f} ms/key, "
                      f"{result['keys_per_s']:.1f} keys/s", file=sys.stderr, flush=True)
            crypto = run_crypto_worker(trees[side], args.crypto_count, 3)
            results.setdefault((side, "crypto"), []).append(crypto)
            print(f"round {r + 1} {side} crypto only: {sum(crypto.values()):.2f} ms/key", file=sys.stderr,
                  flush=True)

    sides = list(trees)
    print(f"Python {platform.python_version()}, libcrypto {openssl.VERSION or 'unavailable'}; {args.rounds} round(s); "
          f"end to end: {args.keys} keys after {args.warmup}, {args.concurrency} clients at once; crypto only: "
          f"{args.crypto_count} handshakes; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print()
    print("| measurement | " + " | ".join(sides) + (" | after vs before |" if len(sides) > 1 else " |"))
    print("|---|" + "---:|" * len(sides) + ("---:|" if len(sides) > 1 else ""))

    def row(name: str, per_side: dict[str, list[float]], fmt: str) -> None:
        cells = [spread(per_side[s], fmt) for s in sides]
        if len(sides) > 1:
            before, after = statistics.median(per_side["before"]), statistics.median(per_side["after"])
            cells.append(f"{(after - before) / before * 100:+.0f}%")
        print(f"| {name} | " + " | ".join(cells) + " |")

    for database in args.database:
        row(f"end to end, {database}: **server CPU ms per new key**",
            {s: [x["server_ms"] for x in results[s, database]] for s in sides}, ".2f")
        row(f"end to end, {database}: new keys/s (client and server on this machine)",
            {s: [x["keys_per_s"] for x in results[s, database]] for s in sides}, ".1f")
    if args.breakdown:
        for database in args.database:
            previous = {side: 0.0 for side in sides}
            for stage in STAGES:
                per_side = {s: [v for x in results[s, database] for v in x["stages_ms"][stage]] for s in sides}
                row(f"{database}, a connection that stops after {stage}", per_side, ".2f")
                step = {s: [statistics.median(per_side[s]) - previous[s]] for s in sides}
                row(f"{database}: {stage} itself (difference of medians)", step, ".2f")
                previous = {s: statistics.median(per_side[s]) for s in sides}
    row("crypto only (state machine in memory): server CPU ms per key",
        {s: [sum(x.values()) for x in results[s, "crypto"]] for s in sides}, ".2f")
    for step in STEPS:
        row(f"crypto only: {step}", {s: [x[step] for x in results[s, "crypto"]] for s in sides}, ".2f")


if __name__ == "__main__":
    main()
