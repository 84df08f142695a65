"""An object store that counts its failures (server/metrics.py OBJECT_STORE_ERRORS).

Wraps any store of this package; a missing object (ObjectMissing) is an answer, not a
failure, and is not counted. Everything else passes through unchanged, errors included.
"""

from __future__ import annotations

from collections.abc import Iterable

from server import metrics

from . import ObjectMissing, ObjectStore


class ObservedObjectStore:
    def __init__(self, inner: ObjectStore):
        self.inner = inner
        self.kind = inner.kind
        self._errors = {op: metrics.OBJECT_STORE_ERRORS.labels(op) for op in ("put", "read", "size", "delete")}

    async def put(self, key: str, data: bytes) -> None:
        try:
            await self.inner.put(key, data)
        except Exception:
            self._errors["put"].inc()
            raise

    async def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        try:
            return await self.inner.read(key, offset, length)
        except ObjectMissing:
            raise
        except Exception:
            self._errors["read"].inc()
            raise

    async def size(self, key: str) -> int | None:
        try:
            return await self.inner.size(key)
        except Exception:
            self._errors["size"].inc()
            raise

    async def delete(self, keys: Iterable[str]) -> None:
        try:
            await self.inner.delete(keys)
        except Exception:
            self._errors["delete"].inc()
            raise

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)  # root, bucket, ... of the wrapped store

    def __repr__(self) -> str:
        return f"ObservedObjectStore({self.inner!r})"
