"""Upload and download throughput of big files through a real server, with Telethon.

    python bench/bench_media.py [--size-mb 100] [--clients 1 20] [--media-url s3://... | --moto]

Starts `mtserver run` on a free port (files in its data dir, or the object store
--media-url names), signs up one Telethon account per concurrent client, then for each
client count: every client uploads its own file of --size-mb random bytes (512 KB
parts, upload.saveBigFilePart), sends it to its Saved Messages as a document
(messages.sendMedia), and downloads it again (upload.getFile, 512 KB chunks), checking
the sha256. Reports MB/s per phase (all clients together, wall clock) and the server's
resident memory (VmRSS) before and at its peak during each run, sampled every 100 ms:
the server streams parts, so its memory must not grow with file size.

Server and clients share this machine; Telethon's encryption in the client process is
part of the cost (it is usually the bottleneck).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.server_process import ServerProcess  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--media-url", default=None, help="object store (default: the server's data dir)")
    parser.add_argument("--moto", action="store_true", help="S3: start a local moto server and use a bucket on it")
    args = parser.parse_args()
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
