"""Object stores: where file bytes live (uploaded parts, photo sizes), behind one interface.

    store = open_object_store(config.media_url, config.data_dir)
    await store.put("files/12/0", b"...")
    chunk = await store.read("files/12/0", offset=4096, length=4096)

Two implementations, one test suite (tests/storage/test_objects.py):

- no URL, or ``file:///abs/dir``: a local directory (``<data_dir>/media`` by default),
  one file per object (storage/objects/local.py);
- ``s3://ACCESS:SECRET@host:port/bucket`` (``s3s://`` for TLS): S3 or MinIO through the
  minio client (storage/objects/s3.py); the bucket is created if missing.

Objects are small by design: a file is stored as the parts its client uploaded (at most
512 KB each, Telegram's part size rule), never assembled into one object, so neither an
upload nor a download ever holds a whole file in memory; a download reads only the
parts its byte range touches (storage/objects/chunked.py). The blocking I/O (disk,
HTTP) runs in worker threads so one slow read never stalls the trio loop.

This package knows nothing of users, messages or TL.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol


class ObjectMissing(LookupError):
    """No object under that key."""


class ObjectStoreError(Exception):
    """A media URL this server cannot use."""


class ObjectStoreUnavailable(Exception):
    """The store did not do what was asked: unreachable, refusing, failing (the cause is
    chained). Raised by storage/objects/observed.py's wrapper, which the server uses, for
    any failure but a missing object; the caller may try again later."""


class ObjectStore(Protocol):
    kind: str  # "local" or "s3"

    async def put(self, key: str, data: bytes) -> None:
        """Creates or replaces the object."""

    async def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        """Bytes offset .. offset + length (to the end when length is None; fewer at the
        end of the object). ObjectMissing if there is no such object."""

    async def size(self, key: str) -> int | None:
        """None if there is no such object."""

    async def delete(self, keys: Iterable[str]) -> None:
        """Missing keys are ignored."""

    async def close(self) -> None: ...


def open_object_store(url: str | None, data_dir: str | os.PathLike[str]) -> ObjectStore:
    """The store ``url`` names (see the module docstring)."""
    if not url:
        from .local import LocalObjectStore

        return LocalObjectStore(Path(data_dir) / "media")
    scheme, sep, rest = url.partition("://")
    if scheme == "file" and sep and rest:
        from .local import LocalObjectStore

        return LocalObjectStore(Path(rest))
    if scheme in ("s3", "s3s") and sep:
        from .s3 import S3ObjectStore

        return S3ObjectStore.from_url(url)
    raise ObjectStoreError(f"unsupported media URL {url.split('://')[0]!r}: use file:///dir or "
                           "s3://ACCESS:SECRET@host:port/bucket")


__all__ = ["ObjectMissing", "ObjectStore", "ObjectStoreError", "ObjectStoreUnavailable", "open_object_store"]
