"""messages.getPeerDialogs and messages.getPeerSettings: one dialog, as a client opens it.

getPeerDialogs answers a dialog for every peer asked, an empty one (top_message 0)
where there is no history yet. getPeerSettings offers "add contact" / "block" for a
user who wrote to the viewer without being in their contacts, as Telegram's chat
header does; otherwise the settings are empty.
"""

from __future__ import annotations

from storage.models import DialogRecord
from storage.peer import PeerKind
from tl import functions as F, types as T

from ..channels.dialogs import dialog_record as channel_dialog_record
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.dialogs_view import peer_dialogs_object
from ..services.peers import resolve_input_peer
from ..services.users import UserView
from ..updates.state import state_object

PEERS_MAX = 100


@handler(F.messages.GetPeerDialogs, access=Access.USER)
async def get_peer_dialogs(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    records = []
    for dialog_peer in list(request.peers or ())[:PEERS_MAX]:
        if not isinstance(dialog_peer, T.InputDialogPeer):
            raise RpcError(400, E.PEER_ID_INVALID)
        peer = await resolve_input_peer(storage, user_id, dialog_peer.peer)
        if peer.kind is PeerKind.CHANNEL:
            records.append(await channel_dialog_record(storage, user_id, await storage.channels.get(peer.id)))
            continue
        records.append(await storage.messages.dialog(user_id, peer) or DialogRecord.empty(user_id, peer))
    state = state_object(await storage.updates.get(user_id))
    return await peer_dialogs_object(storage, user_id, records, state)


@handler(F.messages.GetPeerSettings, access=Access.USER)
async def get_peer_settings(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    settings = T.PeerSettings()
    if peer.is_user and peer.id != user_id and await storage.contacts.get(user_id, peer.id) is None:
        # A stranger who wrote first: offer to add or block them.
        incoming, _ = await storage.search.search(user_id, peer, from_id=peer.id, limit=1)
        if incoming and not await storage.blocked.is_blocked(user_id, peer.id):
            settings = T.PeerSettings(add_contact=True, block_contact=True, report_spam=True)
    users = await UserView(storage, user_id).users([peer.id] if peer.is_user else [])
    return T.messages.PeerSettings(settings=settings, chats=[], users=users)
