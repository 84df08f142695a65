"""Photos and documents as a reader sees them, in TL (rendered at read time).

Stored forms: storage.models.PhotoRecord / DocumentRecord, and inside a message the
media dict {"_": "photo", "photo": {PhotoRecord fields}, "grouped_id": 7?}
(or "document" / {DocumentRecord fields}). File references are made here for the
origin the reader sees the object through (rpc/services/file_references.py).
"""

from __future__ import annotations

import msgspec

import tl
from storage.models import DocumentRecord, MessageRecord, PhotoRecord
from tl import types as T

from . import file_references


def photo_dict(photo: PhotoRecord) -> dict:
    return msgspec.to_builtins(photo)


def document_dict(doc: DocumentRecord) -> dict:
    return msgspec.to_builtins(doc)


def photo_sizes(sizes: list[dict]) -> list:
    out = []
    for s in sizes:
        if s["type"] == "s":
            out.append(T.PhotoStrippedSize(type="s", bytes=bytes.fromhex(s["bytes"])))
        elif s.get("progressive"):
            out.append(T.PhotoSizeProgressive(type=s["type"], w=s["w"], h=s["h"], sizes=[s["size"]]))
        else:
            out.append(T.PhotoSize(type=s["type"], w=s["w"], h=s["h"], size=s["size"]))
    return out


def stripped_thumb(sizes: list[dict]) -> bytes | None:
    for s in sizes:
        if s["type"] == "s":
            return bytes.fromhex(s["bytes"])
    return None


def photo_object(photo: dict | PhotoRecord, reference: bytes):
    p = photo_dict(photo) if isinstance(photo, PhotoRecord) else photo
    return T.Photo(id=p["id"], access_hash=p["access_hash"], file_reference=reference, date=p["date"],
                   sizes=photo_sizes(p["sizes"]), dc_id=p["dc_id"])


def document_object(doc: dict | DocumentRecord, reference: bytes):
    d = document_dict(doc) if isinstance(doc, DocumentRecord) else doc
    return T.Document(id=d["id"], access_hash=d["access_hash"], file_reference=reference, date=d["date"],
                      mime_type=d["mime_type"], size=d["size"], thumbs=photo_sizes(d["thumbs"]) or None,
                      dc_id=d["dc_id"], attributes=[tl.from_dict(a) for a in d["attributes"]])


def media_object(media: dict, reference: bytes):
    """The MessageMedia of a stored media dict."""
    if media.get("_") == "photo":
        return T.MessageMediaPhoto(photo=photo_object(media["photo"], reference))
    if media.get("_") == "document":
        doc = media["document"]
        kinds = {a.get("_") for a in doc["attributes"]}
        voice = any(a.get("_") == "documentAttributeAudio" and a.get("voice") for a in doc["attributes"])
        return T.MessageMediaDocument(document=document_object(doc, reference),
                                      video=True if "documentAttributeVideo" in kinds else None,
                                      voice=True if voice else None)
    return T.MessageMediaUnsupported()


def message_fields(record: MessageRecord) -> dict:
    """The media and grouped_id fields of a stored message, for its owner."""
    if not record.media:
        return {}
    fields = {"media": media_object(record.media, file_references.make(file_references.MESSAGE, record.id))}
    if record.media.get("grouped_id"):
        fields["grouped_id"] = record.media["grouped_id"]
    return fields


def uploaded_media(media: dict, owner_id: int):
    """messages.uploadMedia's answer: the uploader may use it by id until they send it."""
    return media_object(media, file_references.make(file_references.UPLOADER, owner_id))


def profile_photo_object(photo: PhotoRecord):
    """UserProfilePhoto: the id and stripped thumbnail; the sizes are fetched by peer."""
    return T.UserProfilePhoto(photo_id=photo.id, stripped_thumb=stripped_thumb(photo.sizes), dc_id=photo.dc_id)


def chat_photo_object(photo: PhotoRecord):
    """ChatPhoto of a basic group or channel (same shape as a user's)."""
    return T.ChatPhoto(photo_id=photo.id, stripped_thumb=stripped_thumb(photo.sizes), dc_id=photo.dc_id)
