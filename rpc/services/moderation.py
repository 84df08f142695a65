"""What operators and moderators do to accounts and messages, for the admin API
(server/admin_api.py): ban, log out everywhere, delete a message for everyone.

A ban is what `mtserver admin users ban` does: the account is marked banned (it can no
longer log in) and every one of its devices is logged out, so each gets
AUTH_KEY_UNREGISTERED on its next request (the dispatcher reads who is logged in per
request). Nothing here checks who asks: the caller has authenticated the operator.
"""

from __future__ import annotations

import time

from storage.peer import PeerKind

from ..updates.events import LogRow
from ..updates.publish import publish


async def log_out_everywhere(storage, user_id: int) -> int:
    """Every device of the user logged out (with the logins they carried to other DCs)
    and the login tokens they exported dropped; returns how many devices."""
    devices = await storage.authorizations.list_for_user(user_id)
    for auth in devices:
        await storage.authorizations.delete(auth.auth_key_id)
    await storage.exported_authorizations.delete_for_user(user_id)
    return len(devices)


async def set_banned(storage, user_id: int, banned: bool) -> int:
    """Bans (and logs out everywhere) or unbans; returns how many devices were logged out."""
    await storage.users.set_banned(user_id, banned)
    return await log_out_everywhere(storage, user_id) if banned else 0


async def delete_for_everyone(services, owner_id: int, message_ids: list[int]) -> int:
    """Deletes these messages of ``owner_id``'s box from every box that has a copy (a
    private chat's two, every member's in a basic group), as the group's moderator would;
    each box's live sessions get updateDeleteMessages. Returns how many copies went."""
    storage = services.storage
    found = await storage.messages.get(owner_id, message_ids)
    if not found:
        return 0
    groups = sorted({m.peer.id for m in found if m.peer.kind is PeerKind.CHAT})
    changed = await storage.messages.delete(owner_id, [m.id for m in found], revoke=True, now=int(time.time()),
                                            moderated_chats=groups)
    for box, (pts, _count, _ids) in changed.items():
        await publish(services, LogRow(pts=pts), [box])
    return sum(count for _pts, count, _ids in changed.values())
