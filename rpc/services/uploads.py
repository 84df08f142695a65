"""Upload rules (https://core.telegram.org/api/files#uploading-files) and turning a
finished upload into a stored file.

A client cuts a file into parts of one size, divisible by 1 KB, at most 512 KB, and a
divisor of 512 KB (524288 % size == 0); only the last part may be smaller. Files over
10 MB go through saveBigFilePart, which also names the total number of parts; a file
has at most 4000 parts. Parts are written to the object store as they come; whether
every part is there is only known when the file is used (an InputFile in sendMedia,
uploadProfilePhoto, ...): then a missing part is FILE_PART_<n>_MISSING, and a small
file's md5_checksum (when the client sends one) is checked. Uploads never used are
deleted after UPLOAD_TTL.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import structlog
import trio

from storage.media import new_id
from storage.models import FileRecord
from storage.objects.chunked import parts_spanned, read_range
from tl import types as T

from ..errors import E, RpcError, numbered

log = structlog.get_logger("mtserver.uploads")

PART_MAX = 512 * 1024
PART_ALIGN = 1024
MAX_PARTS = 4000
SMALL_FILE_MAX = 10 * 1024 * 1024
UPLOAD_TTL = 24 * 3600
SWEEP_EVERY = 600


def valid_part_size(size: int) -> bool:
    return 0 < size <= PART_MAX and size % PART_ALIGN == 0 and PART_MAX % size == 0


async def save_part(services, user_id: int, file_id: int, part: int, data: bytes, total_parts: int | None) -> None:
    """upload.saveFilePart (total_parts None) and upload.saveBigFilePart."""
    big = total_parts is not None
    if big and not 0 < total_parts <= MAX_PARTS:
        raise RpcError(400, E.FILE_PARTS_INVALID)
    if not 0 <= part < (total_parts if big else MAX_PARTS):
        raise RpcError(400, E.FILE_PART_INVALID)
    if not data:
        raise RpcError(400, E.FILE_PART_EMPTY)
    if len(data) > PART_MAX:
        raise RpcError(400, E.FILE_PART_TOO_BIG)
    if big and part < total_parts - 1 and not valid_part_size(len(data)):
        raise RpcError(400, E.FILE_PART_SIZE_INVALID)
    media = services.storage.media
    upload = await media.start_upload(user_id, file_id, big=big, total_parts=total_parts, now=int(time.time()))
    if upload.big != big or upload.total_parts != total_parts:
        raise RpcError(400, E.FILE_PARTS_INVALID)
    if big:
        # A part size that differs from an earlier full part is caught now, not at the end.
        if part < total_parts - 1:
            earlier = await media.full_part_size(user_id, file_id, total_parts - 1, part)
            if earlier is not None and earlier != len(data):
                raise RpcError(400, E.FILE_PART_SIZE_CHANGED)
    key = f"{upload.key_prefix}/{part}.{secrets.token_hex(4)}"
    await services.objects.put(key, data)
    recorded, replaced = await media.add_part(user_id, file_id, part, len(data), key)
    if not recorded:
        # The upload was used (or expired) while this part was being written.
        await services.objects.delete([key])
        raise RpcError(400, E.FILE_PART_INVALID)
    if replaced is not None:
        await services.objects.delete([replaced])


async def take_uploaded_file(services, user_id: int, input_file, mime_type: str) -> FileRecord:
    """The stored file an InputFile / InputFileBig names, once every part is checked;
    the upload is used up. RPC errors name what is wrong."""
    if not isinstance(input_file, (T.InputFile, T.InputFileBig)):
        raise RpcError(400, E.FILE_ID_INVALID)
    big = isinstance(input_file, T.InputFileBig)
    count = input_file.parts
    if not 0 < count <= MAX_PARTS:
        raise RpcError(400, E.FILE_PARTS_INVALID)
    media = services.storage.media
    upload = await media.upload(user_id, input_file.id)
    if upload is None:
        raise RpcError(400, E.FILE_PART_0_MISSING)
    if upload.big != big or (big and upload.total_parts != count):
        raise RpcError(400, E.FILE_PARTS_INVALID)
    parts = await media.parts(user_id, input_file.id)
    for index in range(count):
        if index not in parts:
            raise RpcError(400, numbered(E.FILE_PART_X_MISSING, index))
    part_size = parts[0]
    if count > 1 and not valid_part_size(part_size):
        raise RpcError(400, E.FILE_PART_SIZE_INVALID)
    if any(parts[i] != part_size for i in range(count - 1)) or parts[count - 1] > part_size:
        raise RpcError(400, E.FILE_PART_SIZE_CHANGED)
    size = part_size * (count - 1) + parts[count - 1]
    if not big and size > SMALL_FILE_MAX:
        raise RpcError(400, E.FILE_PARTS_INVALID)
    if not big and input_file.md5_checksum:
        await _check_md5(services, await media.part_keys(user_id, input_file.id), count, input_file.md5_checksum)
    file = FileRecord(id=new_id(), size=size, part_size=part_size, mime_type=mime_type or "application/octet-stream",
                      owner_id=user_id, created_at=int(time.time()))
    extra = await media.finish_upload(user_id, input_file.id, upload.key_prefix, count, file)
    if extra is None:
        raise RpcError(400, E.FILE_PART_0_MISSING)  # used or expired meanwhile
    if extra:
        await services.objects.delete(extra)
    return file


async def _check_md5(services, keys: dict[int, str], count: int, expected: str) -> None:
    """InputFile.md5_checksum (small files only), one part in memory at a time."""
    digest = hashlib.md5()
    for index in range(count):
        digest.update(await services.objects.read(keys[index]))
    if digest.hexdigest() != expected.strip().lower():
        raise RpcError(400, E.MD5_CHECKSUM_INVALID)


async def store_bytes(services, owner_id: int, data: bytes, mime_type: str) -> FileRecord:
    """A file the server made itself (a photo size): one object, one part."""
    file = FileRecord(id=new_id(), size=len(data), part_size=max(1, len(data)), mime_type=mime_type,
                      owner_id=owner_id, created_at=int(time.time()))
    key = f"gen/{owner_id}/{file.id:x}"
    await services.objects.put(key, data)
    await services.storage.media.add_file(file, [key])
    return file


async def read_file(services, file: FileRecord, offset: int, limit: int) -> bytes:
    """Bytes offset .. offset + limit of a stored file, reading only the parts they touch."""
    spanned = parts_spanned(file.part_size, file.size, offset, limit)
    if not spanned:
        return b""
    keys = await services.storage.media.file_part_keys(file.id, spanned.start, spanned.stop - 1)
    return await read_range(services.objects, keys, file.part_size, file.size, offset, limit)


async def read_file_range(services, file_id: int, offset: int, limit: int) -> tuple[FileRecord, bytes]:
    """:func:`read_file` for a file known by id (upload.getFile): the file's record and
    its part keys come in one statement."""
    file, keys = await services.storage.media.file_range(file_id, offset, limit)
    if file is None:
        raise RpcError(400, E.FILE_ID_INVALID)
    return file, await read_range(services.objects, keys, file.part_size, file.size, offset, limit)


async def expire_uploads(storage, objects, now: int, ttl: int = UPLOAD_TTL) -> int:
    """Deletes uploads (rows and parts) started more than ttl seconds ago and never used."""
    removed = 0
    while True:
        batch = await storage.media.expired_uploads(now - ttl)
        if not batch:
            return removed
        for upload, keys in batch:
            await storage.media.drop_upload(upload.owner_id, upload.file_id)
            await objects.delete(keys)
            removed += 1


async def expire_uploads_forever(state) -> None:
    while True:
        try:
            removed = await expire_uploads(state.storage, state.objects, int(time.time()))
            if removed:
                log.info("uploads_expired", count=removed)
        except Exception:  # a storage hiccup must not end the server; try again later
            log.exception("uploads_expiry_failed")
        await trio.sleep(SWEEP_EVERY)
