"""messages.toggleDialogPin / reorderPinnedDialogs / getPinnedDialogs (storage/pinned_dialogs.py).

At most PINNED_LIMIT dialogs are pinned (PINNED_DIALOGS_TOO_MUCH past it). A change is
pushed to the user's other devices (updateDialogPinned, updatePinnedDialogs); getDialogs
lists the pinned dialogs first (rpc/messages/messages.py).
"""

from __future__ import annotations

from storage.interface import TooManyPinned
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.dialogs_view import peer_dialogs_object

from ..updates.events import DialogPinned, PinnedDialogs
from ..updates.publish import tell_other_devices
from ..services.peers import resolve_input_peer
from ..updates.state import state_object

PINNED_LIMIT = 5


def _input_peer(dialog_peer):
    if not isinstance(dialog_peer, T.InputDialogPeer):
        raise RpcError(400, E.PEER_ID_INVALID)  # folders are not offered
    return dialog_peer.peer


@handler(F.messages.ToggleDialogPin, access=Access.USER)
async def toggle_dialog_pin(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, _input_peer(request.peer))
    try:
        changed = await storage.pinned_dialogs.pin(user_id, peer, bool(request.pinned), limit=PINNED_LIMIT)
    except TooManyPinned:
        raise RpcError(400, E.PINNED_DIALOGS_TOO_MUCH) from None
    if changed is None:
        raise RpcError(400, E.PEER_HISTORY_EMPTY)
    if changed:
        await tell_other_devices(ctx, DialogPinned(peer=peer, pinned=bool(request.pinned)))
    return True


@handler(F.messages.ReorderPinnedDialogs, access=Access.USER)
async def reorder_pinned_dialogs(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    if request.folder_id:
        raise RpcError(400, E.FOLDER_ID_INVALID)
    order = [await resolve_input_peer(storage, user_id, _input_peer(p)) for p in request.order or ()]
    try:
        await storage.pinned_dialogs.reorder(user_id, order, force=bool(request.force), limit=PINNED_LIMIT)
    except TooManyPinned:
        raise RpcError(400, E.PINNED_DIALOGS_TOO_MUCH) from None
    await tell_other_devices(ctx, PinnedDialogs())
    return True


@handler(F.messages.GetPinnedDialogs, access=Access.USER)
async def get_pinned_dialogs(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    records = [] if request.folder_id else await storage.pinned_dialogs.list(user_id)
    state = state_object(await storage.updates.get(user_id))
    return await peer_dialogs_object(storage, user_id, records, state)
