"""The object stores (storage/objects): the local directory and S3 (a moto server) pass
the same tests."""

from __future__ import annotations

import os

import pytest

from storage.objects import ObjectMissing, ObjectStoreError, open_object_store
from storage.objects.chunked import parts_spanned, read_range
from tests.s3_server import moto_s3


@pytest.fixture(scope="module")
def s3_url():
    with moto_s3("objects-test") as url:
        yield url


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, s3_url):
    if request.param == "local":
        return open_object_store(None, tmp_path)
    return open_object_store(s3_url, tmp_path)


async def test_put_then_read_whole_and_ranges(store):
    data = os.urandom(10000)
    await store.put("a/b/c", data)
    assert await store.read("a/b/c") == data
    assert await store.read("a/b/c", 4096, 4096) == data[4096:8192]
    assert await store.read("a/b/c", 8192, 4096) == data[8192:]  # short at the end
    assert await store.read("a/b/c", 20000, 10) == b""  # past the end
    assert await store.size("a/b/c") == 10000


async def test_put_replaces(store):
    await store.put("k", b"one")
    await store.put("k", b"second")
    assert await store.read("k") == b"second"


async def test_missing_objects(store):
    with pytest.raises(ObjectMissing):
        await store.read("nope/0")
    assert await store.size("nope/0") is None
    await store.delete(["nope/0"])  # ignored


async def test_delete(store):
    await store.put("d/0", b"x")
    await store.put("d/1", b"y")
    await store.delete(["d/0", "d/1"])
    assert await store.size("d/0") is None and await store.size("d/1") is None


async def test_a_file_is_read_across_its_parts(store):
    part = 4096
    data = os.urandom(part * 3 + 100)
    keys = {i: f"f/{i}.x" for i in range(4)}
    for i, key in keys.items():
        await store.put(key, data[i * part:(i + 1) * part])
    for offset, limit in ((0, len(data)), (1000, 5000), (4096, 4096), (12288, 4096), (12200, 4096), (20000, 10)):
        assert await read_range(store, keys, part, len(data), offset, limit) == data[offset:offset + limit]
    assert parts_spanned(part, len(data), 4000, 200) == range(0, 2)
    assert parts_spanned(part, len(data), 12288, 4096) == range(3, 4)
    assert parts_spanned(part, len(data), 20000, 10) == range(0)


def test_urls(tmp_path):
    assert open_object_store(None, tmp_path).root == tmp_path / "media"
    assert open_object_store(f"file://{tmp_path}/x", tmp_path).root == tmp_path / "x"
    s3 = open_object_store("s3s://key:se%2Fcret@minio.example:9000/bucket", tmp_path)
    assert (s3.kind, s3.bucket, s3.endpoint) == ("s3", "bucket", "minio.example:9000")
    for bad in ("ftp://x/y", "s3://key:secret@host:9000/", "s3://key:secret@host/a/b"):
        with pytest.raises(ObjectStoreError):
            open_object_store(bad, tmp_path)


def test_keys_cannot_escape_the_directory(tmp_path):
    store = open_object_store(None, tmp_path)
    for bad in ("../x", "a/../../x", "", "a//b"):
        with pytest.raises(ValueError):
            store._path(bad)


class _Flaky:
    """A store that fails while `down`."""

    kind = "s3"

    def __init__(self):
        self.down = True

    async def size(self, key):
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        if key == "missing":
            raise ObjectMissing(key)
        return 3

    read = put = delete = None


async def test_the_servers_wrapper_names_every_failure_one_way_and_logs_it_once():
    from structlog.testing import capture_logs

    from storage.objects import ObjectStoreUnavailable
    from storage.objects.observed import ObservedObjectStore

    inner = _Flaky()
    store = ObservedObjectStore(inner)
    with capture_logs() as events:
        for _ in range(3):
            with pytest.raises(ObjectStoreUnavailable, match="size failed: ConnectionRefusedError") as failed:
                await store.size("k")
            assert isinstance(failed.value.__cause__, ConnectionRefusedError)
        inner.down = False
        assert await store.size("k") == 3
        with pytest.raises(ObjectMissing):  # an answer, not a failure
            await store.size("missing")
    assert [e["event"] for e in events] == ["object_store_unavailable", "object_store_back"]
    assert events[0]["log_level"] == "warning" and "MTSERVER_MEDIA_URL" in events[0]["fix"]
