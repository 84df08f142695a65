"""From what a client sends (InputMedia, InputChatPhoto, an uploaded InputFile) to stored
photos and documents, and the media dict a message keeps (rpc/services/media_view.py).

Photos are decoded (Pillow, in a worker thread) and stored as the original plus the
standard sizes (rpc/services/photo_sizes.py). Documents are stored as uploaded, with
the client's attributes; a thumbnail the client sends (or, for images, one made from
the file) becomes their "m" size plus a stripped one. Media sent again by id
(InputMediaPhoto / InputMediaDocument) is not re-uploaded: the id, access hash and
file reference are checked and the same stored object is used.
"""

from __future__ import annotations

import mimetypes
import time

import trio

from storage.media import new_access_hash, new_id
from storage.models import DocumentRecord, FileRecord, PhotoRecord
from tl import types as T

from ..errors import E, RpcError
from . import file_references
from .media_view import document_dict, photo_dict
from .photo_sizes import MESSAGE_BOXES, PROFILE_BOXES, ImageError, make_sizes
from .uploads import read_file, store_bytes, take_uploaded_file

PHOTO_MAX = 10 * 1024 * 1024  # Telegram refuses larger photos (PHOTO_SAVE_FILE_INVALID)
THUMB_BOX = (("m", 320),)


def guess_mime(name: str | None, default: str = "application/octet-stream") -> str:
    return (mimetypes.guess_type(name or "")[0]) or default


async def _processed(data: bytes, boxes, square: bool):
    try:
        return await trio.to_thread.run_sync(make_sizes, data, boxes, square)
    except ImageError as exc:
        if "dimensions" in str(exc):
            raise RpcError(400, E.PHOTO_INVALID_DIMENSIONS) from None
        raise RpcError(400, E.IMAGE_PROCESS_FAILED) from None


async def _stored_sizes(services, owner_id: int, made, progressive: bool = True) -> list[dict]:
    """progressive False: plain photoSize only (document thumbnails: clients read .size)."""
    sizes: list[dict] = [{"type": "s", "bytes": made.stripped.hex()}]
    for s in made.sizes:
        file = await store_bytes(services, owner_id, s.jpeg, "image/jpeg")
        entry = {"type": s.type, "w": s.w, "h": s.h, "size": len(s.jpeg), "file_id": file.id}
        if s.progressive and progressive:
            entry["progressive"] = True
        sizes.append(entry)
    return sizes


async def _file_bytes(services, file: FileRecord) -> bytes:
    return await read_file(services, file, 0, file.size)


async def photo_from_upload(services, user_id: int, input_file, *, profile: bool = False) -> PhotoRecord:
    """A new photo from an uploaded image (message sizes, or square profile sizes)."""
    file = await take_uploaded_file(services, user_id, input_file, guess_mime(input_file.name, "image/jpeg"))
    if file.size > PHOTO_MAX:
        raise RpcError(400, E.PHOTO_SAVE_FILE_INVALID)
    made = await _processed(await _file_bytes(services, file), PROFILE_BOXES if profile else MESSAGE_BOXES, profile)
    photo = PhotoRecord(id=new_id(), access_hash=new_access_hash(), owner_id=user_id, date=int(time.time()),
                        sizes=await _stored_sizes(services, user_id, made), file_id=file.id,
                        dc_id=services.config.dc_id)
    await services.storage.media.add_photo(photo)
    return photo


async def document_from_upload(services, user_id: int, media) -> DocumentRecord:
    """InputMediaUploadedDocument → a new document."""
    name = getattr(media.file, "name", None)
    mime = (media.mime_type or "").strip() or guess_mime(name)
    if len(mime) > 255 or "/" not in mime:
        raise RpcError(400, E.MEDIA_INVALID)
    attributes = [a.to_dict() for a in media.attributes or ()]
    if name and not any(a["_"] == "documentAttributeFilename" for a in attributes):
        attributes.append({"_": "documentAttributeFilename", "file_name": name})
    file = await take_uploaded_file(services, user_id, media.file, mime)
    thumbs: list[dict] = []
    if media.thumb is not None:
        thumb = await take_uploaded_file(services, user_id, media.thumb, "image/jpeg")
        if thumb.size <= PHOTO_MAX:
            thumbs = await _thumbs(services, user_id, await _file_bytes(services, thumb))
    elif mime.startswith("image/") and file.size <= PHOTO_MAX:
        thumbs = await _thumbs(services, user_id, await _file_bytes(services, file))
    doc = DocumentRecord(id=new_id(), access_hash=new_access_hash(), owner_id=user_id, date=int(time.time()),
                         mime_type=mime, size=file.size, file_id=file.id, attributes=attributes, thumbs=thumbs,
                         dc_id=services.config.dc_id)
    await services.storage.media.add_document(doc)
    return doc


async def _thumbs(services, user_id: int, data: bytes) -> list[dict]:
    """Thumbnail sizes for a document; none if the image cannot be decoded (a document
    may be anything, so a bad thumbnail is no error)."""
    try:
        made = await trio.to_thread.run_sync(make_sizes, data, THUMB_BOX, False)
    except ImageError:
        return []
    return await _stored_sizes(services, user_id, made, progressive=False)


async def existing_photo(services, user_id: int, input_photo) -> PhotoRecord:
    if not isinstance(input_photo, T.InputPhoto):
        raise RpcError(400, E.PHOTO_INVALID)
    photo = await services.storage.media.photo(input_photo.id)
    if photo is None or photo.access_hash != input_photo.access_hash:
        raise RpcError(400, E.PHOTO_INVALID)
    await file_references.check(services.storage, user_id, input_photo.file_reference, "photo", photo.id,
                                photo.owner_id)
    return photo


async def existing_document(services, user_id: int, input_document) -> DocumentRecord:
    if not isinstance(input_document, T.InputDocument):
        raise RpcError(400, E.MEDIA_INVALID)
    doc = await services.storage.media.document(input_document.id)
    if doc is None or doc.access_hash != input_document.access_hash:
        raise RpcError(400, E.MEDIA_INVALID)
    await file_references.check(services.storage, user_id, input_document.file_reference, "document", doc.id,
                                doc.owner_id)
    return doc


async def media_from_input(services, user_id: int, media) -> dict:
    """The media dict a message keeps for an InputMedia (uploaded or by id)."""
    if isinstance(media, T.InputMediaUploadedPhoto):
        if media.ttl_seconds:
            raise RpcError(400, E.MEDIA_TTL_INVALID)
        return {"_": "photo", "photo": photo_dict(await photo_from_upload(services, user_id, media.file))}
    if isinstance(media, T.InputMediaUploadedDocument):
        if media.ttl_seconds:
            raise RpcError(400, E.MEDIA_TTL_INVALID)
        return {"_": "document", "document": document_dict(await document_from_upload(services, user_id, media))}
    if isinstance(media, T.InputMediaPhoto):
        return {"_": "photo", "photo": photo_dict(await existing_photo(services, user_id, media.id))}
    if isinstance(media, T.InputMediaDocument):
        return {"_": "document", "document": document_dict(await existing_document(services, user_id, media.id))}
    if media is None or isinstance(media, T.InputMediaEmpty):
        raise RpcError(400, E.MEDIA_EMPTY)
    raise RpcError(400, E.MEDIA_INVALID)


async def chat_photo_from_input(services, user_id: int, input_chat_photo) -> PhotoRecord | None:
    """The photo an InputChatPhoto names for a basic group or channel (messages.editChatPhoto,
    messages.createChat ...): a new square photo from an upload, an existing photo the
    user may use, or None for InputChatPhotoEmpty (remove the photo). Store it with
    storage.media.add_profile_photo(Peer.chat(chat_id), photo.id, time.time_ns() // 1000);
    render it with media_view.chat_photo_object (in Chat objects)
    and media_view.photo_object(photo, chat_photo_reference(chat_id)) (in
    messageActionChatEditPhoto and photos lists). InputPeerPhotoFileLocation downloads
    then work for the chat as for a user."""
    if isinstance(input_chat_photo, T.InputChatPhotoEmpty):
        return None
    if isinstance(input_chat_photo, T.InputChatUploadedPhoto):
        if input_chat_photo.file is None:
            raise RpcError(400, E.PHOTO_FILE_MISSING)
        return await photo_from_upload(services, user_id, input_chat_photo.file, profile=True)
    if isinstance(input_chat_photo, T.InputChatPhoto):
        return await existing_photo(services, user_id, input_chat_photo.id)
    raise RpcError(400, E.PHOTO_INVALID)


def chat_photo_reference(chat_id: int) -> bytes:
    return file_references.make(file_references.CHAT, chat_id)


def channel_photo_reference(channel_id: int) -> bytes:
    return file_references.make(file_references.CHANNEL, channel_id)
