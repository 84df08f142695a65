"""updates.getChannelDifference: what a member missed of a channel, read from the
channel's own log (storage/channel_log.py) and rendered for the reader
(rpc/updates/channel_log_render.py), as Telegram answers it
(core.telegram.org/api/updates, "channel updates"):

- channelDifferenceEmpty (final) when the client is at the channel's pts;
- channelDifference with the new messages and other updates after the client's pts,
  at most `limit` log rows; `final` unset while more is left (the client asks again from
  the pts given);
- channelDifferenceTooLong when the log no longer reaches back to the client's pts
  (pruned: storage keeps config.update_log_days) or the client is more than
  TOO_LONG_AFTER updates behind: the dialog (with the channel's pts) and the latest
  messages instead, from which the client starts over.

Each answer says after how many seconds a client showing the channel asks again
(`timeout`). A pts of 0 or below is PERSISTENT_TIMESTAMP_EMPTY, one past the channel's
PERSISTENT_TIMESTAMP_INVALID; a channel the viewer may not read is CHANNEL_PRIVATE (and
clients then forget its state).
"""

from __future__ import annotations

from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.users import UserView
from ..updates.channel_log_render import render_channel_log
from .dialogs import channel_dialog_object
from .history import channel_messages_object
from .reader import first_visible_id, open_readable
from .view import channel_object

TIMEOUT = 30  # seconds
LIMIT_MAX = 1000  # log rows per answer (storage's cap too)
TOO_LONG_AFTER = 10_000  # updates behind: past this, the latest messages instead
TOO_LONG_MESSAGES = 20  # messages in channelDifferenceTooLong


def _limit(limit) -> int:
    return max(1, min(limit or 100, LIMIT_MAX))


def _keep_message(request, message_id: int) -> bool:
    """channelMessagesFilter: only new messages within its ranges (none with
    exclude_new_messages)."""
    tl_filter = request.filter
    if not isinstance(tl_filter, T.ChannelMessagesFilter):
        return True
    if tl_filter.exclude_new_messages:
        return False
    return any(r.min_id <= message_id <= r.max_id for r in tl_filter.ranges or ())


async def _too_long(ctx, access):
    storage = ctx.services.storage
    channel = access.channel
    records, _ = await storage.channel_messages.history(channel.id, limit=TOO_LONG_MESSAGES,
                                                        min_id=first_visible_id(access))
    page = await channel_messages_object(ctx, access, records, len(records))
    dialog = await channel_dialog_object(storage, ctx.user_id, access)
    return T.updates.ChannelDifferenceTooLong(final=True, timeout=TIMEOUT, dialog=dialog, messages=page.messages,
                                              chats=page.chats, users=page.users)


@handler(F.updates.GetChannelDifference, access=Access.USER)
async def get_channel_difference(request, ctx: RequestContext):
    storage = ctx.services.storage
    access = await open_readable(storage, ctx.user_id, request.channel)
    channel = access.channel
    if request.pts <= 0:
        raise RpcError(400, E.PERSISTENT_TIMESTAMP_EMPTY)
    if request.pts > channel.pts:
        raise RpcError(400, E.PERSISTENT_TIMESTAMP_INVALID)
    difference = await storage.channel_log.difference(channel.id, request.pts, _limit(request.limit))
    if difference is None:
        raise RpcError(400, E.CHANNEL_INVALID)
    if difference.too_long or difference.pts - request.pts > TOO_LONG_AFTER:
        return await _too_long(ctx, access)
    if not difference.updates:
        return T.updates.ChannelDifferenceEmpty(final=True, pts=difference.pts, timeout=TIMEOUT)
    current = await storage.channels.get(channel.id)  # the log may be newer than the row read above
    new_messages, others, user_ids = await render_channel_log(storage, ctx.user_id, current, difference.updates)
    floor = first_visible_id(access)
    new_messages = [m for m in new_messages if m.id > floor and _keep_message(request, m.id)]
    # The rows read may reach past the pts read just before them (a post in between).
    last = difference.updates[-1].pts
    return T.updates.ChannelDifference(
        final=last >= difference.pts, pts=last, timeout=TIMEOUT, new_messages=new_messages,
        other_updates=others, chats=[channel_object(current, access.me)],
        users=await UserView(storage, ctx.user_id).users(user_ids))
