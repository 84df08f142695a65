"""An object store in a local directory: one file per object, keys as relative paths.

Writes go to a temporary file renamed into place, so a reader never sees half an
object and a crash leaves no torn one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import trio

from . import ObjectMissing


class LocalObjectStore:
    kind = "local"

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"bad object key {key!r}")
        return self.root.joinpath(*parts)

    async def put(self, key: str, data: bytes) -> None:
        await trio.to_thread.run_sync(self._put, self._path(key), bytes(data))

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            f = open(temporary, "wb")
        except FileNotFoundError:  # the first object under this prefix (not every part pays a mkdir)
            path.parent.mkdir(parents=True, exist_ok=True)
            f = open(temporary, "wb")
        with f:
            f.write(data)
        os.replace(temporary, path)

    async def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        return await trio.to_thread.run_sync(self._read, self._path(key), offset, length)

    @staticmethod
    def _read(path: Path, offset: int, length: int | None) -> bytes:
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                return f.read() if length is None else f.read(length)
        except FileNotFoundError:
            raise ObjectMissing(str(path)) from None

    async def size(self, key: str) -> int | None:
        path = self._path(key)

        def stat() -> int | None:
            try:
                return path.stat().st_size
            except FileNotFoundError:
                return None

        return await trio.to_thread.run_sync(stat)

    async def delete(self, keys: Iterable[str]) -> None:
        paths = [self._path(k) for k in keys]

        def remove() -> None:
            for path in paths:
                path.unlink(missing_ok=True)

        await trio.to_thread.run_sync(remove)

    async def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"LocalObjectStore({str(self.root)!r})"
