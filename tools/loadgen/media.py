"""The media scenario: one big file up and down again per client, over our own light
client connections (tools/loadgen/client.py), so that a benchmark measures the server
and not a real client library (Telethon gzips every part it sends, which costs more
than the server's whole upload path).

Each client uploads ``data`` in ``part_size`` parts (upload.saveBigFilePart), sends it
to its Saved Messages as a document (messages.sendMedia), and downloads it again in
``part_size`` chunks (upload.getFile), checking the sha256. ``window`` requests are in
flight per connection in both directions, as real clients keep several parts in flight
(the server then never waits for a round trip). Clients go through each phase together
(every upload ends before the first download starts) so a caller can attribute the
server's CPU time to one direction.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import trio

from tl import functions as F, types as T

from .client import Account, LoadClient

PART_SIZE = 512 * 1024
WINDOW = 4
MIME_TYPE = "application/octet-stream"


@dataclass
class PhaseTimes:
    upload_s: float = 0.0
    download_s: float = 0.0


class MediaPhases:
    """Runs the two phases over already logged-in clients; ``between`` (if given) is
    called after the uploads and before the downloads, ``after`` at the end (the caller
    reads the server's CPU clock there)."""

    def __init__(self, clients: list[LoadClient], data: bytes, part_size: int = PART_SIZE, window: int = WINDOW):
        self.clients = clients
        self.data = data
        self.part_size = part_size
        self.window = window
        self.digest = hashlib.sha256(data).digest()

    async def upload_all(self) -> list[T.TypeInputFileLocation]:
        locations: list = [None] * len(self.clients)

        async def one(i: int, client: LoadClient) -> None:
            locations[i] = await self.upload(client)

        async with trio.open_nursery() as nursery:
            for i, client in enumerate(self.clients):
                nursery.start_soon(one, i, client)
        return locations

    async def download_all(self, locations: list) -> None:
        async with trio.open_nursery() as nursery:
            for client, location in zip(self.clients, locations):
                nursery.start_soon(self.download, client, location)

    async def upload(self, client: LoadClient) -> T.InputDocumentFileLocation:
        """saveBigFilePart for every part, then sendMedia; the document's location."""
        file_id = secrets.randbits(63)
        view = memoryview(self.data)
        total = -(-len(self.data) // self.part_size)
        parts = iter(range(total))

        async def worker() -> None:
            for index in parts:
                chunk = bytes(view[index * self.part_size:(index + 1) * self.part_size])
                ok = await client.call(F.upload.SaveBigFilePart(file_id=file_id, file_part=index,
                                                               file_total_parts=total, bytes=chunk))
                if ok is not True:
                    raise RuntimeError(f"saveBigFilePart {index}: {ok!r}")

        async with trio.open_nursery() as nursery:
            for _ in range(self.window):
                nursery.start_soon(worker)
        updates = await client.call(F.messages.SendMedia(
            peer=T.InputPeerSelf(), message="", random_id=secrets.randbits(63),
            media=T.InputMediaUploadedDocument(
                file=T.InputFileBig(id=file_id, parts=total, name="bench.bin"), mime_type=MIME_TYPE,
                attributes=[T.DocumentAttributeFilename(file_name="bench.bin")])))
        document = _document(updates)
        if document.size != len(self.data):
            raise RuntimeError(f"the server stored {document.size} bytes of {len(self.data)}")
        return T.InputDocumentFileLocation(id=document.id, access_hash=document.access_hash,
                                           file_reference=document.file_reference, thumb_size="")

    async def download(self, client: LoadClient, location) -> None:
        """getFile in part_size chunks, window at a time, hashed in order."""
        total = -(-len(self.data) // self.part_size)
        chunks: dict[int, bytes] = {}
        arrived = trio.Condition()
        offsets = iter(range(total))
        digest = hashlib.sha256()

        async def worker() -> None:
            for index in offsets:
                result = await client.call(F.upload.GetFile(location=location, offset=index * self.part_size,
                                                            limit=self.part_size))
                async with arrived:
                    chunks[index] = result.bytes
                    arrived.notify_all()

        async def hasher() -> None:
            for index in range(total):
                async with arrived:
                    while index not in chunks:
                        await arrived.wait()
                    digest.update(chunks.pop(index))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(hasher)
            for _ in range(self.window):
                nursery.start_soon(worker)
        if digest.digest() != self.digest:
            raise RuntimeError("the downloaded file differs from the uploaded one")


def _document(updates) -> T.Document:
    for update in getattr(updates, "updates", []):
        message = getattr(update, "message", None)
        media = getattr(message, "media", None)
        if isinstance(media, T.MessageMediaDocument) and isinstance(media.document, T.Document):
            return media.document
    raise RuntimeError(f"sendMedia answered without a document: {type(updates).__name__}")


async def run_media(host: str, port: int, accounts: list[Account], data: bytes, *, part_size: int = PART_SIZE,
                    window: int = WINDOW, on_phase=None) -> PhaseTimes:
    """Connect and log in one client per account, then both phases; ``on_phase(name)``
    is called at "start", "uploaded" and "downloaded" (the caller's clock reads)."""
    times = PhaseTimes()
    async with trio.open_nursery() as nursery:
        clients = []
        for account in accounts:
            client = LoadClient(await trio.open_tcp_stream(host, port), account, lambda _obj: None)
            nursery.start_soon(client.read_loop)
            clients.append(client)
        for client in clients:
            await client.login()
        phases = MediaPhases(clients, data, part_size, window)
        _note(on_phase, "start")
        t0 = time.perf_counter()
        locations = await phases.upload_all()
        t1 = time.perf_counter()
        _note(on_phase, "uploaded")
        await phases.download_all(locations)
        times.upload_s, times.download_s = t1 - t0, time.perf_counter() - t1
        _note(on_phase, "downloaded")
        for client in clients:
            await client.stream.aclose()
        nursery.cancel_scope.cancel()
    return times


def _note(on_phase, name: str) -> None:
    if on_phase is not None:
        on_phase(name)


__all__ = ["MediaPhases", "PART_SIZE", "PhaseTimes", "WINDOW", "run_media"]
