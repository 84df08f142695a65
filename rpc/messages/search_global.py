"""messages.searchGlobal: the user's private chats and basic groups (their message box)
and the supergroups and channels they are a member of, as one list, newest first.

The two halves live in different id spaces (a box's ids, each channel's own), so the
list is ordered by (date, peer, id) and a page continues after the last result a client
saw: offset_rate (its date), offset_peer and offset_id, the three fields Telegram's
clients send back. Each half is read with the date bound and a little more than a page,
then merged; the few results that share the offset's second are told apart by peer and
id. A client that sends only offset_id (a box id) with no channels in the picture is
served as before, from the box alone.
"""

from __future__ import annotations

from storage.peer import Peer, PeerKind
from tl import functions as F, types as T

from ..channels.messages_view import channel_message, peers_named, user_ids_named
from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.chats_named import chats_named
from ..services.messages_view import chat_peers_of, message, users_of
from ..services.peers import resolve_input_peer
from ..services.search_filters import filter_name, search_limit
from ..services.users import UserView

SLACK = 20  # read past a page on each half, for results in the offset's own second
_KIND_ORDER = {PeerKind.USER: 0, PeerKind.CHAT: 1, PeerKind.CHANNEL: 2}


def _order(date: int, peer: Peer, message_id: int) -> tuple:
    return date, _KIND_ORDER[peer.kind], peer.id, message_id


@handler(F.messages.SearchGlobal, access=Access.USER)
async def search_global(request, ctx: RequestContext):
    storage = ctx.services.storage
    name = filter_name(request.filter)
    if not (request.q or "").strip() and name == "inputMessagesFilterEmpty":
        raise RpcError(400, E.SEARCH_QUERY_EMPTY)
    limit = search_limit(request.limit)
    if request.folder_id:
        return await _answer(ctx, [], [], {}, 0)  # no folders
    channels = [] if request.users_only else await _searched_channels(ctx, request)
    if not channels and not request.broadcasts_only:
        return await _box_only(ctx, request, name, limit)
    after = await _offset(ctx, request)
    max_date = request.max_date or 0
    if after is not None:
        max_date = min(max_date or after[0], after[0])
    common = dict(query=request.q or "", filter=name, min_date=request.min_date or 0, max_date=max_date)
    box, box_count = [], 0
    if not request.broadcasts_only:
        kind = "groups" if request.groups_only else "all"
        box, box_count = await storage.search.search(ctx.user_id, None, limit=limit + SLACK, kind=kind, **common)
    floors = {c.id: floor for c, floor in channels}
    posts, post_count = await storage.channel_messages.search_across(floors, limit=limit + SLACK, **common)
    merged = sorted([(_order(r.date, r.peer, r.id), r, False) for r in box]
                    + [(_order(r.date, Peer.channel(r.channel_id), r.id), r, True) for r in posts],
                    key=lambda item: item[0], reverse=True)
    if after is not None:
        merged = [item for item in merged if item[0] < after]
    page, more = merged[:limit], len(merged) > limit
    extra = {"next_rate": page[-1][0][0]} if page and more else {}
    return await _answer(ctx, [r for _, r, in_channel in page if not in_channel],
                         [r for _, r, in_channel in page if in_channel],
                         {c.id: c for c, _ in channels}, box_count + post_count, order=[r for _, r, _ in page],
                         **extra)


async def _searched_channels(ctx: RequestContext, request) -> list:
    """(channel, the first id its reader may see) for each channel searched."""
    storage = ctx.services.storage
    ids = await storage.channel_participants.channel_ids(ctx.user_id)
    if not ids:
        return []
    rows = await storage.channel_participants.memberships(ctx.user_id, ids)
    found = []
    for channel in await storage.channels.get_many(list(rows)):
        if (request.broadcasts_only and not channel.broadcast) or (request.groups_only and channel.broadcast):
            continue
        found.append((channel, rows[channel.id].available_min_id or 0))
    return found


async def _offset(ctx: RequestContext, request) -> tuple | None:
    """The order key of the last result the client saw, or None for the first page."""
    if not request.offset_rate:
        return None
    peer = None
    if request.offset_peer is not None and not isinstance(request.offset_peer, T.InputPeerEmpty):
        try:
            peer = await resolve_input_peer(ctx.services.storage, ctx.user_id, request.offset_peer)
        except RpcError:
            pass  # a peer gone since: continue from the date alone
    if peer is None and request.offset_id:
        # No peer named (as older clients page): offset_id is then a box id, whose
        # message says its peer.
        found = await ctx.services.storage.messages.get(ctx.user_id, [request.offset_id])
        peer = found[0].peer if found else None
    if peer is None:
        return request.offset_rate + 1, 0, 0, 0  # no peer to tell that second apart: all of it
    return _order(request.offset_rate, peer, request.offset_id or 0)


async def _box_only(ctx: RequestContext, request, name: str, limit: int):
    """Nothing but the box to search: its ids follow its dates, so offset_id alone
    continues the listing (offset_rate, a date, when a client sends no id)."""
    storage = ctx.services.storage
    kind = "groups" if request.groups_only else "users" if request.users_only else "all"
    common = dict(query=request.q or "", filter=name, min_date=request.min_date or 0,
                  max_date=request.max_date or 0, kind=kind)
    if not request.offset_id and request.offset_rate:
        common["max_date"] = min(common["max_date"] or request.offset_rate, request.offset_rate)
    records, count = await storage.search.search(ctx.user_id, None, offset_id=request.offset_id or 0,
                                                 limit=limit, **common)
    extra = {}
    if records:
        more, _ = await storage.search.search(ctx.user_id, None, offset_id=records[-1].id, limit=1, **common)
        if more:
            extra["next_rate"] = records[-1].date
    return await _answer(ctx, records, [], {}, count, **extra)


async def _answer(ctx: RequestContext, box: list, posts: list, channels: dict, count: int, *,
                  order: list | None = None, **extra):
    storage = ctx.services.storage
    shown = {id(r): message(r) for r in box}
    shown.update({id(r): channel_message(r, channels[r.channel_id], ctx.user_id) for r in posts})
    ordered = order if order is not None else box
    named = chat_peers_of(box) + [Peer.channel(r.channel_id) for r in posts] + [
        p for p in peers_named(posts) if not p.is_user]
    users = await UserView(storage, ctx.user_id).users(list(dict.fromkeys(users_of(box) + user_ids_named(posts))))
    return T.messages.MessagesSlice(count=count, messages=[shown[id(r)] for r in ordered], topics=[],
                                    chats=await chats_named(storage, ctx.user_id, list(dict.fromkeys(named))),
                                    users=users, **extra)
