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
from ..services.chats_named import chats_named
from ..services.messages_view import chat_peers_of, message, users_of
from ..services.peers import resolve_input_peer
from ..services.search_filters import filter_name, search_limit
from ..services.users import UserView


async def _slice(ctx: RequestContext, records, count: int, **extra):
    storage = ctx.services.storage
    users = await UserView(storage, ctx.user_id).users(users_of(records))
    chats = await chats_named(storage, ctx.user_id, chat_peers_of(records))
    return T.messages.MessagesSlice(count=count, messages=[message(r) for r in records], topics=[], chats=chats,
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
        return await channel_history.search(ctx, peer, request, sender_id=from_id, filter=filter_name(request.filter))
    records, count = await storage.search.search(
        user_id, peer, query=request.q or "", from_id=from_id, filter=filter_name(request.filter),
        min_date=request.min_date or 0, max_date=request.max_date or 0, offset_id=request.offset_id or 0,
        add_offset=request.add_offset or 0, limit=search_limit(request.limit), max_id=request.max_id or 0,
        min_id=request.min_id or 0)
    return await _slice(ctx, records, count)


@handler(F.messages.GetSearchCounters, access=Access.USER)
async def get_search_counters(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    counters = []
    for tl_filter in request.filters or ():
        if peer.kind is PeerKind.CHANNEL:
            count = await channel_history.count(ctx, peer, filter_name(tl_filter))
        else:
            _, count = await storage.search.search(user_id, peer, filter=filter_name(tl_filter), limit=0)
        counters.append(T.messages.SearchCounter(filter=tl_filter, count=count))
    return counters
