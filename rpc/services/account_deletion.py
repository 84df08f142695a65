"""Deleting an account with its data, as Telegram's account deletion does: for the admin
API (server/admin_api.py), `mtserver admin users delete` and account.deleteAccount.

What goes, domain by domain (each a storage operation; the ones that must not be seen
half done are one transaction each):

- the user row becomes a deleted account (storage/users.py ``mark_deleted``): names,
  about, username and phone cleared, `deleted` set; the id stays, so other people's
  history still names the sender, shown as "Deleted Account" (userDeleted-style:
  rpc/services/users.py renders only id, access hash and `deleted`). The phone number
  may sign up again, as a new account;
- every device logged out, as a ban does (rpc/services/moderation.py): each gets
  AUTH_KEY_UNREGISTERED on its next request and its update stream stops at the next
  push; exported logins and accepted QR login tokens go too;
- basic groups: the user leaves each, as messages.deleteChatUser on themselves does
  (the service message in every member's box, pushed live); links they made are revoked;
- contacts both ways, their block list, privacy rules, drafts, notification settings,
  the 2FA password (and its recovery email), the login email, pending email and login
  codes;
- profile photos, and the files and objects of those nothing else shows; unfinished
  uploads and their objects;
- their own message box: messages, dialogs, update log. Copies of what they sent stay
  in the other boxes.

Not touched: channels and supergroups (storage/channels.py): the account stays a
participant there, shown as deleted, and its posts stay. Reports they filed or that
name them stay for moderators; invite codes they used stay used.

Each step can run again: deleting an account that is already deleted finishes what an
interrupted deletion left (the storage calls find nothing left to do).
"""

from __future__ import annotations

import time

import msgspec
import structlog

from storage.interface import ChatNotFound, NotParticipant
from storage.peer import Peer

from ..updates.events import LogRow, UserChanged
from ..updates.publish import publish
from .moderation import log_out_everywhere

log = structlog.get_logger("mtserver.account_deletion")


class DeletedAccount(msgspec.Struct, kw_only=True):
    """What one deletion removed (counts), for the operator's answer and the log."""

    user_id: int
    devices_logged_out: int = 0
    groups_left: int = 0
    contacts_removed_from: int = 0
    profile_photos_objects: int = 0
    upload_objects: int = 0
    messages_deleted: int = 0


async def delete_account(services, user_id: int) -> DeletedAccount | None:
    """Deletes the account and its data (see the module docstring); None if there is
    no such user. `services` needs storage, objects and (for live updates) bus."""
    storage = services.storage
    before = await storage.users.mark_deleted(user_id)
    if before is None:
        return None
    done = DeletedAccount(user_id=user_id)
    # First out of every device, so nothing the account does races what follows.
    done.devices_logged_out = await log_out_everywhere(storage, user_id)
    await storage.login_tokens.delete_accepted_by(user_id)

    done.groups_left = await _leave_groups(services, user_id)
    await storage.chats.revoke_invites_of(user_id)

    contact_owners = await storage.contacts.delete_everywhere(user_id)
    done.contacts_removed_from = len(contact_owners)
    await storage.blocked.delete_all(user_id)
    await storage.privacy.delete_all(user_id)
    await storage.drafts.delete_all(user_id)
    await storage.notify_settings.reset(user_id)
    await storage.passwords.delete(user_id)
    await storage.login_emails.delete(user_id)
    await storage.email_codes.delete_for_account(user_id, before.phone)
    if before.phone:
        await storage.codes.delete_for_phone(before.phone)

    photo_keys = await storage.media.delete_all_profile_photos(Peer.user(user_id))
    upload_keys = await storage.media.drop_uploads_of(user_id)
    done.profile_photos_objects, done.upload_objects = len(photo_keys), len(upload_keys)
    await _delete_objects(services, user_id, photo_keys + upload_keys)

    done.messages_deleted, partners = await storage.messages.delete_box(user_id)

    # Whoever shows the account (contacts, private chats) re-renders it as deleted now.
    await publish(services, UserChanged(user_id=user_id), sorted({*contact_owners, *partners} - {user_id}))
    log.info("account_deleted", **msgspec.structs.asdict(done))
    return done


async def _leave_groups(services, user_id: int) -> int:
    storage = services.storage
    left = 0
    for chat_id in await storage.chats.chat_ids(user_id):
        try:
            change = await storage.chats.remove_user(chat_id, user_id, user_id, date=int(time.time()))
        except (NotParticipant, ChatNotFound):
            continue  # left meanwhile, or the group became a supergroup
        left += 1
        for owner, pts in change.deliveries:
            if owner != user_id and pts is not None:
                await publish(services, LogRow(pts=pts), [owner])
    return left


async def _delete_objects(services, user_id: int, keys: list[str]) -> None:
    """After the rows are gone: an object left behind is unreachable, never wrong, so
    a failing store is logged and the deletion goes on."""
    if not keys:
        return
    try:
        await services.objects.delete(keys)
    except Exception as exc:
        log.warning("account_objects_not_deleted", user_id=user_id, objects=len(keys), error=repr(exc))
