"""What a peer that never logs in can cost the server: this tree against an older one.

    python bench/bench_unauthenticated.py --before /tmp/before-2d65604   # ~4 minutes
    python bench/bench_unauthenticated.py --before PATH --rounds 5 --server-rounds 3 --mem-rounds 1

`--before` is a checkout of the older commit (`git worktree add /tmp/before-2d65604
2d65604`); "after" is the tree this file is in. Both run with this interpreter, each in
its own processes with its own tree first on sys.path, and their rounds are interleaved
(before/after, then after/before, ...) so that load from other users of the machine falls
on both alike. Every number is the median over the rounds, with min–max beside it.

In-process, against `mtproto.session.EncryptedSession.receive` (one long-lived worker
process per tree, fed one case at a time): the cost of one packet from a peer that only
made an auth key (it knows the salt: the handshake gives it), decrypted and decoded before
any login check.

* gzip bomb: one messages.getPeerDialogs whose vector holds N gzip_packed values of
  ~32 KB, each inflating to 32 MiB (the per-value cap; 400 of them: 12.8 MB on the
  wire). The old code inflates every one (12.5 GB for 400), so "before" sends fewer
  (`--before-gzip-values`, 10) and its CPU is extrapolated per value to 400.
* 2M tiny objects: a 16 MiB messages.getPeerDialogs of 2,097,152 inputDialogPeer
  (inputPeerEmpty) items, 8 bytes each.
* resend amplification: msg_resend_req (8 KB) naming one unacknowledged 182 KB
  (incompressible) answer 1,000 times; bytes of encrypted reply.
* session flood: 30,000 pings, each with a new random session_id and the right salt,
  on one key; the memory the server keeps once the connection is gone (the per-key
  sessions dict outlives connections), and the CPU per ping.

CPU is `time.process_time()` around `receive` (the packet is built beforehand); bytes are
tracemalloc's peak (or what is still traced, for the session flood) in a separate run of
the same case (tracemalloc slows Python code 2-4x), `--mem-rounds` times (allocation is
deterministic: one round is enough).

A real server (`python -m tools.cli run` on a free port, a fresh data dir with SQLite,
the same pre-made RSA key) per tree and round, its RSS read from /proc/<pid>/status:

* per session (1 key): one auth key by a real handshake over TCP (abridged), the salt
  learnt from bad_server_salt, then `--sessions` pings on one connection, each with a new
  session_id; the connection is closed; RSS delta / sessions.
* per session (K keys x 64): the same with `--session-keys` keys and 64 sessions each (the
  per-key cap of the new code), so both trees keep every session: what one costs.
* per idle connection: `--connections` TCP connections that send the abridged marker
  0xef and then nothing; RSS delta / connections while they are open. The sockets the
  server holds are counted from /proc/<pid>/fd.
* the same connections against the new server with MTSERVER_LIMITS_EXEMPT set to a
  network loopback is not in (loopback is exempt from per-address limits by default).

RSS is read once the server process has stopped using CPU (its utime+stime unchanged
for 0.5 s).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
MIB = 1024 * 1024
GZIP_VALUES = 400
GZIP_INFLATED = 32 * MIB - 64  # just under the per-value cap both trees have (MAX_GZIP_SIZE)
TINY_OBJECTS = 2 * 1024 * 1024
RESEND_ANSWER = 182_000
RESEND_REPEATS = 1000
FLOOD_PINGS = 30_000
SESSIONS_PER_KEY = 64


# -- worker: runs inside one tree --------------------------------------------------------


class Worker:
    """The in-process cases, against the tree first on sys.path."""

    def __init__(self):
        import gzip

        import tl
        from mtproto.crypto import auth_key_id, encrypt_message
        from mtproto.salts import SaltPolicy
        from mtproto.session import EncryptedSession
        from tl import functions as F, types as T

        self.tl, self.F, self.T = tl, F, T
        self.encrypt_message, self.auth_key_id = encrypt_message, auth_key_id
        self.EncryptedSession = EncryptedSession
        self.salts = SaltPolicy(b"s" * 32)
        obj = tl.encode(T.InputDialogPeer(peer=T.InputPeerSelf()))
        packed = gzip.compress(obj + bytes(GZIP_INFLATED - len(obj)), 9)
        self.bomb = struct.pack("<I", 0x3072CFA1) + self._tl_bytes(packed)
        self.tiny = struct.pack("<II", T.InputDialogPeer.CONSTRUCTOR_ID, T.InputPeerEmpty.CONSTRUCTOR_ID)
        # Warm every path once (lazy tables, first-call costs) with small inputs.
        for case, n in (("gzip", 1), ("tiny", 1000), ("resend", 10), ("flood", 100)):
            self.run(case, n, mem=False)

    @staticmethod
    def _tl_bytes(data: bytes) -> bytes:
        head = struct.pack("<BI", 254, len(data))[:4] if len(data) >= 254 else bytes([len(data)])
        body = head + data
        return body + bytes(-len(body) % 4)

    # A FakeClient (tests/mtproto/session_client.py) reduced to what the cases send.
    def _client(self):
        auth_key = os.urandom(256)
        key_id = self.auth_key_id(auth_key)
        sessions: dict = {}
        server = self.EncryptedSession(auth_key, key_id, self.salts, sessions)
        client = {"key": auth_key, "key_id": key_id, "salt": self.salts.current(key_id, time.time()),
                  "session_id": random.getrandbits(63), "last": 0, "seq": 0}
        return client, server, sessions

    def _packet(self, c, body: bytes, session_id: int | None = None) -> bytes:
        msg_id = max(int(time.time() * 2**32) & ~3, c["last"] + 4)
        c["last"] = msg_id
        c["seq"] += 1
        plain = struct.pack("<qqqii", c["salt"], c["session_id"] if session_id is None else session_id, msg_id,
                            c["seq"] * 2 - 1, len(body)) + body
        msg_key, ciphertext = self.encrypt_message(c["key"], plain, 0)
        return struct.pack("<q", c["key_id"]) + msg_key + ciphertext

    def _peer_dialogs(self, items: list[bytes]) -> bytes:
        return (struct.pack("<IIi", self.F.messages.GetPeerDialogs.CONSTRUCTOR_ID, 0x1CB5C415, len(items))
                + b"".join(items))

    @staticmethod
    def _names(events) -> list[str]:
        return [type(e).__name__ for e in events]

    @staticmethod
    def _reply_bytes(events) -> int:
        return sum(len(e.data) for e in events if type(e).__name__ == "Reply")

    def run(self, case: str, n: int, mem: bool) -> dict:
        import tracemalloc

        client, server, sessions = self._client()
        if case == "gzip":
            packets = [self._packet(client, self._peer_dialogs([self.bomb] * n))]
        elif case == "tiny":
            packets = [self._packet(client, self._peer_dialogs([self.tiny] * n))]
        elif case == "resend":
            request = self._packet(client, self.tl.encode(self.F.help.GetConfig()))
            msg_id = client["last"]
            server.receive(request, time.time())
            server.result(client["session_id"], msg_id, random.Random(1).randbytes(RESEND_ANSWER), time.time())
            [pending] = [m for m, (_, body) in sessions[client["session_id"]].pending.items() if len(body) > 100_000]
            packets = [self._packet(client, self.tl.encode(self.T.MsgResendReq(msg_ids=[pending] * n)))]
        elif case == "flood":
            packets = [self._packet(client, self.tl.encode(self.F.Ping(ping_id=i)), session_id=random.getrandbits(63))
                       for i in range(n)]
        else:
            raise ValueError(case)
        wire = sum(map(len, packets))
        gc.collect()
        if mem:
            tracemalloc.start()
        started = time.process_time()
        events = [server.receive(p, time.time()) for p in packets]
        cpu = time.process_time() - started
        out = {"cpu_ms": cpu * 1000, "wire": wire, "packets": len(packets),
               "reply": sum(map(self._reply_bytes, events))}
        names = {name for e in events for name in self._names(e)}
        out["outcome"] = "decoded (Rpc)" if "Rpc" in names else "refused" if "UndecodableRequest" in names else "-"
        if mem:
            out["peak"] = tracemalloc.get_traced_memory()[1]
        del events, packets
        if case == "flood":
            out["sessions_kept"] = len(sessions)
            del server  # the connection is gone; its key's sessions dict is what stays
            gc.collect()
            if mem:
                out["kept"] = tracemalloc.get_traced_memory()[0]
        if mem:
            tracemalloc.stop()
        return out


def worker_main(tree: str) -> None:
    sys.path.insert(0, tree)
    results = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything else printed goes to stderr
    worker = Worker()
    results.write("ready\n")
    results.flush()
    for line in sys.stdin:
        request = json.loads(line)
        results.write(json.dumps(worker.run(**request)) + "\n")
        results.flush()


class WorkerProcess:
    def __init__(self, tree: Path):
        self.proc = subprocess.Popen([PYTHON, str(Path(__file__).resolve()), "--worker", str(tree)], cwd=tree,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def ask(self, case: str, n: int, mem: bool) -> dict:
        self.proc.stdin.write(json.dumps({"case": case, "n": n, "mem": mem}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker exited with {self.proc.wait()}")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# -- a real server process -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_quiet(pid: int, quiet: float = 0.5, limit: float = 30.0) -> None:
    """Until the process has used no CPU for `quiet` seconds."""
    deadline = time.monotonic() + limit
    last = cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = cpu_ticks(pid)
        if now == last:
            return
        last = now


def socket_fds(pid: int) -> int:
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return count


class Abridged:
    """A blocking abridged-transport connection (0xef, then length/4 in 1 or 4 bytes)."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"\xef")
        self.buffer = bytearray()

    @staticmethod
    def frame(packet: bytes) -> bytes:
        n = len(packet) // 4
        return (bytes([n]) if n < 0x7F else b"\x7f" + n.to_bytes(3, "little")) + packet

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed by the server")
            self.buffer += data
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def receive(self) -> bytes:
        n = self._read(1)[0]
        if n >= 0x7F:
            n = int.from_bytes(self._read(3), "little")
        return self._read(n * 4)

    def exchange(self, packet: bytes) -> bytes:
        self.sock.sendall(self.frame(packet))
        return self.receive()

    def close(self) -> None:
        self.sock.close()


class Server:
    def __init__(self, tree: Path, key_pem: bytes, env: dict | None = None):
        self.data = Path(tempfile.mkdtemp(prefix="bench-unauth-"))
        key_path = self.data / "server_key.pem"
        key_path.write_bytes(key_pem)
        key_path.chmod(0o600)
        self.port = free_port()
        self.log = open(self.data / "server.log", "wb")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "tools.cli", "run", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data)],
            cwd=tree, env={**os.environ, "MTSERVER_LOG_FORMAT": "json", **(env or {})},
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {(self.data / 'server.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


def new_key_client(port: int, rsa_key):
    """(FakeClient with the salt, its open connection): a real handshake, then the salt
    from bad_server_salt."""
    from tests.mtproto.handshake_client import run_handshake
    from tests.mtproto.session_client import FakeClient
    from tl import functions as F, types as T

    conn = Abridged(port)
    auth_key, _ = run_handshake(None, rsa_key, send=conn.exchange)
    conn.close()
    client = FakeClient(auth_key)
    conn = Abridged(port)
    messages = client.read(conn.exchange(client.request(F.Ping(ping_id=0), salt=0)))
    client.salt = next(o.new_server_salt for _, _, o in messages if isinstance(o, T.BadServerSalt))
    return client, conn


def ping_new_sessions(client, conn: Abridged, count: int, batch: int = 100) -> None:
    from tl import functions as F

    sent = 0
    while sent < count:
        n = min(batch, count - sent)
        frames = []
        for i in range(n):
            client.session_id = random.getrandbits(63)
            frames.append(conn.frame(client.request(F.Ping(ping_id=sent + i))))
        conn.sock.sendall(b"".join(frames))
        for _ in range(n):
            conn.receive()
        sent += n


def probe_answer(port: int) -> str:
    """What one more connection is answered to a handshake's first packet: a plain
    res_pq, or a transport error such as -429 (too many connections)."""
    import tl
    from mtproto.plain_message import build_plain
    from tl import functions as F

    conn = Abridged(port)
    try:
        answer = conn.exchange(build_plain(int(time.time() * 2**32) & ~3, tl.encode(F.ReqPqMulti(nonce=1))))
    except ConnectionError:
        return "closed"
    finally:
        conn.close()
    return str(struct.unpack("<i", answer)[0]) if len(answer) == 4 else "res_pq"


def server_round(tree: Path, key_pem: bytes, rsa_key, args, env: dict | None = None,
                 sessions: bool = True) -> dict:
    server = Server(tree, key_pem, env)
    out: dict = {}
    try:
        # Warm up: a key, a few sessions, a few idle connections.
        client, conn = new_key_client(server.port, rsa_key)
        ping_new_sessions(client, conn, 10)
        conn.close()
        warm = [Abridged(server.port) for _ in range(20)]
        for c in warm:
            c.close()
        wait_quiet(server.pid)
        if sessions:
            client, conn = new_key_client(server.port, rsa_key)
            wait_quiet(server.pid)
            before = rss_kb(server.pid)
            ping_new_sessions(client, conn, args.sessions)
            conn.close()
            wait_quiet(server.pid)
            out["session_1key"] = (rss_kb(server.pid) - before) * 1024 / args.sessions
            keyed = [new_key_client(server.port, rsa_key) for _ in range(args.session_keys)]
            wait_quiet(server.pid)
            before = rss_kb(server.pid)
            for client, conn in keyed:
                ping_new_sessions(client, conn, SESSIONS_PER_KEY)
                conn.close()
            wait_quiet(server.pid)
            out["session_keys"] = (rss_kb(server.pid) - before) * 1024 / (args.session_keys * SESSIONS_PER_KEY)
        sockets, before = socket_fds(server.pid), rss_kb(server.pid)
        idle = []
        for _ in range(args.connections):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=30))
            idle[-1].sendall(b"\xef")
        wait_quiet(server.pid)
        out["held"] = socket_fds(server.pid) - sockets
        out["connection"] = (rss_kb(server.pid) - before) * 1024 / args.connections
        out["probe"] = probe_answer(server.port)
        for s in idle:
            s.close()
    finally:
        server.stop()
    return out


# -- the driver --------------------------------------------------------------------------


def spread(values: list[float], fmt) -> str:
    values = sorted(values)
    median = statistics.median(values)
    if len(values) == 1 or values[0] == values[-1]:
        return fmt(median)
    return f"{fmt(median)} ({fmt(values[0])}–{fmt(values[-1])})"


def ms(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 1 else f"{v:.2f}"


def size(v: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if abs(v) >= scale:
            return f"{v / scale:.1f} {unit}" if abs(v) < 100 * scale else f"{v / scale:.0f} {unit}"
    return f"{v:.0f} B"


def ratio(before: float, after: float) -> str:
    if after <= 0:
        return "—"
    r = before / after
    return f"{r:,.0f}x" if r >= 10 else f"{r:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout of the older commit")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mem-rounds", type=int, default=1)
    parser.add_argument("--server-rounds", type=int, default=3)
    parser.add_argument("--before-gzip-values", type=int, default=10)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--session-keys", type=int, default=16)
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(args.worker)
    if args.before is None:
        parser.error("--before PATH is required")
    trees = {"before": args.before.resolve(), "after": ROOT}
    started = time.monotonic()

    cases = [("gzip", {"before": args.before_gzip_values, "after": GZIP_VALUES}),
             ("tiny", {"before": TINY_OBJECTS, "after": TINY_OBJECTS}),
             ("resend", {"before": RESEND_REPEATS, "after": RESEND_REPEATS}),
             ("flood", {"before": FLOOD_PINGS, "after": FLOOD_PINGS})]
    results = {(case, side): [] for case, _ in cases for side in trees}
    mems = {(case, side): [] for case, _ in cases for side in trees}
    workers = {side: WorkerProcess(tree) for side, tree in trees.items()} if args.rounds else {}
    try:
        for r in range(args.rounds):
            for i, (case, counts) in enumerate(cases):
                order = ["before", "after"] if (r + i) % 2 == 0 else ["after", "before"]
                for side in order:
                    results[case, side].append(workers[side].ask(case, counts[side], mem=False))
                    if r < args.mem_rounds:
                        mems[case, side].append(workers[side].ask(case, counts[side], mem=True))
            print(f"round {r + 1}/{args.rounds} done at {time.monotonic() - started:.0f} s", file=sys.stderr)
    finally:
        for w in workers.values():
            w.close()

    server: dict = {side: [] for side in trees}
    limited: list = []
    if not args.skip_server:
        sys.path.insert(0, str(ROOT))
        from mtproto.crypto import ServerRsaKey

        rsa_key = ServerRsaKey.generate()
        key_pem = rsa_key.private_pem()
        for r in range(args.server_rounds):
            for side in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
                server[side].append(server_round(trees[side], key_pem, rsa_key, args))
            print(f"server round {r + 1}/{args.server_rounds} done at {time.monotonic() - started:.0f} s",
                  file=sys.stderr)
        # Loopback is exempt from per-address limits by default: once more with a network it is not in.
        limited.append(server_round(ROOT, key_pem, rsa_key, args, env={"MTSERVER_LIMITS_EXEMPT": "192.0.2.0/24"},
                                    sessions=False))

    print(f"\nCPython {platform.python_version()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}; {args.rounds} rounds (memory: {args.mem_rounds}), "
          f"{0 if args.skip_server else args.server_rounds} server rounds; {time.monotonic() - started:.0f} s\n")
    print("| measurement | before | after | before / after |")
    print("|---|---:|---:|---:|")

    def cpu(case, side, per=1.0):
        return [x["cpu_ms"] * per for x in results[case, side]]

    def mem(case, side, key="peak"):
        return [x[key] for x in mems[case, side]]

    def row(name, before_values, after_values, fmt, note_before=""):
        b, a = statistics.median(before_values), statistics.median(after_values)
        print(f"| {name} | {spread(before_values, fmt)}{note_before} | {spread(after_values, fmt)} | {ratio(b, a)} |")

    if args.rounds:
        nb = args.before_gzip_values
        g = results["gzip", "before"][0], results["gzip", "after"][0]
        print(f"| (a) gzip bomb: outcome | {g[0]['outcome']} | {g[1]['outcome']} | |")
        row(f"(a) gzip bomb, {GZIP_VALUES} values x 32 MiB ({size(g[1]['wire'])}): CPU ms",
            cpu("gzip", "before", GZIP_VALUES / nb), cpu("gzip", "after"), ms,
            f" (est.: {nb} values measured, x{GZIP_VALUES // nb})")
        if mems["gzip", "before"]:
            row("(a) gzip bomb: peak bytes allocated", mem("gzip", "before"), mem("gzip", "after"), size,
                f" ({nb} values; one is inflated at a time)")
        t = results["tiny", "before"][0], results["tiny", "after"][0]
        print(f"| (b) 2M tiny objects: outcome | {t[0]['outcome']} | {t[1]['outcome']} | |")
        row(f"(b) 2M tiny objects ({size(t[1]['wire'])}): CPU ms", cpu("tiny", "before"), cpu("tiny", "after"), ms)
        if mems["tiny", "before"]:
            row("(b) 2M tiny objects: peak bytes allocated", mem("tiny", "before"), mem("tiny", "after"), size)
        rs = results["resend", "before"][0], results["resend", "after"][0]
        row(f"(c) msg_resend_req, 1 id x {RESEND_REPEATS} ({size(rs[1]['wire'])}): bytes sent back",
            [x["reply"] for x in results["resend", "before"]], [x["reply"] for x in results["resend", "after"]], size)
        row("(c) msg_resend_req: CPU ms", cpu("resend", "before"), cpu("resend", "after"), ms)
        if mems["resend", "before"]:
            row("(c) msg_resend_req: peak bytes allocated", mem("resend", "before"), mem("resend", "after"), size)
        f = results["flood", "before"][0], results["flood", "after"][0]
        print(f"| (d) {FLOOD_PINGS:,} pings, new session ids: sessions kept | {f[0]['sessions_kept']:,} | "
              f"{f[1]['sessions_kept']:,} | |")
        if mems["flood", "before"]:
            row("(d) session flood: bytes kept after the connection", mem("flood", "before", "kept"),
                mem("flood", "after", "kept"), size)
        row("(d) session flood: CPU µs per ping",
            [x["cpu_ms"] * 1000 / FLOOD_PINGS for x in results["flood", "before"]],
            [x["cpu_ms"] * 1000 / FLOOD_PINGS for x in results["flood", "after"]], ms)
    if server["before"]:
        def srv(side, key):
            return [x[key] for x in server[side]]
        row(f"server RSS per session, {args.sessions:,} session ids on 1 key",
            srv("before", "session_1key"), srv("after", "session_1key"), size)
        row(f"server RSS per session, {args.session_keys} keys x {SESSIONS_PER_KEY} sessions",
            srv("before", "session_keys"), srv("after", "session_keys"), size)
        row(f"server RSS per idle connection ({args.connections:,} open, 0xef then nothing)",
            srv("before", "connection"), srv("after", "connection"), size)
        row("server: sockets held of those", srv("before", "held"), srv("after", "held"), lambda v: f"{v:,.0f}")
        if limited:
            print(f"| after, loopback not exempt (MTSERVER_LIMITS_EXEMPT=192.0.2.0/24): sockets held of "
                  f"{args.connections:,}, RSS per connection; one more connection's first packet is answered | | "
                  f"{limited[0]['held']:,}, {size(limited[0]['connection'])}; {limited[0]['probe']} | |")


if __name__ == "__main__":
    main()
