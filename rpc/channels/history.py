"""Reading a channel's messages: messages.getHistory and messages.search on a channel
(the messages.* handlers hand over here), channels.getMessages, and the
messages.channelMessages they answer with (the channel's pts with the page, so the
client knows where its stream stands).

Who may read, and from which message on (pre_history_hidden), is
rpc/channels/reader.py's.
"""

from __future__ import annotations

from storage.models import ChannelMessageRecord
from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..services.chats_named import chats_named
from ..services.users import UserView
from .access import ChannelAccess
from .messages_view import channel_message, peers_named, user_ids_named
from .reader import first_visible_id, open_readable, readable_peer, visible_messages
from .threads import replies_of
from .view import channel_object

HISTORY_MAX = 100
SEARCH_MAX = 100
IDS_MAX = 200  # ids per channels.getMessages


async def channel_messages_object(ctx, access: ChannelAccess, records: list[ChannelMessageRecord], count: int,
                                  shown: list | None = None):
    """messages.channelMessages: these messages (or `shown`: TL messages already made
    from them), the users and chats they name, the channel's pts."""
    storage = ctx.services.storage
    channel = access.channel
    if shown is None:
        replies = await replies_of(storage, channel, records)
        shown = [channel_message(r, channel, ctx.user_id, replies.get(r.id)) for r in records]
    others = [p for p in peers_named(records) if not p.is_user and p != Peer.channel(channel.id)]
    return T.messages.ChannelMessages(
        pts=channel.pts, count=count, messages=shown, topics=[],
        chats=[channel_object(channel, access.me)] + await chats_named(storage, ctx.user_id, others),
        users=await UserView(storage, ctx.user_id).users(user_ids_named(records)))


def _limit(limit, cap: int) -> int:
    return max(1, min(limit or cap, cap))


async def history(ctx, peer: Peer, request):
    """messages.getHistory on a channel."""
    storage = ctx.services.storage
    access = await readable_peer(storage, ctx.user_id, peer.id)
    records, total = await storage.channel_messages.history(
        peer.id, offset_id=request.offset_id, offset_date=request.offset_date or 0, add_offset=request.add_offset,
        limit=_limit(request.limit, HISTORY_MAX), max_id=request.max_id,
        min_id=max(request.min_id or 0, first_visible_id(access)))
    return await channel_messages_object(ctx, access, records, total)


async def search(ctx, peer: Peer, request, *, sender_id: int | None, filter: str):
    """messages.search within a channel (filter: the inputMessagesFilter* name)."""
    storage = ctx.services.storage
    access = await readable_peer(storage, ctx.user_id, peer.id)
    records, count = await storage.channel_messages.search(
        peer.id, query=request.q or "", sender_id=sender_id, filter=filter, min_date=request.min_date or 0,
        max_date=request.max_date or 0, offset_id=request.offset_id or 0, add_offset=request.add_offset or 0,
        limit=_limit(request.limit, SEARCH_MAX), max_id=request.max_id or 0,
        min_id=max(request.min_id or 0, first_visible_id(access)), top_id=request.top_msg_id or None)
    return await channel_messages_object(ctx, access, records, count)


async def count(ctx, peer: Peer, filter: str) -> int:
    """How many of a channel's messages a filter matches (messages.getSearchCounters)."""
    storage = ctx.services.storage
    access = await readable_peer(storage, ctx.user_id, peer.id)
    _, found = await storage.channel_messages.search(peer.id, filter=filter, limit=0,
                                                     min_id=first_visible_id(access))
    return found


async def _wanted_ids(storage, access: ChannelAccess, inputs) -> list[int]:
    """The message ids InputMessages name (0 where one names none)."""
    channel_id = access.channel.id
    ids = []
    for item in inputs:
        if isinstance(item, T.InputMessageID):
            ids.append(item.id)
        elif isinstance(item, T.InputMessagePinned):
            pinned = await storage.channel_messages.pinned_ids(channel_id)
            ids.append(pinned[0] if pinned else 0)
        elif isinstance(item, T.InputMessageReplyTo):
            found = await storage.channel_messages.get(channel_id, [item.id])
            ids.append((found[0].reply_to_msg_id or 0) if found else 0)
        else:
            ids.append(0)
    return ids


@handler(F.channels.GetMessages, access=Access.USER)
async def get_messages(request, ctx: RequestContext):
    """Each message asked, in order; messageEmpty where there is none (any more) or the
    viewer may not see it, as Telegram answers."""
    storage = ctx.services.storage
    access = await open_readable(storage, ctx.user_id, request.channel)
    ids = await _wanted_ids(storage, access, list(request.id or ())[:IDS_MAX])
    found = {r.id: r for r in visible_messages(access, await storage.channel_messages.get(
        access.channel.id, [i for i in ids if i > 0]))}
    peer = T.PeerChannel(channel_id=access.channel.id)
    replies = await replies_of(storage, access.channel, list(found.values()))
    shown = [channel_message(found[i], access.channel, ctx.user_id, replies.get(i)) if i in found
             else T.MessageEmpty(id=i, peer_id=peer) for i in ids]
    return await channel_messages_object(ctx, access, list(found.values()), len(shown), shown=shown)
