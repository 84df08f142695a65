"""messages.saveDraft / getAllDrafts: what a user was typing, kept per dialog.

A draft follows the user across devices: every change is pushed to their other
sessions as updateDraftMessage (a bus event, rendered from the stored draft by
rpc/updates/render.py). Sending a message to the peer clears the draft there.
"""

from __future__ import annotations

import time

from storage.models import DraftRecord
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.chat_access import require_member
from ..services.dialogs_view import draft_object, updates_naming

from ..updates.events import Draft
from ..updates.publish import tell_other_devices
from ..services.peers import peer_object, resolve_input_peer

DRAFT_MAX = 4096


@handler(F.messages.SaveDraft, access=Access.USER)
async def save_draft(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    text = request.message or ""
    if len(text) > DRAFT_MAX:
        raise RpcError(400, E.MESSAGE_TOO_LONG)
    reply_to = getattr(request.reply_to, "reply_to_msg_id", None)
    if not text and reply_to is None:
        # An empty draft is no draft (what clients send to clear one).
        changed = await storage.drafts.clear(user_id, peer)
    else:
        await require_member(storage, user_id, peer)  # a draft is a message about to be sent
        await storage.drafts.save(DraftRecord(
            owner_id=user_id, peer=peer, message=text, entities=[e.to_dict() for e in request.entities or ()],
            reply_to_msg_id=reply_to, no_webpage=bool(request.no_webpage), date=int(time.time())))
        changed = True
    if changed:
        await tell_other_devices(ctx, Draft(peer=peer))
    return True


@handler(F.messages.GetAllDrafts, access=Access.USER)
async def get_all_drafts(request, ctx: RequestContext):
    """Updates with one updateDraftMessage per draft (what clients expect here)."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    drafts = await storage.drafts.list(user_id)
    updates = [T.UpdateDraftMessage(peer=peer_object(d.peer), draft=draft_object(d)) for d in drafts]
    return await updates_naming(storage, user_id, updates, [d.peer for d in drafts])


