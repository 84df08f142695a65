"""Read state and views of channel messages: channels.readHistory (messages.readHistory
on a channel hands over here), channels.readMessageContents, messages.getMessagesViews.

Reading moves the reader's read_inbox_max_id and, where it covers others' messages,
the channel's outbox mark (storage/channel_dialogs.py). The reader's other devices get
updateReadChannelInbox, and the senders of the messages the outbox mark now covers get
updateReadChannelOutbox, both rendered from storage when pushed (rpc/updates/render.py).
A view counts once per user (storage/channel_views.py); updateChannelMessageViews is not
pushed: clients ask getMessagesViews for what they show.
"""

from __future__ import annotations

from storage.interface import NotParticipant
from storage.peer import Peer, PeerKind
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..services.dialog_marks import clear_unread_mark_after_read
from ..services.peers import resolve_input_peer
from ..updates.events import ChannelInboxRead, ChannelOutboxRead
from ..updates.publish import publish, tell_other_devices
from .access import open_channel
from .reader import readable_peer
from .threads import replies_of
from .view import channel_object

VIEWS_MAX = 200  # ids per getMessagesViews


async def read_channel(ctx, channel_id: int, max_id: int) -> None:
    """The member reads the channel up to max_id (0: all); a non-member (a public
    channel's reader) has nothing to mark."""
    storage = ctx.services.storage
    try:
        read = await storage.channel_dialogs.read_history(channel_id, ctx.user_id, max_id)
    except NotParticipant:
        return
    if read.inbox_moved:
        await tell_other_devices(ctx, ChannelInboxRead(channel_id=channel_id))
    if read.outbox_authors:
        await publish(ctx.services, ChannelOutboxRead(channel_id=channel_id), read.outbox_authors)
    await clear_unread_mark_after_read(ctx, Peer.channel(channel_id))


@handler(F.channels.ReadHistory, access=Access.USER)
async def read_history(request, ctx: RequestContext):
    access = await open_channel(ctx.services.storage, ctx.user_id, request.channel)
    await read_channel(ctx, access.channel.id, request.max_id)
    return True


@handler(F.channels.ReadMessageContents, access=Access.USER)
async def read_message_contents(request, ctx: RequestContext):
    """Voice notes and round videos listened to: nothing is kept per reader here."""
    await open_channel(ctx.services.storage, ctx.user_id, request.channel)
    return True


@handler(F.messages.GetMessagesViews, access=Access.USER)
async def get_messages_views(request, ctx: RequestContext):
    """The view counts of channel messages (messageViews without a count for other
    peers' messages and for ids that are no message), each viewer counted once."""
    storage = ctx.services.storage
    ids = list(request.id or ())[:VIEWS_MAX]
    peer = await resolve_input_peer(storage, ctx.user_id, request.peer)
    if peer.kind is not PeerKind.CHANNEL:
        return T.messages.MessageViews(views=[T.MessageViews() for _ in ids], chats=[], users=[])
    access = await readable_peer(storage, ctx.user_id, peer.id)
    counts = await storage.channel_views.view(peer.id, ctx.user_id, ids, increment=bool(request.increment))
    # Clients refresh a post's comment count from here (no update is pushed per comment).
    replies = await replies_of(storage, access.channel, await storage.channel_messages.get(peer.id, list(counts)))
    views = [T.MessageViews(views=counts[i], replies=replies.get(i)) if i in counts else T.MessageViews() for i in ids]
    return T.messages.MessageViews(views=views, chats=[channel_object(access.channel, access.me)], users=[])
