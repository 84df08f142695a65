"""messages.readDiscussion for forum topics: the reader's mark of one topic. (A topic's
messages are read through messages.getReplies, rpc/channels/comments.py, which serves
topics with rpc/channels/topic_threads.py.)

Comment threads keep no read mark: readDiscussion on one answers
METHOD_NOT_IMPLEMENTED. The reader's other sessions are not told of a topic read (no
updateReadChannelDiscussionInbox yet).
"""

from __future__ import annotations

from storage.peer import PeerKind
from tl import functions as F

from ..context import RequestContext
from ..errors import E, NOT_IMPLEMENTED, RpcError
from ..router import Access, handler
from ..services.peers import resolve_input_peer
from .reader import readable_peer
from .topic_threads import is_topic

@handler(F.messages.ReadDiscussion, access=Access.USER)
async def read_discussion(request, ctx: RequestContext):
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, ctx.user_id, request.peer)
    if peer.kind is not PeerKind.CHANNEL:
        raise RpcError(400, E.PEER_ID_INVALID)
    access = await readable_peer(storage, ctx.user_id, peer.id)
    if not await is_topic(storage, access, request.msg_id):
        raise RpcError(400, NOT_IMPLEMENTED)  # comment threads keep no read mark here
    if not access.member:
        raise RpcError(400, E.CHANNEL_PRIVATE)
    await storage.forum_topics.read(peer.id, request.msg_id, ctx.user_id, request.read_max_id or 0)
    return True
