"""channels.createChannel: a new supergroup (megagroup, or a forum, which is one) or
broadcast channel, with its creator as the only member holding every admin right of
its kind, opened by messageActionChannelCreate (message 1).

The answer is what Telegram answers: Updates with updateChannel and the opening message
(updateNewChannelMessage), the channel in chats. The creator's other devices learn of it
as every member learns of a channel they are in (rpc/channels/standing.py).
"""

from __future__ import annotations

import time

from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.users import UserView
from .messages_view import channel_message
from .rights import creator_flags
from .standing import channel_changed_for
from .topics_rules import open_general
from .view import channel_object

TITLE_MAX = 128  # longer titles are cut, as basic groups' (rpc/chats/groups.py)
ABOUT_MAX = 255  # Telegram's chat_about_length_limit


def title_of(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise RpcError(400, E.CHAT_TITLE_EMPTY)
    return title[:TITLE_MAX]


def about_of(about: str | None) -> str:
    about = (about or "").strip()
    if len(about) > ABOUT_MAX:
        raise RpcError(400, E.CHAT_ABOUT_TOO_LONG)
    return about


@handler(F.channels.CreateChannel, access=Access.USER)
async def create_channel(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    title, about = title_of(request.title), about_of(request.about)
    # A forum is a supergroup; without either flag Telegram makes a broadcast channel.
    megagroup = bool(request.megagroup or request.forum)
    created = await storage.channels.create(
        user_id, title, date=int(time.time()), about=about, broadcast=not megagroup, megagroup=megagroup,
        forum=bool(request.forum), creator_rights=creator_flags(broadcast=not megagroup))
    channel, me, sent = created.channel, created.creator, created.sent
    if channel.forum:
        await open_general(storage, channel)
    await channel_changed_for(ctx, channel.id, [user_id])
    updates = [T.UpdateChannel(channel_id=channel.id),
               T.UpdateNewChannelMessage(message=channel_message(sent.message, channel, user_id), pts=sent.pts,
                                         pts_count=1)]
    return T.Updates(updates=updates, users=await UserView(storage, user_id).users([user_id]),
                     chats=[channel_object(channel, me)], date=int(time.time()), seq=0)
