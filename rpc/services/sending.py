"""Sending a new message to a private chat or a basic group, as sendMessage, sendMedia,
sendMultiMedia and forwardMessages all do: who may send, the storage call for the peer,
the live pushes, and the Updates answer that names what was sent."""

from __future__ import annotations

import time

from storage.interface import ChatNotFound, NotMember, RecipientBlocked, RecipientDeleted, RecipientInvalid
from storage.models import MessageRecord, SentMessage
from storage.peer import Peer, PeerKind
from tl import types as T

from ..errors import E, RpcError
from .chats_named import chats_named
from ..updates.publish import publish_rows
from .messages_view import chat_peers_of, message, users_of
from .peers import resolve_input_peer
from .users import UserView


async def resolve_send_peer(storage, user_id: int, input_peer, refusal: str | None) -> tuple[Peer, object | None]:
    """The peer a send names, and the input peer the send itself is to check
    (store_message's `unchecked`), None when checked here. A user named by id and hash,
    or a basic group, is checked inside the send's own transaction, so the check costs
    no statement of its own (bench/README.md); anything else is resolved here
    (resolve_input_peer), and so is every peer of a send refused anyway (`refusal`, an
    error name): a bad peer is still the error such a request gets, as before."""
    if refusal is None and isinstance(input_peer, (T.InputPeerUser, T.InputUser)):
        return Peer.user(input_peer.user_id), input_peer
    if refusal is None and isinstance(input_peer, T.InputPeerChat):
        return Peer.chat(input_peer.chat_id), input_peer
    peer = await resolve_input_peer(storage, user_id, input_peer)
    if refusal is not None:
        raise RpcError(400, refusal)
    return peer, None


async def check_can_send(storage, user_id: int, peer: Peer) -> None:
    """INPUT_USER_DEACTIVATED when the private peer is a deleted account, YOU_BLOCKED_USER
    when the sender blocked them (groups: storage checks membership)."""
    if not peer.is_user or peer.id == user_id:
        return
    blocked, deleted = await storage.blocked.send_obstacles(user_id, peer.id)  # one read per send
    if deleted:
        raise RpcError(400, E.INPUT_USER_DEACTIVATED)
    if blocked:
        raise RpcError(400, E.YOU_BLOCKED_USER)


async def check_not_deleted(storage, user_id: int) -> None:
    """A deleted account gets no new messages and joins no group (its box is gone)."""
    record = await storage.users.get(user_id)
    if record is not None and record.deleted:
        raise RpcError(400, E.INPUT_USER_DEACTIVATED)


async def store_message(ctx, peer: Peer, unchecked=None, **fields) -> SentMessage:
    """One new message from ctx's user to `peer` (send_private's / chats.send_message's
    fields), every box it reached told live; a retried random_id returns the first send.
    unchecked: the input peer, when the peer was not resolved yet (resolve_send_peer):
    a user's is checked by storage (recipient_access_hash); a basic group's membership
    is anyway, and only a refused send resolves the peer, for the error it got before."""
    storage = ctx.services.storage
    try:
        match peer.kind:
            case PeerKind.USER:
                sent = await storage.messages.send_private(
                    ctx.user_id, peer.id, **fields,
                    recipient_access_hash=None if unchecked is None else unchecked.access_hash)
            case PeerKind.CHAT:
                sent = await storage.chats.send_message(peer.id, ctx.user_id, **fields)
            case PeerKind.CHANNEL:
                raise RpcError(400, E.CHANNEL_INVALID)  # channels' are rpc/channels/post.py's
    except NotMember:
        if unchecked is not None:  # PEER_ID_INVALID unless they may see the group (a former member)
            await resolve_input_peer(storage, ctx.user_id, unchecked)
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN) from None
    except ChatNotFound:
        if unchecked is not None:
            await resolve_input_peer(storage, ctx.user_id, unchecked)
        raise RpcError(400, E.CHAT_ID_INVALID) from None
    except RecipientInvalid:
        raise RpcError(400, E.PEER_ID_INVALID) from None
    except RecipientDeleted:
        raise RpcError(400, E.INPUT_USER_DEACTIVATED) from None
    except RecipientBlocked:
        raise RpcError(400, E.YOU_BLOCKED_USER) from None
    await publish_sent(ctx, sent)
    return sent


async def publish_sent(ctx, sent: SentMessage) -> None:
    if not sent.duplicate:
        # Each copy is one new_message row: pts_count 1, with the copy (a private chat's
        # two, a group's each member's), so the pushes read nothing back.
        copies = {copy.owner_id: copy for copy in (sent.sender_copy, sent.recipient_copy, *sent.copies)
                  if copy is not None}
        await publish_rows(ctx, [(u, pts, 1, copies.get(u)) for u, pts in
                                 [(ctx.user_id, sent.sender_pts), *sent.deliveries]])


async def sent_updates(ctx, copies: list[tuple[MessageRecord, int]]):
    """The sender's answer: per message, updateMessageID (its random_id → id) and
    updateNewMessage, with the users and chats they name."""
    storage = ctx.services.storage
    updates = []
    for record, pts in copies:
        if record.random_id:
            updates.append(T.UpdateMessageID(id=record.id, random_id=record.random_id))
        updates.append(T.UpdateNewMessage(message=message(record), pts=pts, pts_count=1))
    records = [record for record, _ in copies]
    return T.Updates(updates=updates, users=await UserView(storage, ctx.user_id).users(users_of(records)),
                     chats=await chats_named(storage, ctx.user_id, chat_peers_of(records)),
                     date=int(time.time()), seq=0)
