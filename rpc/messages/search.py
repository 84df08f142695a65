"""messages.search, messages.searchGlobal and messages.getSearchCounters (storage/search.py).

Text is a case-insensitive substring; filters are the inputMessagesFilter* predicates
(media kinds by what the stored media says, pinned messages, ...). Answers are
messages.messagesSlice with the count of all matches; searchGlobal adds next_rate (the
date to continue from) while more is left. Within one channel: rpc/channels/history.py.
"""

from __future__ import annotations

from storage.peer import PeerKind
from tl import functions as F, types as T

from ..channels import history as channel_history
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.messages_view import message, users_of
from ..services.peers import resolve_input_peer
from ..services.users import UserView

SEARCH_MAX = 100


def _filter_name(tl_filter) -> str:
    return tl_filter.QUALNAME if tl_filter is not None else "inputMessagesFilterEmpty"


def _limit(limit) -> int:
    return max(1, min(limit or SEARCH_MAX, SEARCH_MAX))


async def _slice(ctx: RequestContext, records, count: int, **extra):
    users = await UserView(ctx.services.storage, ctx.user_id).users(users_of(records))
    return T.messages.MessagesSlice(count=count, messages=[message(r) for r in records], topics=[], chats=[],
                                    users=users, **extra)


@handler(F.messages.Search, access=Access.USER)
async def search(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    # inputPeerEmpty: every dialog (what Telethon sends to search by sender everywhere).
    peer = None if isinstance(request.peer, T.InputPeerEmpty) else await resolve_input_peer(
        storage, user_id, request.peer)
    from_id = None
    if request.from_id is not None and not isinstance(request.from_id, T.InputPeerEmpty):
        try:
            sender = await resolve_input_peer(storage, user_id, request.from_id)
        except RpcError:
            raise RpcError(400, E.FROM_PEER_INVALID) from None
        if not sender.is_user:
            return await _slice(ctx, [], 0)  # only users write messages here
        from_id = sender.id
    if peer is not None and peer.kind is PeerKind.CHANNEL:
        return await channel_history.search(ctx, peer, request, sender_id=from_id, filter=_filter_name(request.filter))
    records, count = await storage.search.search(
        user_id, peer, query=request.q or "", from_id=from_id, filter=_filter_name(request.filter),
        min_date=request.min_date or 0, max_date=request.max_date or 0, offset_id=request.offset_id or 0,
        add_offset=request.add_offset or 0, limit=_limit(request.limit), max_id=request.max_id or 0,
        min_id=request.min_id or 0)
    return await _slice(ctx, records, count)


@handler(F.messages.SearchGlobal, access=Access.USER)
async def search_global(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    name = _filter_name(request.filter)
    if not (request.q or "").strip() and name == "inputMessagesFilterEmpty":
        raise RpcError(400, E.SEARCH_QUERY_EMPTY)
    if request.broadcasts_only or request.folder_id:
        return await _slice(ctx, [], 0)  # no channels, and no folders
    kind = "groups" if request.groups_only else "users" if request.users_only else "all"
    # Message ids grow with dates in a box, so offset_id alone continues the listing;
    # offset_rate (a date) is used when a client sends no id.
    common = dict(query=request.q or "", filter=name, min_date=request.min_date or 0,
                  max_date=request.max_date or 0, kind=kind)
    if not request.offset_id and request.offset_rate:
        common["max_date"] = min(common["max_date"] or request.offset_rate, request.offset_rate)
    records, count = await storage.search.search(user_id, None, offset_id=request.offset_id or 0,
                                                 limit=_limit(request.limit), **common)
    extra = {}
    if records:
        more, _ = await storage.search.search(user_id, None, offset_id=records[-1].id, limit=1, **common)
        if more:
            extra["next_rate"] = records[-1].date
    return await _slice(ctx, records, count, **extra)


@handler(F.messages.GetSearchCounters, access=Access.USER)
async def get_search_counters(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    counters = []
    for tl_filter in request.filters or ():
        if peer.kind is PeerKind.CHANNEL:
            count = await channel_history.count(ctx, peer, _filter_name(tl_filter))
        else:
            _, count = await storage.search.search(user_id, peer, filter=_filter_name(tl_filter), limit=0)
        counters.append(T.messages.SearchCounter(filter=tl_filter, count=count))
    return counters
