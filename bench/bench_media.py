"""Upload and download throughput of big files through a real server.

    python bench/bench_media.py [--size-mb 100] [--clients 1 4 20] [--window 4]
    python bench/bench_media.py --before /work/wt-mebase --rounds 3   # ABBA against an older tree
    python bench/bench_media.py --client telethon [--clients 1 20] [--media-url s3://... | --moto]

Starts `mtserver run` on a free port (files in its data dir, or the object store
--media-url names), then for each client count: every client uploads its own file of
--size-mb random bytes (512 KB parts, upload.saveBigFilePart), sends it to its Saved
Messages as a document (messages.sendMedia), and downloads it again (upload.getFile,
512 KB chunks), checking the sha256. MB/s count all clients together, wall clock. The
server's resident memory (VmRSS) is sampled every 100 ms: the server streams parts, so
its memory must not grow with file size.

Clients (--client):

* ``loadgen`` (default) measures the server: our own light connections
  (tools/loadgen/media.py: trio, our codecs, cryptg/tgcrypto), accounts written into the
  server's storage, --window requests in flight per connection. Every upload finishes
  before the first download starts, so the server's CPU time (utime + stime from
  /proc/<pid>/stat, all its threads) is reported per MB for each direction. With
  --before PATH the same runs alternate between a server started from that tree and
  one from this tree (ABBA over --rounds, a fresh server and data dir each time; the
  clients are always this tree's), and the table gives median [min-max].
* ``telethon``: unmodified Telethon clients (signed up through the API), the "real
  client" row; Telethon's own work (it gzips every part) is most of the upload's cost.

Server and clients share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.server_process import ROOT, ServerProcess, free_port  # noqa: E402
from tests.e2e.test_accounts import CODE, new_phone, sign_up  # noqa: E402

PART_KB = 512


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class MemoryWatch:
    """Samples a process's RSS in a thread; peak since start()."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MemoryWatch:
        self.before = rss_mb(self.pid)
        self.peak = self.before
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            chunk = os.urandom(min(left, 4 << 20))
            digest.update(chunk)
            f.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()


async def transfer(client, source: Path, target: Path) -> tuple[float, float, float, float]:
    """(upload start, upload end, download start, download end)."""
    t0 = time.perf_counter()
    uploaded = await client.upload_file(str(source), part_size_kb=PART_KB)
    message = await client.send_file("me", uploaded, force_document=True)
    t1 = time.perf_counter()
    await client.download_file(message.document, str(target), part_size_kb=PART_KB,
                               file_size=message.document.size)
    return t0, t1, t1, time.perf_counter()


async def bench(server: ServerProcess, counts: list[int], size: int, work: Path) -> list[dict]:
    pem = server.public_key()[0]
    clients = [(await sign_up(server, pem, new_phone(), f"Bench{i}"))[0] for i in range(max(counts))]
    source = work / "source.bin"
    digest = make_file(source, size)
    rows = []
    for count in counts:
        targets = [work / f"down{i}.bin" for i in range(count)]
        with MemoryWatch(server.proc.pid) as memory:
            start = time.perf_counter()
            times = await asyncio.gather(*(transfer(c, source, t) for c, t in zip(clients, targets)))
        upload_s = max(t[1] for t in times) - start
        download_s = max(t[3] for t in times) - min(t[2] for t in times)
        for t in targets:
            assert hashlib.sha256(t.read_bytes()).hexdigest() == digest, "downloaded file differs"
            t.unlink()
        total_mb = count * size / 2**20
        rows.append({"clients": count, "total_mb": total_mb, "upload_mb_s": total_mb / upload_s,
                     "download_mb_s": total_mb / max(download_s, 1e-9), "rss_before": memory.before,
                     "rss_peak": memory.peak})
    for c in clients:
        await c.disconnect()
    return rows


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadgen_round(tree: Path, counts: list[int], data: bytes, window: int, work: Path) -> list[dict]:
    """One server from ``tree``, every client count against it: a row each."""
    import trio

    from tools.loadgen.cli import prepare_accounts
    from tools.loadgen.media import run_media

    data_dir = work / "data"
    ops = f"127.0.0.1:{free_port()}"
    server = ServerProcess(data_dir, root=tree, env={"MTSERVER_HTTP": ops}).start()
    rows = []
    try:
        accounts = trio.run(prepare_accounts, None, str(data_dir), max(counts))
        pid = server.proc.pid
        for count in counts:
            clock: dict[str, tuple[float, float]] = {}

            def on_phase(name: str) -> None:
                clock[name] = (cpu_seconds(pid), time.process_time(), sql_statements(ops))

            with MemoryWatch(pid) as memory:
                times = trio.run(lambda: run_media(server.host, server.port, accounts[:count], data, window=window,
                                                   on_phase=on_phase))
            total_mb = count * len(data) / 2**20
            parts = -(-len(data) // (PART_KB * 1024))
            rows.append({
                "clients": count, "total_mb": total_mb,
                "upload_mb_s": total_mb / times.upload_s, "download_mb_s": total_mb / times.download_s,
                "upload_cpu": (clock["uploaded"][0] - clock["start"][0]) * 1000 / total_mb,
                "download_cpu": (clock["downloaded"][0] - clock["uploaded"][0]) * 1000 / total_mb,
                "client_cpu": (clock["downloaded"][1] - clock["start"][1]) * 1000 / (2 * total_mb),
                "upload_sql": (clock["uploaded"][2] - clock["start"][2]) / (count * parts),
                "download_sql": (clock["downloaded"][2] - clock["uploaded"][2]) / (count * parts),
                "rss_before": memory.before, "rss_peak": memory.peak})
    finally:
        code = server.stop()
        if code:
            print(f"server exited with {code}:\n{server.log()[-4000:]}", file=sys.stderr)
        shutil.rmtree(data_dir, ignore_errors=True)
    return rows


def sql_statements(ops: str) -> int:
    """SQL statements the server has run (its /metrics, the statement timer's count)."""
    with urllib.request.urlopen(f"http://{ops}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
               if line.startswith("mtserver_db_statement_duration_seconds_count"))


LOADGEN_COLUMNS = (("upload MB/s", "upload_mb_s", ".1f"), ("download MB/s", "download_mb_s", ".1f"),
                   ("server CPU ms/MB up", "upload_cpu", ".2f"), ("server CPU ms/MB down", "download_cpu", ".2f"),
                   ("SQL statements per part up", "upload_sql", ".2f"),
                   ("SQL statements per chunk down", "download_sql", ".2f"),
                   ("client CPU ms/MB", "client_cpu", ".2f"), ("server RSS before MB", "rss_before", ".0f"),
                   ("server RSS peak MB", "rss_peak", ".0f"))


def run_loadgen(args) -> None:
    trees = {"this tree": ROOT}
    if args.before:
        trees = {"before": args.before.resolve(), "after": ROOT}
    size = args.size_mb * 2**20
    data = os.urandom(size)
    results: dict[tuple[str, int], list[dict]] = {}
    names = list(trees)
    for r in range(args.rounds):
        order = names if r % 2 == 0 else names[::-1]  # ABBA: load from elsewhere falls on both sides
        for name in order:
            with tempfile.TemporaryDirectory() as tmp:
                for row in loadgen_round(trees[name], args.clients, data, args.window, Path(tmp)):
                    results.setdefault((name, row["clients"]), []).append(row)
                    print(f"round {r + 1} {name}: " + ", ".join(
                        f"{title} {row[key]:{fmt}}" for title, key, fmt in LOADGEN_COLUMNS), file=sys.stderr, flush=True)
    print(f"{args.size_mb} MB per client, {PART_KB} KB parts, {args.window} requests in flight per client, "
          f"loadgen clients, local directory store, {args.rounds} round(s)"
          + (": median [min-max]" if args.rounds > 1 else ""))
    print("| server | clients | MB each way | " + " | ".join(title for title, _, _ in LOADGEN_COLUMNS) + " |")
    print("|---|---:|---:|" + "---:|" * len(LOADGEN_COLUMNS))
    for name in names:
        for count in args.clients:
            rows = results[name, count]
            cells = [spread([row[key] for row in rows], fmt) for _, key, fmt in LOADGEN_COLUMNS]
            print(f"| {name} | {count} | {rows[0]['total_mb']:.0f} | " + " | ".join(cells) + " |")


def spread(values: list[float], fmt: str) -> str:
    middle = format(statistics.median(values), fmt)
    if len(values) == 1:
        return middle
    return f"{middle} [{min(values):{fmt}}–{max(values):{fmt}}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", choices=("loadgen", "telethon"), default="loadgen")
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--clients", type=int, nargs="+", default=None,
                        help="concurrent clients per run (default: 1 4 20 loadgen, 1 20 telethon)")
    parser.add_argument("--window", type=int, default=4, help="loadgen: requests in flight per client")
    parser.add_argument("--rounds", type=int, default=1, help="loadgen: rounds (with --before: ABBA order)")
    parser.add_argument("--before", type=Path, help="loadgen: a checkout of an older commit to compare with")
    parser.add_argument("--media-url", default=None, help="telethon: object store (default: the server's data dir)")
    parser.add_argument("--moto", action="store_true",
                        help="telethon: S3, start a local moto server and use a bucket on it")
    args = parser.parse_args()
    if args.client == "loadgen":
        if args.media_url or args.moto:
            parser.error("--media-url / --moto: only with --client telethon")
        args.clients = args.clients or [1, 4, 20]
        run_loadgen(args)
        return
    args.clients = args.clients or [1, 20]
    with contextlib.ExitStack() as stack:
        if args.moto:
            from tests.s3_server import moto_s3

            args.media_url = stack.enter_context(moto_s3("bench"))
        run(args)


def run(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {"MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_LOG_FORMAT": "json"}
        if args.media_url:
            env["MTSERVER_MEDIA_URL"] = args.media_url
        server = ServerProcess(work / "data", env=env).start()
        try:
            rows = asyncio.run(bench(server, args.clients, args.size_mb * 2**20, work))
        finally:
            server.stop()
    store = "S3 (moto)" if args.moto else args.media_url or "local directory"
    print(f"{args.size_mb} MB per client, {PART_KB} KB parts, store: {store}")
    print("| clients | MB moved each way | upload MB/s | download MB/s | server RSS before MB | server RSS peak MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['clients']} | {r['total_mb']:.0f} | {r['upload_mb_s']:.1f} | {r['download_mb_s']:.1f} "
              f"| {r['rss_before']:.0f} | {r['rss_peak']:.0f} |")


if __name__ == "__main__":
    main()
