"""messages.markDialogUnread / getDialogUnreadMarks: a dialog the user marked as unread
by hand (storage/unread_marks.py). Reading the dialog clears the mark (rpc/messages/messages.py).

The mark follows the user across devices: each change is pushed to their other sessions
as updateDialogUnreadMark (rendered from storage by rpc/updates/render.py).
"""

from __future__ import annotations

from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError

from ..updates.events import DialogUnreadMark
from ..updates.publish import tell_other_devices
from ..services.peers import peer_object, resolve_input_peer


@handler(F.messages.MarkDialogUnread, access=Access.USER)
async def mark_dialog_unread(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    if request.parent_peer is not None or not isinstance(request.peer, T.InputDialogPeer):
        raise RpcError(400, E.PEER_ID_INVALID)  # no monoforums or folders here
    peer = await resolve_input_peer(storage, user_id, request.peer.peer)
    changed = await storage.unread_marks.mark(user_id, peer, bool(request.unread))
    if changed is None:
        raise RpcError(400, E.PEER_HISTORY_EMPTY)  # no dialog to mark
    if changed:
        await tell_other_devices(ctx, DialogUnreadMark(peer=peer))
    return True


@handler(F.messages.GetDialogUnreadMarks, access=Access.USER)
async def get_dialog_unread_marks(request, ctx: RequestContext):
    user_id = ctx.user_id
    if request.parent_peer is not None:
        raise RpcError(400, E.PEER_ID_INVALID)
    return [T.DialogPeer(peer=peer_object(p)) for p in await ctx.services.storage.unread_marks.list(user_id)]


