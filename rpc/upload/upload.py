"""upload.*: saving file parts and downloading files (https://core.telegram.org/api/files).

Part rules and assembly: rpc/services/uploads.py; which file a location names and who
may read it: rpc/services/file_locations.py. A download reads only the parts its range
touches from the object store, so memory stays flat whatever the file size; the file's
record and those parts' keys come in one statement per chunk.
"""

from __future__ import annotations

from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.file_locations import location_file_id, storage_file_type
from ..services.uploads import read_file_range, save_part

DOWNLOAD_MAX = 1024 * 1024  # a getFile chunk: at most 1 MB, never across a 1 MB boundary
ALIGN = 4096  # offset and limit alignment; precise downloads may use 1 KB
PRECISE_ALIGN = 1024


@handler(F.upload.SaveFilePart, access=Access.USER)
async def save_file_part(request, ctx: RequestContext):
    user_id = ctx.user_id
    await save_part(ctx.services, user_id, request.file_id, request.file_part, request.bytes, None)
    return True


@handler(F.upload.SaveBigFilePart, access=Access.USER)
async def save_big_file_part(request, ctx: RequestContext):
    user_id = ctx.user_id
    await save_part(ctx.services, user_id, request.file_id, request.file_part, request.bytes,
                    request.file_total_parts)
    return True


def check_range(offset: int, limit: int, precise: bool) -> None:
    align = PRECISE_ALIGN if precise else ALIGN
    if offset < 0 or offset % align:
        raise RpcError(400, E.OFFSET_INVALID)
    if not 0 < limit <= DOWNLOAD_MAX or limit % align:
        raise RpcError(400, E.LIMIT_INVALID)
    if offset // DOWNLOAD_MAX != (offset + limit - 1) // DOWNLOAD_MAX:
        raise RpcError(400, E.LIMIT_INVALID)


@handler(F.upload.GetFile, access=Access.USER)
async def get_file(request, ctx: RequestContext):
    user_id = ctx.user_id
    check_range(request.offset, request.limit, bool(request.precise))
    file_id = await location_file_id(ctx.services, user_id, request.location)
    file, data = await read_file_range(ctx.services, file_id, request.offset, request.limit)
    return T.upload.File(type=storage_file_type(file.mime_type), mtime=file.created_at, bytes=data)
