"""An object store that counts its failures (server/metrics.py OBJECT_STORE_ERRORS) and
names them one way: ObjectStoreUnavailable.

Wraps any store of this package; the server holds its store through it. A missing
object (ObjectMissing) is an answer, not a failure: it passes through uncounted. Any
other error (a refused connection, a timeout, a full disk, an S3 error) becomes
ObjectStoreUnavailable with the original chained, so callers handle one exception
(rpc/dispatch.py answers it with a 500 RPC error) whatever the store.

The store being down is logged when it starts failing (``object_store_unavailable``,
with the reason and what to check) and when it works again (``object_store_back``),
not once per failed request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import structlog

from server import metrics

from . import ObjectMissing, ObjectStore, ObjectStoreUnavailable

T = TypeVar("T")
log = structlog.get_logger("mtserver.objects")
FIX = "check MTSERVER_MEDIA_URL (address, bucket, keys) and that the store is running and reachable from here"


def describe(exc: BaseException) -> str:
    """The failure in a line: urllib3's "max retries exceeded" is named by what it retried
    (a refused connection, a timeout)."""
    while isinstance(getattr(exc, "reason", None), BaseException):
        exc = exc.reason
    return f"{type(exc).__name__}: {exc}"[:300]


class ObservedObjectStore:
    def __init__(self, inner: ObjectStore):
        self.inner = inner
        self.kind = inner.kind
        self.failing = False  # the last operation failed (logged once until one succeeds)
        self._errors = {op: metrics.OBJECT_STORE_ERRORS.labels(op) for op in ("put", "read", "size", "delete")}

    async def _call(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await call()
        except ObjectMissing:
            self._worked()
            raise
        except Exception as exc:
            self._errors[operation].inc()
            why = describe(exc)
            if not self.failing:
                self.failing = True
                log.warning("object_store_unavailable", store=repr(self.inner), operation=operation, error=why,
                            fix=FIX)
            raise ObjectStoreUnavailable(f"{operation} failed: {why}") from exc
        self._worked()
        return result

    def _worked(self) -> None:
        if self.failing:
            self.failing = False
            log.info("object_store_back", store=repr(self.inner))

    async def put(self, key: str, data: bytes) -> None:
        await self._call("put", lambda: self.inner.put(key, data))

    async def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        return await self._call("read", lambda: self.inner.read(key, offset, length))

    async def size(self, key: str) -> int | None:
        return await self._call("size", lambda: self.inner.size(key))

    async def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        await self._call("delete", lambda: self.inner.delete(keys))

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)  # root, bucket, ... of the wrapped store

    def __repr__(self) -> str:
        return f"ObservedObjectStore({self.inner!r})"
