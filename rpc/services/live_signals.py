"""Live events that are not message-box changes (no pts, nothing in the update log):
typing, drafts and dialog pins. rpc/services/live.py renders them through RENDERERS.

Events carry meaning; what can be read again (the draft, the pinned order) is read
from storage when rendered, so a late event never shows a stale state:
- {"kind": "typing", "user_id": 5, "action": {TL dict}} → updateUserTyping (to the peer)
- {"kind": "draft", "peer_id": 5} → updateDraftMessage (to the owner's other devices)
- {"kind": "dialog_pinned", "peer_id": 5, "pinned": true} → updateDialogPinned
- {"kind": "pinned_dialogs"} → updatePinnedDialogs with the whole order
"""

from __future__ import annotations

import time

import tl
from tl import types as T

from .dialogs_view import draft_object
from .peers import peer_object
from .users import UserView


def _updates(updates: list, users: list):
    return T.Updates(updates=updates, users=users, chats=[], date=int(time.time()), seq=0)


async def _typing(storage, viewer_id: int, event: dict):
    try:
        action = tl.from_dict(event["action"])
    except Exception:  # a malformed event is dropped, never a broken connection
        return None
    return T.UpdateShort(update=T.UpdateUserTyping(user_id=int(event["user_id"]), action=action),
                         date=int(time.time()))


async def _draft(storage, viewer_id: int, event: dict):
    peer = int(event["peer_id"])
    draft = draft_object(await storage.drafts.get(viewer_id, peer), date=int(time.time()))
    users = await UserView(storage, viewer_id).users([peer])
    return _updates([T.UpdateDraftMessage(peer=peer_object(peer), draft=draft)], users)


async def _dialog_pinned(storage, viewer_id: int, event: dict):
    peer = int(event["peer_id"])
    update = T.UpdateDialogPinned(pinned=bool(event["pinned"]), peer=T.DialogPeer(peer=peer_object(peer)))
    return _updates([update], await UserView(storage, viewer_id).users([peer]))


async def _pinned_dialogs(storage, viewer_id: int, event: dict):
    peers = [d.peer_id for d in await storage.pinned_dialogs.list(viewer_id)]
    update = T.UpdatePinnedDialogs(order=[T.DialogPeer(peer=peer_object(p)) for p in peers])
    return _updates([update], await UserView(storage, viewer_id).users(peers))


RENDERERS = {
    "typing": _typing,
    "draft": _draft,
    "dialog_pinned": _dialog_pinned,
    "pinned_dialogs": _pinned_dialogs,
}
