"""messages.uploadMedia, messages.sendMedia and messages.sendMultiMedia (albums).

What the client sends becomes a stored photo or document and a media dict
(rpc/services/media_files.py); the message itself goes through the same storage call
as a text message (send_private, or chats.send_message in a basic group; a channel's
are rpc/channels/post.py's), so delivery, pts and the update log work the same.
"""

from __future__ import annotations

import secrets
import time

from storage.peer import Peer, PeerKind
from tl import functions as F

from ..channels import post as channel_post
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.media_files import media_from_input
from ..services.media_view import uploaded_media
from ..services.peers import resolve_input_peer
from ..services.sending import check_can_send, sent_updates, store_message

CAPTION_MAX = 1024
ALBUM_MAX = 10


def _caption(text: str | None) -> str:
    text = text or ""
    if len(text) > CAPTION_MAX:
        raise RpcError(400, E.MEDIA_CAPTION_TOO_LONG)
    return text


async def _media(ctx: RequestContext, user_id: int, input_media, random_id: int) -> dict:
    """The media dict for a send. A retry of a send that already happened (same
    random_id) must not process the media again (its upload is used up): it gets the
    first send's media, and send_private answers with the first send's message."""
    first = await ctx.services.storage.messages.by_random_id(user_id, random_id)
    if first is not None and first.media:
        return first.media
    return await media_from_input(ctx.services, user_id, input_media)


async def _deliver(ctx: RequestContext, user_id: int, peer: Peer, *, caption: str, entities, media: dict,
                   random_id: int, reply_to: int | None, silent: bool):
    """Stores one message with media and tells every box it reached; (sender's copy, pts)."""
    sent = await store_message(ctx, peer, date=int(time.time()), message=caption,
                               entities=[e.to_dict() for e in entities or ()], reply_to_msg_id=reply_to,
                               random_id=random_id, silent=silent, media=media)
    return sent.sender_copy, sent.sender_pts


@handler(F.messages.UploadMedia, access=Access.USER)
async def upload_media(request, ctx: RequestContext):
    user_id = ctx.user_id
    await resolve_input_peer(ctx.services.storage, user_id, request.peer)
    media = await media_from_input(ctx.services, user_id, request.media)
    return uploaded_media(media, user_id)


@handler(F.messages.SendMedia, access=Access.USER)
async def send_media(request, ctx: RequestContext):
    user_id = ctx.user_id
    peer = await resolve_input_peer(ctx.services.storage, user_id, request.peer)
    caption = _caption(request.message)
    if peer.kind is PeerKind.CHANNEL:
        item = (request.media, caption, [e.to_dict() for e in request.entities or ()], request.random_id)
        return await channel_post.send_media(ctx, peer, [item], silent=bool(request.silent),
                                             reply_to_msg_id=getattr(request.reply_to, "reply_to_msg_id", None),
                                             top_msg_id=getattr(request.reply_to, "top_msg_id", None))
    await check_can_send(ctx.services.storage, user_id, peer)
    media = await _media(ctx, user_id, request.media, request.random_id)
    record, pts = await _deliver(ctx, user_id, peer, caption=caption, entities=request.entities, media=media,
                                 random_id=request.random_id, reply_to=getattr(request.reply_to, "reply_to_msg_id", None),
                                 silent=bool(request.silent))
    return await sent_updates(ctx, [(record, pts)])


def _album_kind(media: dict) -> str:
    """Photos and videos may share an album; other documents only with documents."""
    if media["_"] == "photo":
        return "visual"
    mime = media["document"]["mime_type"]
    if mime.startswith("video/") or mime.startswith("image/"):
        return "visual"
    return "document" if not mime.startswith("audio/") else "audio"


@handler(F.messages.SendMultiMedia, access=Access.USER)
async def send_multi_media(request, ctx: RequestContext):
    user_id = ctx.user_id
    peer = await resolve_input_peer(ctx.services.storage, user_id, request.peer)
    items = list(request.multi_media or ())
    if not items:
        raise RpcError(400, E.MEDIA_EMPTY)
    if len(items) > ALBUM_MAX:
        raise RpcError(400, E.MULTI_MEDIA_TOO_LONG)
    if len({item.random_id for item in items}) != len(items):
        raise RpcError(400, E.RANDOM_ID_DUPLICATE)
    captions = [_caption(item.message) for item in items]
    if peer.kind is PeerKind.CHANNEL:
        album = [(item.media, caption, [e.to_dict() for e in item.entities or ()], item.random_id)
                 for item, caption in zip(items, captions)]
        return await channel_post.send_media(ctx, peer, album, silent=bool(request.silent),
                                             reply_to_msg_id=getattr(request.reply_to, "reply_to_msg_id", None),
                                             top_msg_id=getattr(request.reply_to, "top_msg_id", None))
    await check_can_send(ctx.services.storage, user_id, peer)
    medias = [await _media(ctx, user_id, item.media, item.random_id) for item in items]
    if len({_album_kind(m) for m in medias}) > 1:
        raise RpcError(400, E.MEDIA_GROUPED_INVALID)
    grouped_id = secrets.randbits(63) or 1
    reply_to = getattr(request.reply_to, "reply_to_msg_id", None)
    sent = []
    for item, caption, media in zip(items, captions, medias):
        record, pts = await _deliver(ctx, user_id, peer, caption=caption, entities=item.entities,
                                     media={**media, "grouped_id": media.get("grouped_id", grouped_id)},
                                     random_id=item.random_id,
                                     reply_to=reply_to, silent=bool(request.silent))
        sent.append((record, pts))
    return await sent_updates(ctx, sent)
