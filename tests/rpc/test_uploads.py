"""rpc.services.uploads: uploads never used expire, with their parts."""

from __future__ import annotations

import trio_asyncio

from rpc.services.uploads import expire_uploads, save_part, valid_part_size
from storage import open_storage
from storage.objects import open_object_store


class Services:
    def __init__(self, storage, objects):
        self.storage = storage
        self.objects = objects


def test_part_sizes():
    assert [s for s in (1024, 2048, 3072, 4096, 65536, 524288, 1048576, 1000) if valid_part_size(s)] == [
        1024, 2048, 4096, 65536, 524288]


async def test_unused_uploads_expire_with_their_parts(tmp_path):
    async with trio_asyncio.open_loop():
        storage = await open_storage(None, tmp_path)
        try:
            services = Services(storage, open_object_store(None, tmp_path))
            await save_part(services, 5, 99, 0, b"x" * 1024, None)
            upload = await storage.media.upload(5, 99)
            [key] = (await storage.media.part_keys(5, 99)).values()
            assert await services.objects.size(key) == 1024
            await save_part(services, 5, 99, 0, b"y" * 2048, None)  # re-sent: the first object goes
            [second] = (await storage.media.part_keys(5, 99)).values()
            assert second != key and await services.objects.size(key) is None
            assert await expire_uploads(storage, services.objects, upload.created_at + 10, ttl=60) == 0
            assert await expire_uploads(storage, services.objects, upload.created_at + 61, ttl=60) == 1
            assert await storage.media.upload(5, 99) is None
            assert await services.objects.size(second) is None
        finally:
            await storage.close()
