"""A local S3-compatible server for tests: moto's server (PyPI ``moto[server]``) in its
own process, on a free loopback port; any access key and secret work."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_s3(bucket: str = "media", port: int | None = None):
    """Yields the media URL (``s3://...``) of a fresh bucket on a moto server (on `port`,
    else a free one)."""
    port = port or _free_port()
    command = shutil.which("moto_server") or os.path.join(os.path.dirname(sys.executable), "moto_server")
    proc = subprocess.Popen([command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.1)
        yield f"s3://test:test@127.0.0.1:{port}/{bucket}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
