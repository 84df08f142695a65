"""contacts.*: importing by phone, the contact list, search, usernames, blocking."""

from __future__ import annotations

import time

from storage.models import ContactRecord
from storage.peer import PeerKind
from tl import functions as F, types as T

from ..channels.view import channel_object
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.list_hash import list_hash
from ..services.usernames import valid_username
from ..services.peers import resolve_input_peer_user, resolve_user
from ..services.phones import normalize_phone
from ..services.privacy import rules_or_default
from ..services.users import UserView

MAX_IMPORT = 1000


def contacts_hash(ids: list[int]) -> int:
    """The hash clients send back to skip an unchanged list (api/offsets#hash-generation)."""
    return list_hash(sorted(ids))


def _updates(users: list):
    return T.Updates(updates=[], users=users, chats=[], date=int(time.time()), seq=0)


@handler(F.contacts.ImportContacts, access=Access.USER)
async def import_contacts(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    view = UserView(storage, user_id)
    imported, found = [], []
    now = int(time.time())
    for contact in request.contacts[:MAX_IMPORT]:
        if not isinstance(contact, T.InputPhoneContact):
            continue
        try:
            phone = normalize_phone(contact.phone)
        except RpcError:
            continue
        record = await storage.users.by_phone(phone)
        if record is None or record.deleted or record.id == user_id:
            continue
        # "Who can find me by my number" (privacy key added_by_phone).
        if not await view.can_see(record.id, "added_by_phone"):
            continue
        await storage.contacts.upsert(ContactRecord(owner_id=user_id, user_id=record.id, first_name=contact.first_name,
                                                    last_name=contact.last_name, added_at=now))
        imported.append(T.ImportedContact(user_id=record.id, client_id=contact.client_id))
        found.append(record.id)
    view = UserView(storage, user_id)  # contact flags changed
    return T.contacts.ImportedContacts(imported=imported, popular_invites=[], retry_contacts=[],
                                       users=await view.users(found))


@handler(F.contacts.GetContacts, access=Access.USER)
async def get_contacts(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    contacts = await storage.contacts.list(user_id)
    ids = [c.user_id for c in contacts]
    if request.hash and request.hash == contacts_hash(ids):
        return T.contacts.ContactsNotModified()
    view = UserView(storage, user_id)
    out = [T.Contact(user_id=c.user_id, mutual=await view.is_contact_of(c.user_id)) for c in contacts]
    return T.contacts.Contacts(contacts=out, saved_count=len(out), users=await view.users(ids))


@handler(F.contacts.DeleteContacts, access=Access.USER)
async def delete_contacts(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    ids = [await resolve_user(storage, user_id, u) for u in request.id]
    await storage.contacts.delete(user_id, ids)
    return _updates(await UserView(storage, user_id).users(ids))


@handler(F.contacts.AddContact, access=Access.USER)
async def add_contact(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await resolve_user(storage, user_id, request.id, E.CONTACT_ID_INVALID)
    if target == user_id:
        raise RpcError(400, E.CONTACT_ID_INVALID)
    first = (request.first_name or "").strip()
    if not first:
        raise RpcError(400, E.FIRSTNAME_INVALID)
    await storage.contacts.upsert(ContactRecord(owner_id=user_id, user_id=target, first_name=first,
                                                last_name=(request.last_name or "").strip(), added_at=int(time.time())))
    if request.add_phone_privacy_exception:
        rules = await storage.privacy.get(user_id, "phone_number")
        rules = [dict(r) for r in rules_or_default("phone_number", rules)]
        allow = next((r for r in rules if r["_"] == "privacyValueAllowUsers"), None)
        if allow is None:
            rules.insert(0, {"_": "privacyValueAllowUsers", "users": [target]})
        elif target not in allow["users"]:
            allow["users"] = [*allow["users"], target]
        await storage.privacy.set(user_id, "phone_number", rules)
    return _updates(await UserView(storage, user_id).users([target]))


@handler(F.contacts.Search, access=Access.USER)
async def search(request, ctx: RequestContext):
    """Users by name or username, and public channels by title or username; what the
    user has already (contacts, channels they are in) under my_results."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    query = (request.q or "").strip().lstrip("@")
    if len(query) < 1:
        raise RpcError(400, E.QUERY_TOO_SHORT)
    limit = max(1, min(request.limit or 50, 100))
    found = [u for u in await storage.users.search(query, limit) if u.id != user_id]
    view = UserView(storage, user_id)
    mine = await view.my_contacts()
    my_results = [T.PeerUser(user_id=u.id) for u in found if u.id in mine]
    results = [T.PeerUser(user_id=u.id) for u in found if u.id not in mine]
    channels = await storage.channels.search(query, limit)
    standings = await storage.channel_participants.standings(user_id, [c.id for c in channels])
    for c in channels:
        joined = c.id in standings and standings[c.id].is_member
        (my_results if joined else results).append(T.PeerChannel(channel_id=c.id))
    return T.contacts.Found(my_results=my_results, results=results,
                            chats=[channel_object(c, standings.get(c.id)) for c in channels],
                            users=await view.users([u.id for u in found]))


@handler(F.contacts.ResolveUsername, access=Access.USER)
async def resolve_username(request, ctx: RequestContext):
    """A user or a public channel: one name space (storage/usernames.py)."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    username = (request.username or "").lstrip("@")
    if not valid_username(username):
        raise RpcError(400, E.USERNAME_INVALID)
    owner = await storage.usernames.resolve(username)
    if owner is not None and owner.kind is PeerKind.CHANNEL:
        channel = await storage.channels.get(owner.id)
        if channel is None or channel.deactivated:
            raise RpcError(400, E.USERNAME_NOT_OCCUPIED)
        me = await storage.channel_participants.get(channel.id, user_id)
        return T.contacts.ResolvedPeer(peer=T.PeerChannel(channel_id=channel.id), chats=[channel_object(channel, me)],
                                       users=[])
    record = await storage.users.by_username(username)
    if record is None or record.deleted:
        raise RpcError(400, E.USERNAME_NOT_OCCUPIED)
    return T.contacts.ResolvedPeer(peer=T.PeerUser(user_id=record.id), chats=[],
                                   users=[await UserView(storage, user_id).user(record.id, record)])


@handler(F.contacts.Block, access=Access.USER)
async def block(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await resolve_input_peer_user(storage, user_id, request.id)
    if target == user_id:
        raise RpcError(400, E.CONTACT_ID_INVALID)
    await storage.blocked.block(user_id, target, int(time.time()))
    return True


@handler(F.contacts.Unblock, access=Access.USER)
async def unblock(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await resolve_input_peer_user(storage, user_id, request.id)
    await storage.blocked.unblock(user_id, target)
    return True


@handler(F.contacts.GetBlocked, access=Access.USER)
async def get_blocked(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    limit = max(1, min(request.limit or 100, 100))
    rows, total = await storage.blocked.list(user_id, max(0, request.offset), limit)
    blocked = [T.PeerBlocked(peer_id=T.PeerUser(user_id=u), date=d) for u, d in rows]
    users = await UserView(storage, user_id).users([u for u, _ in rows])
    if total > len(rows) + max(0, request.offset) or request.offset:
        return T.contacts.BlockedSlice(count=total, blocked=blocked, chats=[], users=users)
    return T.contacts.Blocked(blocked=blocked, chats=[], users=users)


@handler(F.contacts.GetStatuses, access=Access.USER)
async def get_statuses(request, ctx: RequestContext):
    """Each contact's online status, as their privacy rules let this user see it."""
    user_id = ctx.user_id
    view = UserView(ctx.services.storage, user_id)
    contacts = list(await view.my_contacts())
    return [T.ContactStatus(user_id=u.id, status=u.status) for u in await view.users(contacts)
            if u.status is not None]
