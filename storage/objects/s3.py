"""An object store in an S3 bucket (AWS, MinIO, any S3-compatible server) through the
minio client.

URL: ``s3://ACCESS_KEY:SECRET_KEY@host:port/bucket`` (plain HTTP) or ``s3s://...``
(HTTPS); ``?region=...`` optional. The bucket is created on first use if missing
(tried again on the next call while that fails). minio is blocking (urllib3): every
call runs in a worker thread.

The HTTP client is minio's default but for how long a call may take: minio waits up
to 5 minutes to connect and retries 5 times, so a store that is down would hold each
upload, download and health check for many seconds. Here a connection gets
CONNECT_TIMEOUT seconds and a call RETRIES retries, so a store that refuses fails a
call within a second and one that does not answer within about 3 x CONNECT_TIMEOUT.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from urllib.parse import parse_qs, unquote, urlsplit

import trio

from . import ObjectMissing, ObjectStoreError

_MISSING = ("NoSuchKey", "NoSuchObject", "ResourceNotFound")
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0  # an object is at most one 512 KB part
RETRIES = 2


def _http_client():
    """minio's own PoolManager settings (TLS checked against certifi or SSL_CERT_FILE),
    with the timeouts and retries above."""
    import certifi
    import urllib3

    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT), maxsize=10,
        cert_reqs="CERT_REQUIRED", ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(total=RETRIES, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]))


class S3ObjectStore:
    kind = "s3"

    def __init__(self, endpoint: str, bucket: str, access_key: str, secret_key: str, *, secure: bool,
                 region: str | None = None):
        from minio import Minio

        self.bucket = bucket
        self.endpoint = endpoint
        self._client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region,
                             http_client=_http_client())
        self._bucket_ready = False
        self._lock = trio.Lock()

    @classmethod
    def from_url(cls, url: str) -> S3ObjectStore:
        parts = urlsplit(url)
        bucket = parts.path.strip("/")
        if not parts.hostname or not bucket or "/" in bucket:
            raise ObjectStoreError("an S3 media URL is s3://ACCESS:SECRET@host:port/bucket")
        endpoint = parts.hostname + (f":{parts.port}" if parts.port else "")
        region = parse_qs(parts.query).get("region", [None])[0]
        return cls(endpoint, bucket, unquote(parts.username or ""), unquote(parts.password or ""),
                   secure=parts.scheme == "s3s", region=region)

    async def _ready(self) -> None:
        if self._bucket_ready:
            return
        async with self._lock:
            if not self._bucket_ready:
                def create() -> None:
                    if not self._client.bucket_exists(self.bucket):
                        self._client.make_bucket(self.bucket)

                await trio.to_thread.run_sync(create)
                self._bucket_ready = True

    async def put(self, key: str, data: bytes) -> None:
        await self._ready()
        data = bytes(data)
        await trio.to_thread.run_sync(
            lambda: self._client.put_object(self.bucket, key, io.BytesIO(data), len(data)))

    async def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        await self._ready()
        if length == 0:
            return b""

        def get() -> bytes:
            from minio.error import S3Error

            try:
                response = self._client.get_object(self.bucket, key, offset=offset, length=length or 0)
            except S3Error as exc:
                if exc.code in _MISSING:
                    raise ObjectMissing(key) from None
                if exc.code == "InvalidRange":  # offset at or past the end
                    return b""
                raise
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        return await trio.to_thread.run_sync(get)

    async def size(self, key: str) -> int | None:
        await self._ready()

        def stat() -> int | None:
            from minio.error import S3Error

            try:
                return self._client.stat_object(self.bucket, key).size
            except S3Error as exc:
                if exc.code in _MISSING:
                    return None
                raise

        return await trio.to_thread.run_sync(stat)

    async def delete(self, keys: Iterable[str]) -> None:
        from minio.deleteobjects import DeleteObject

        wanted = [DeleteObject(k) for k in keys]
        if not wanted:
            return
        await self._ready()

        def remove() -> None:
            errors = list(self._client.remove_objects(self.bucket, wanted))
            if errors:
                raise RuntimeError(f"S3 delete failed: {errors[0]}")

        await trio.to_thread.run_sync(remove)

    async def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"S3ObjectStore({self.endpoint!r}, {self.bucket!r})"
