"""The storage operations an account deletion is made of (rpc/services/account_deletion.py),
each on both backends: the user row, the box, contacts, photos and the small per-account
tables; and that what belongs to other people stays."""

from __future__ import annotations

from storage.media import new_access_hash, new_id
from storage.models import (ContactRecord, DraftRecord, EmailCodeRecord, FileRecord, LoginTokenRecord,
                            PasswordRecord, PhoneCodeRecord, PhotoRecord)
from storage.peer import Peer

NOW = 1_700_000_000


async def test_a_deleted_account_keeps_its_id_and_frees_phone_and_username(storage):
    ann = await storage.users.create("15550001", "Ann", "Lee", now=NOW)
    await storage.users.set_username(ann.id, "Ann_L")
    await storage.users.update_profile(ann.id, about="hi")
    before = await storage.users.mark_deleted(ann.id)
    assert (before.phone, before.username, before.deleted) == ("15550001", "Ann_L", False)
    gone = await storage.users.get(ann.id)
    assert (gone.id, gone.access_hash, gone.deleted) == (ann.id, ann.access_hash, True)
    assert (gone.phone, gone.first_name, gone.last_name, gone.username, gone.about) == ("", "", "", None, "")
    assert await storage.users.by_phone("15550001") is None
    assert await storage.usernames.resolve("ann_l") is None and await storage.users.by_username("ann_l") is None
    # The number and the name are free: a new account takes them.
    again = await storage.users.create("15550001", "Ann", now=NOW)
    assert again.id != ann.id and (await storage.users.set_username(again.id, "ann_l")).username == "ann_l"
    # A second deleted account does not collide with the first in the unique phone column.
    await storage.users.mark_deleted(again.id)
    assert [u.deleted for u in await storage.users.get_many([ann.id, again.id])] == [True, True]
    assert await storage.users.mark_deleted(999) is None


async def test_the_box_is_emptied_and_the_copies_elsewhere_stay(storage):
    a = await storage.users.create("15550001", "A", now=NOW)
    b = await storage.users.create("15550002", "B", now=NOW)
    await storage.messages.send_private(a.id, b.id, date=NOW, message="to b")
    await storage.messages.send_private(b.id, a.id, date=NOW, message="to a")
    await storage.messages.send_private(a.id, a.id, date=NOW, message="saved")
    pts = (await storage.updates.get(a.id)).pts
    removed, partners = await storage.messages.delete_box(a.id)
    assert (removed, partners) == (3, [b.id])
    assert (await storage.messages.dialogs(a.id))[0] == [] and await storage.messages.update_log(a.id, 0) == []
    theirs, _ = await storage.messages.history(b.id, Peer.user(a.id))
    assert sorted((m.message, m.from_id) for m in theirs) == [("to a", b.id), ("to b", a.id)]
    # The counters stay: a late write continues them.
    late = await storage.messages.send_private(b.id, a.id, date=NOW, message="late")
    assert late.deliveries == [(a.id, pts + 1)] and late.recipient_copy.id == 4


async def test_contacts_go_both_ways_and_blocks_of_the_owner_only(storage):
    a, b, c = 1000001, 1000002, 1000003
    for owner, user in ((a, b), (b, a), (c, a), (b, c)):
        await storage.contacts.upsert(ContactRecord(owner_id=owner, user_id=user, added_at=NOW))
    await storage.blocked.block(a, c, NOW)
    await storage.blocked.block(c, a, NOW)
    assert await storage.contacts.delete_everywhere(a) == [b, c]
    assert await storage.contacts.list(a) == [] and [r.user_id for r in await storage.contacts.list(b)] == [c]
    assert await storage.contacts.list(c) == []
    assert await storage.blocked.delete_all(a) == 1
    assert not await storage.blocked.is_blocked(a, c) and await storage.blocked.is_blocked(c, a)


async def test_per_account_rows_go(storage):
    user, other = 1000001, 1000002
    await storage.privacy.set(user, "phone_number", [{"_": "privacyValueDisallowAll"}])
    await storage.privacy.set(other, "phone_number", [{"_": "privacyValueDisallowAll"}])
    assert await storage.privacy.delete_all(user) == 1
    assert await storage.privacy.get_all(user) == {} and await storage.privacy.get_all(other) != {}
    for owner in (user, other):
        await storage.drafts.save(DraftRecord(owner_id=owner, peer=Peer.user(3), message="x", date=NOW))
    assert await storage.drafts.delete_all(user) == 1 and await storage.drafts.list(other) != []
    for purpose in (f"recovery:{user}", f"password_email:{user}", f"login_change:{user}", "login_setup:15550001:h",
                    "login_setup_done:15550001:h", f"recovery:{other}", "login_setup:155500012:h"):
        await storage.email_codes.put(EmailCodeRecord(purpose=purpose, email="a@b.c", code="1", created_at=NOW,
                                                      expires_at=NOW + 60))
    assert await storage.email_codes.delete_for_account(user, "15550001") == 5
    assert await storage.email_codes.get(f"recovery:{other}") is not None
    assert await storage.email_codes.get("login_setup:155500012:h") is not None  # another number's
    for phone in ("15550001", "15550002"):
        await storage.codes.put(PhoneCodeRecord(phone=phone, phone_code_hash="h", code="1", created_at=NOW,
                                                expires_at=NOW + 60))
    assert await storage.codes.delete_for_phone("15550001") == 1
    assert await storage.codes.get("15550002", "h") is not None
    for token, accepted in (("t1", user), ("t2", other), ("t3", None)):
        await storage.login_tokens.add(LoginTokenRecord(token_hash=token, auth_key_id=1, perm_key_id=1, created_at=NOW,
                                                        expires_at=NOW + 30, accepted_by=accepted))
    assert await storage.login_tokens.delete_accepted_by(user) == 1
    assert await storage.login_tokens.get("t1") is None and await storage.login_tokens.get("t2") is not None
    await storage.passwords.set(PasswordRecord(user_id=user, salt1=b"1", salt2=b"2", g=3, p=b"p", verifier=b"v",
                                               email="a@b.c"))
    await storage.passwords.delete(user)
    assert await storage.passwords.get(user) is None


async def test_groups_are_listed_and_their_links_revoked(storage):
    a, b = 1000001, 1000002
    chat = (await storage.chats.create(a, "T", [b], date=NOW)).chat
    other = (await storage.chats.create(b, "U", [a], date=NOW)).chat
    assert await storage.chats.chat_ids(a) == sorted([chat.id, other.id])
    await storage.chats.set_admin(chat.id, a, b, True)
    await storage.chats.create_invite(chat.id, a, date=NOW)
    await storage.chats.create_invite(chat.id, b, date=NOW)
    assert await storage.chats.revoke_invites_of(a) == 1
    assert [i.admin_id for i in await storage.chats.invites(chat.id)] == [b]
    await storage.chats.remove_user(chat.id, a, a, date=NOW)
    assert await storage.chats.chat_ids(a) == [other.id]


def _photo(owner: int, file_id: int, size_file: int) -> PhotoRecord:
    return PhotoRecord(id=new_id(), access_hash=new_access_hash(), owner_id=owner, date=NOW, file_id=file_id,
                       sizes=[{"type": "s", "bytes": "01"}, {"type": "a", "w": 160, "h": 160, "size": 3,
                                                          "file_id": size_file}])


async def _file(storage, key: str) -> int:
    f = FileRecord(id=new_id(), size=3, part_size=3, mime_type="image/jpeg", owner_id=1, created_at=NOW)
    await storage.media.add_file(f, [key])
    return f.id


async def test_profile_photos_go_with_their_files_unless_something_else_shows_them(storage):
    user, other = 1000001, 1000002
    media = storage.media
    alone = _photo(user, await _file(storage, "orig/1"), await _file(storage, "size/1"))
    sent = _photo(user, await _file(storage, "orig/2"), await _file(storage, "size/2"))
    shared = _photo(user, await _file(storage, "orig/3"), await _file(storage, "size/3"))
    for photo in (alone, sent, shared):
        await media.add_photo(photo)
        await media.add_profile_photo(Peer.user(user), photo.id, NOW)
    # `sent` is in a message (other's copy of it), `shared` is a group's photo too.
    await storage.messages.send_private(user, other, date=NOW, message="",
                                        media={"_": "photo", "photo": {"id": sent.id, "sizes": []}})
    await media.add_profile_photo(Peer.chat(5), shared.id, NOW)
    keys = await media.delete_all_profile_photos(Peer.user(user))
    assert sorted(keys) == ["orig/1", "size/1"]
    assert (await media.profile_photos(Peer.user(user)))[1] == 0
    assert await media.photo(alone.id) is None and await media.file(alone.file_id) is None
    assert await media.photo(sent.id) == sent and await media.file_part_keys(sent.file_id, 0, 0) == {0: "orig/2"}
    assert await media.photo(shared.id) == shared
    assert await media.delete_all_profile_photos(Peer.user(user)) == []


async def test_unfinished_uploads_go(storage):
    await storage.media.start_upload(7, 1, big=False, total_parts=None, now=NOW)
    await storage.media.add_part(7, 1, 0, 5, "up/7/a")
    await storage.media.add_part(7, 1, 1, 5, "up/7/b")
    await storage.media.start_upload(8, 1, big=False, total_parts=None, now=NOW)
    assert sorted(await storage.media.drop_uploads_of(7)) == ["up/7/a", "up/7/b"]
    assert await storage.media.upload(7, 1) is None and await storage.media.upload(8, 1) is not None
