"""New messages into a supergroup or channel: messages.sendMessage, sendMedia,
sendMultiMedia and forwardMessages when their peer is a channel (the messages.*
handlers hand over here), and forwards out of one.

Each new message is one stored copy and one row of the channel's log, told to every
member's live sessions with one publish (rpc/channels/posting.py); the sender is
answered with updateMessageID and updateNewChannelMessage. The rules of who may post
what, and as whom, are rpc/channels/send_rules.py's. A retried random_id answers the
first send and is not checked again (its slow-mode wait would refuse it).
"""

from __future__ import annotations

import secrets
import time
from typing import NamedTuple

from storage.forwards import box_header, channel_header
from storage.interface import ChannelNotFound, NotMember
from storage.peer import Peer, PeerKind

from ..errors import E, RpcError
from ..services.dialog_marks import clear_draft_after_send
from ..services.media_files import media_from_input
from .access import ChannelAccess
from .posting import post, sent_updates
from .reader import access_of, readable_peer, visible_messages
from .send_rules import author_fields, check_can_post, check_media, check_slow_mode
from .topics_rules import thread_of_send


async def author_of(ctx, access: ChannelAccess) -> dict:
    """from_id and post_author of what the request's user posts (send_rules.author_fields)."""
    user = await ctx.services.storage.users.get(ctx.user_id)
    name = " ".join(part for part in (user.first_name, user.last_name) if part) if user else ""
    return author_fields(access.channel, access.me, name)


async def post_checked(ctx, access: ChannelAccess, **fields):
    """posting.post with storage's refusals as Telegram names them."""
    try:
        return await post(ctx, access.channel, **fields)
    except NotMember:  # removed meanwhile: storage checked under the channel's lock
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN) from None
    except ChannelNotFound:
        raise RpcError(400, E.CHANNEL_INVALID) from None


async def _thread(storage, access: ChannelAccess, reply_to_msg_id: int | None, top_msg_id: int | None) -> dict:
    """The reply fields of a new message (a forum's topic checked: topics_rules.py); a
    retried send keeps the first send's."""
    reply_to_msg_id, reply_to_top_id = await thread_of_send(storage, access, reply_to_msg_id, top_msg_id)
    return {"reply_to_msg_id": reply_to_msg_id, "reply_to_top_id": reply_to_top_id}


async def _first_send(ctx, channel_id: int, random_id: int | None):
    if not random_id:
        return None
    return await ctx.services.storage.channel_messages.by_random_id(channel_id, ctx.user_id, random_id)


async def send_message(ctx, peer: Peer, *, message: str, entities: list[dict], reply_to_msg_id: int | None,
                       random_id: int, silent: bool, top_msg_id: int | None = None):
    """messages.sendMessage into a channel (top_msg_id: the forum topic or thread)."""
    storage = ctx.services.storage
    access = await access_of(storage, ctx.user_id, peer.id)
    thread = {"reply_to_msg_id": reply_to_msg_id}
    if await _first_send(ctx, peer.id, random_id) is None:
        now = int(time.time())
        check_can_post(access, now, text=True)
        thread = await _thread(storage, access, reply_to_msg_id, top_msg_id)
        await check_slow_mode(storage, access, now)
    sent = await post_checked(ctx, access, message=message, entities=entities, random_id=random_id,
                         silent=silent, **thread, **await author_of(ctx, access))
    if not sent.duplicate:
        await clear_draft_after_send(ctx, peer)
    return await sent_updates(ctx, access.channel, access.me, [sent], [random_id])


async def send_media(ctx, peer: Peer, items: list[tuple], *, reply_to_msg_id: int | None, silent: bool,
                     top_msg_id: int | None = None):
    """messages.sendMedia (one item) and sendMultiMedia (an album) into a channel; each
    item (input media, caption, entities as dicts, random_id)."""
    storage = ctx.services.storage
    access = await access_of(storage, ctx.user_id, peer.id)
    firsts = [await _first_send(ctx, peer.id, random_id) for _, _, _, random_id in items]
    now = int(time.time())
    thread = {"reply_to_msg_id": reply_to_msg_id}
    if any(first is None for first in firsts):
        check_can_post(access, now, media=True)
        thread = await _thread(storage, access, reply_to_msg_id, top_msg_id)
        await check_slow_mode(storage, access, now, count=sum(first is None for first in firsts))
    medias = []
    for (input_media, _, _, _), first in zip(items, firsts):
        # A retry must not take its upload again (used up by the first send).
        media = first.media if first is not None and first.media else await media_from_input(
            ctx.services, ctx.user_id, input_media)
        if first is None:
            check_media(access, now, media)
        medias.append(media)
    grouped_id = (secrets.randbits(63) or 1) if len(items) > 1 else None
    author = await author_of(ctx, access)
    sent = []
    for (_, caption, entities, random_id), media, first in zip(items, medias, firsts):
        sent.append(await post_checked(ctx, access, message=caption, entities=entities, media=media,
                                       random_id=random_id, silent=silent, **thread,
                                       grouped_id=first.grouped_id if first is not None else grouped_id, **author))
    if any(not one.duplicate for one in sent):
        await clear_draft_after_send(ctx, peer)
    return await sent_updates(ctx, access.channel, access.me, sent, [random_id for *_, random_id in items])


async def check_can_forward_from(storage, viewer_id: int, channel_id: int) -> ChannelAccess:
    """A channel whose messages the viewer forwards: readable, and not protected
    (noforwards: CHAT_FORWARDS_RESTRICTED)."""
    access = await readable_peer(storage, viewer_id, channel_id)
    if access.channel.noforwards:
        raise RpcError(400, E.CHAT_FORWARDS_RESTRICTED)
    return access


class _Original(NamedTuple):
    text: str
    entities: list[dict]
    media: dict | None
    header: dict  # the forward header of a copy
    album: int | None  # the original's grouped_id


async def _originals(ctx, from_peer: Peer, ids: list[int]) -> dict[int, _Original]:
    """The messages to forward by id (service messages and what the viewer may not see
    are left out)."""
    storage = ctx.services.storage
    if from_peer.kind is PeerKind.CHANNEL:
        source = await check_can_forward_from(storage, ctx.user_id, from_peer.id)
        records = visible_messages(source, await storage.channel_messages.get(from_peer.id, ids))
        return {r.id: _Original(r.message, list(r.entities), r.media, channel_header(r, source.channel.broadcast),
                                r.grouped_id) for r in records if r.action is None}
    found = {}
    for r in await storage.messages.get(ctx.user_id, ids):
        if r.peer == from_peer and r.action is None:
            media = dict(r.media) if r.media else None
            album = media.pop("grouped_id", None) if media else None  # a box keeps it in the media dict
            found[r.id] = _Original(r.message, list(r.entities), media, box_header(r), album)
    return found


async def forward_into(ctx, from_peer: Peer, to_peer: Peer, ids: list[int], random_ids: list[int], *,
                       drop_author: bool, drop_media_captions: bool, silent: bool, top_msg_id: int | None = None):
    """messages.forwardMessages into a channel: each message posted as a new one with
    a forward header (none with drop_author), in the order asked; an album stays one;
    top_msg_id: into that forum topic."""
    storage = ctx.services.storage
    access = await access_of(storage, ctx.user_id, to_peer.id)
    originals = await _originals(ctx, from_peer, ids)
    wanted = [(i, random_id) for i, random_id in zip(ids, random_ids) if i in originals]
    if not wanted:
        raise RpcError(400, E.MESSAGE_ID_INVALID)
    firsts = {random_id: await _first_send(ctx, to_peer.id, random_id) for _, random_id in wanted}
    fresh = [originals[i] for i, random_id in wanted if firsts[random_id] is None]
    now = int(time.time())
    thread = {}
    if fresh:
        check_can_post(access, now, text=any(o.media is None for o in fresh), media=any(o.media for o in fresh))
        thread = await _thread(storage, access, None, top_msg_id)
        for original in fresh:
            check_media(access, now, original.media)
        await check_slow_mode(storage, access, now, count=len(fresh))
    author = await author_of(ctx, access)
    albums: dict[int, int] = {}
    sent = []
    for i, random_id in wanted:
        original = originals[i]
        text, entities = original.text, original.entities
        if drop_media_captions and original.media is not None:
            text, entities = "", []
        grouped_id = albums.setdefault(original.album, secrets.randbits(63) or 1) if original.album else None
        sent.append(await post_checked(ctx, access, message=text, entities=entities, media=original.media,
                                       random_id=random_id, silent=silent,
                                       fwd_from=None if drop_author else original.header, grouped_id=grouped_id,
                                       **thread, **author))
    return await sent_updates(ctx, access.channel, access.me, sent, [random_id for _, random_id in wanted])
