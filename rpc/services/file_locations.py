"""upload.getFile's InputFileLocation → the id of the stored file to read, after the access checks.

- InputPhotoFileLocation / InputDocumentFileLocation: id + access_hash + file_reference
  (checked against its origin, rpc/services/file_references.py) + thumb_size ("" for a
  document itself, a size type such as "m" or "y" otherwise);
- InputPeerPhotoFileLocation: a peer the reader can name (access hash checked) and one
  of its profile photos; big: the largest size, else the smallest.

Files are per DC in Telegram's model; this server is one DC and answers for it.
"""

from __future__ import annotations

from storage.models import PhotoRecord
from tl import types as T

from ..errors import E, RpcError
from . import file_references
from .peers import resolve_input_peer

_STORAGE_TYPES = {
    "image/jpeg": T.storage.FileJpeg, "image/png": T.storage.FilePng, "image/gif": T.storage.FileGif,
    "image/webp": T.storage.FileWebp, "video/mp4": T.storage.FileMp4, "video/quicktime": T.storage.FileMov,
    "audio/mpeg": T.storage.FileMp3, "application/pdf": T.storage.FilePdf,
}


def storage_file_type(mime_type: str):
    return _STORAGE_TYPES.get(mime_type, T.storage.FileUnknown)()


def _size_file_id(sizes: list[dict], thumb_size: str) -> int:
    for s in sizes:
        if s["type"] == thumb_size and "file_id" in s:
            return s["file_id"]
    raise RpcError(400, E.LOCATION_INVALID)


def _peer_photo_file_id(photo: PhotoRecord, big: bool) -> int:
    stored = [s for s in photo.sizes if "file_id" in s]
    if not stored:
        raise RpcError(400, E.LOCATION_INVALID)
    return (stored[-1] if big else stored[0])["file_id"]


async def location_file_id(services, user_id: int, location) -> int:
    """The id of the stored file a location names, once the reader may have it."""
    storage = services.storage
    if isinstance(location, T.InputPhotoFileLocation):
        photo = await storage.media.photo(location.id)
        if photo is None or photo.access_hash != location.access_hash:
            raise RpcError(400, E.FILE_ID_INVALID)
        await file_references.check(storage, user_id, location.file_reference, "photo", photo.id, photo.owner_id)
        file_id = _size_file_id(photo.sizes, location.thumb_size)
    elif isinstance(location, T.InputDocumentFileLocation):
        doc = await storage.media.document(location.id)
        if doc is None or doc.access_hash != location.access_hash:
            raise RpcError(400, E.FILE_ID_INVALID)
        await file_references.check(storage, user_id, location.file_reference, "document", doc.id, doc.owner_id)
        file_id = doc.file_id if not location.thumb_size else _size_file_id(doc.thumbs, location.thumb_size)
    elif isinstance(location, T.InputPeerPhotoFileLocation):
        peer = await resolve_input_peer(storage, user_id, location.peer)
        if not await storage.media.is_profile_photo(peer, location.photo_id):
            raise RpcError(400, E.FILE_ID_INVALID)
        photo = await storage.media.photo(location.photo_id)
        if photo is None:
            raise RpcError(400, E.FILE_ID_INVALID)
        file_id = _peer_photo_file_id(photo, bool(location.big))
    else:
        raise RpcError(400, E.LOCATION_INVALID)
    return file_id
