"""Live events that are not message-box changes (no pts, nothing in the update log):
typing, drafts, dialog pins, notification settings and unread marks. rpc/services/live.py
renders them through RENDERERS.

Events carry meaning; what can be read again (the draft, the pinned order) is read
from storage when rendered, so a late event never shows a stale state:
- {"kind": "typing", "user_id": 5, "action": {TL dict}} → updateUserTyping (to the peer);
  with "chat_id": 7 → updateChatUserTyping (to the group's other members)
- {"kind": "draft", "peer_id": 5} → updateDraftMessage (to the owner's other devices)
- {"kind": "dialog_pinned", "peer_id": 5, "pinned": true} → updateDialogPinned
- {"kind": "pinned_dialogs"} → updatePinnedDialogs with the whole order
- {"kind": "notify_settings", "scope": "peer", "peer_id": 5} → updateNotifySettings with the
  scope's settings as stored now (scope "users" / "chats" / "broadcasts": peer_id 0)
- {"kind": "dialog_unread_mark", "peer_id": 5} → updateDialogUnreadMark, marked or not as
  the dialog is now
- {"kind": "user_changed", "user_id": 5} → updateUser, with the user as the viewer sees
  them now (name, username, photo)
A "peer_id" is storage's key of the peer (Peer.key); renderers read it with Peer.from_key.
"""

from __future__ import annotations

import time

import tl
from storage.peer import Peer
from tl import types as T

from .dialogs_view import draft_object, updates_naming
from .notify_view import notify_peer_object, settings_object
from .peers import peer_object


async def _typing(storage, viewer_id: int, event: dict):
    try:
        action = tl.from_dict(event["action"])
    except Exception:  # a malformed event is dropped, never a broken connection
        return None
    if "chat_id" in event:
        update = T.UpdateChatUserTyping(chat_id=int(event["chat_id"]), from_id=T.PeerUser(user_id=int(event["user_id"])),
                                        action=action)
    else:
        update = T.UpdateUserTyping(user_id=int(event["user_id"]), action=action)
    return T.UpdateShort(update=update, date=int(time.time()))


async def _draft(storage, viewer_id: int, event: dict):
    peer = Peer.from_key(int(event["peer_id"]))
    draft = draft_object(await storage.drafts.get(viewer_id, peer), date=int(time.time()))
    return await updates_naming(storage, viewer_id, [T.UpdateDraftMessage(peer=peer_object(peer), draft=draft)], [peer])


async def _dialog_pinned(storage, viewer_id: int, event: dict):
    peer = Peer.from_key(int(event["peer_id"]))
    update = T.UpdateDialogPinned(pinned=bool(event["pinned"]), peer=T.DialogPeer(peer=peer_object(peer)))
    return await updates_naming(storage, viewer_id, [update], [peer])


async def _pinned_dialogs(storage, viewer_id: int, event: dict):
    peers = [d.peer for d in await storage.pinned_dialogs.list(viewer_id)]
    update = T.UpdatePinnedDialogs(order=[T.DialogPeer(peer=peer_object(p)) for p in peers])
    return await updates_naming(storage, viewer_id, [update], peers)


async def _user_changed(storage, viewer_id: int, event: dict):
    user_id = int(event["user_id"])
    return await updates_naming(storage, viewer_id, [T.UpdateUser(user_id=user_id)], [Peer.user(user_id)])


async def _notify_settings(storage, viewer_id: int, event: dict):
    scope = str(event["scope"])
    if scope not in ("peer", "users", "chats", "broadcasts"):
        return None
    peer = Peer.from_key(int(event["peer_id"])) if scope == "peer" else None
    settings = settings_object(await storage.notify_settings.get(viewer_id, scope, peer))
    update = T.UpdateNotifySettings(peer=notify_peer_object(scope, peer), notify_settings=settings)
    return await updates_naming(storage, viewer_id, [update], [peer] if scope == "peer" else [])


async def _dialog_unread_mark(storage, viewer_id: int, event: dict):
    peer = Peer.from_key(int(event["peer_id"]))
    dialog = await storage.messages.dialog(viewer_id, peer)
    update = T.UpdateDialogUnreadMark(unread=bool(dialog and dialog.unread_mark),
                                      peer=T.DialogPeer(peer=peer_object(peer)))
    return await updates_naming(storage, viewer_id, [update], [peer])


RENDERERS = {
    "user_changed": _user_changed,
    "typing": _typing,
    "draft": _draft,
    "dialog_pinned": _dialog_pinned,
    "pinned_dialogs": _pinned_dialogs,
    "notify_settings": _notify_settings,
    "dialog_unread_mark": _dialog_unread_mark,
}
