"""storage.media: uploads, files, photos, documents, profile photos (both backends)."""

from __future__ import annotations

from storage.media import new_access_hash, new_id
from storage.models import DocumentRecord, FileRecord, PhotoRecord
from storage.peer import Peer

NOW = 1_700_000_000


async def test_an_upload_collects_parts_and_becomes_a_file(storage):
    media = storage.media
    assert await media.add_part(7, -5, 0, 1024, "nowhere") == (False, None)  # no such upload
    up = await media.start_upload(7, -5, big=True, total_parts=3, now=NOW)
    assert (up.owner_id, up.file_id, up.big, up.total_parts) == (7, -5, True, 3)
    assert await media.start_upload(7, -5, big=True, total_parts=3, now=NOW + 5) == up  # the same upload
    for part in (0, 1, 2, 3):
        assert await media.add_part(7, -5, part, 1024, f"k{part}") == (True, None)
    assert await media.add_part(7, -5, 2, 10, "k2b") == (True, "k2")  # re-sent
    assert await media.parts(7, -5) == {0: 1024, 1: 1024, 2: 10, 3: 1024}
    assert await media.part_keys(7, -5) == {0: "k0", 1: "k1", 2: "k2b", 3: "k3"}
    assert await media.full_part_size(7, -5, 2, 0) == 1024 and await media.full_part_size(7, -5, 1, 0) is None
    f = FileRecord(id=new_id(), size=2058, part_size=1024, mime_type="image/jpeg", owner_id=7, created_at=NOW)
    assert await media.finish_upload(7, -5, up.key_prefix, 3, f) == ["k3"]  # the parts beyond are left over
    assert await media.finish_upload(7, -5, up.key_prefix, 3, f) is None  # used once
    assert await media.file(f.id) == f
    assert await media.file_part_keys(f.id, 0, 2) == {0: "k0", 1: "k1", 2: "k2b"}
    assert await media.file_part_keys(f.id, 1, 1) == {1: "k1"}
    # getFile's lookup: the record and the keys of the parts a byte range touches.
    assert await media.file_range(f.id, 0, 1024) == (f, {0: "k0"})
    assert await media.file_range(f.id, 1000, 1100) == (f, {0: "k0", 1: "k1", 2: "k2b"})
    assert await media.file_range(f.id, 4096, 1024) == (f, {})  # past the end
    assert await media.file_range(new_id(), 0, 1024) == (None, {})
    assert await media.upload(7, -5) is None and await media.parts(7, -5) == {}
    # A part that arrives after the upload was used changes nothing.
    assert await media.add_part(7, -5, 1, 1024, "late") == (False, None)
    again = await media.start_upload(7, -5, big=False, total_parts=None, now=NOW)
    assert again.key_prefix != up.key_prefix
    await media.add_part(7, -5, 1, 1024, "new")
    assert await media.file_part_keys(f.id, 0, 2) == {0: "k0", 1: "k1", 2: "k2b"}


async def test_files_the_server_writes(storage):
    f = FileRecord(id=new_id(), size=5, part_size=5, mime_type="image/jpeg", owner_id=1, created_at=NOW)
    await storage.media.add_file(f, ["gen/1/x"])
    assert await storage.media.file(f.id) == f and await storage.media.file_part_keys(f.id, 0, 0) == {0: "gen/1/x"}


async def test_expired_uploads(storage):
    media = storage.media
    await media.start_upload(1, 1, big=False, total_parts=None, now=NOW)
    await media.add_part(1, 1, 0, 5, "a0")
    await media.start_upload(1, 2, big=False, total_parts=None, now=NOW + 100)
    found = await media.expired_uploads(NOW + 50)
    assert [(u.file_id, keys) for u, keys in found] == [(1, ["a0"])]
    await media.drop_upload(1, 1)
    assert await media.expired_uploads(NOW + 50) == []


async def test_photos_and_documents_round_trip(storage):
    media = storage.media
    photo = PhotoRecord(id=new_id(), access_hash=new_access_hash(), owner_id=3, date=NOW, file_id=9,
                        dc_id=2, sizes=[{"type": "s", "bytes": "0102"}, {"type": "m", "w": 320, "h": 200, "size": 5,
                                                               "file_id": 10}])
    await media.add_photo(photo)
    assert await media.photo(photo.id) == photo
    assert await media.photos([photo.id, 404, photo.id]) == [photo]
    doc = DocumentRecord(id=new_id(), access_hash=new_access_hash(), owner_id=3, date=NOW, mime_type="text/plain",
                         size=3 * 2**30, file_id=11, dc_id=3, attributes=[{"_": "documentAttributeFilename", "file_name": "a"}])
    await media.add_document(doc)
    assert await media.document(doc.id) == doc
    assert await media.document(404) is None


async def test_profile_photos_newest_is_current(storage):
    media = storage.media
    user, other, group = Peer.user(5), Peer.user(6), Peer.chat(5)
    photos = []
    for i in range(3):
        p = PhotoRecord(id=new_id(), access_hash=new_access_hash(), owner_id=5, date=NOW + i, sizes=[], file_id=1)
        await media.add_photo(p)
        await media.add_profile_photo(user, p.id, NOW + i)
        photos.append(p)
    listed, total = await media.profile_photos(user)
    assert [p.id for p in listed] == [p.id for p in reversed(photos)] and total == 3
    assert (await media.current_profile_photos([user, other])) == {user: photos[2]}
    assert await media.delete_profile_photos(user, [photos[2].id, 404]) == [photos[2].id]
    assert (await media.current_profile_photos([user]))[user] == photos[1]
    assert await media.is_profile_photo(user, photos[0].id) and not await media.is_profile_photo(user, photos[2].id)
    # A group's photos are its own, even where its id is a user's.
    await media.add_profile_photo(group, photos[2].id, NOW + 9)
    assert await media.current_profile_photos([user, group]) == {user: photos[1], group: photos[2]}
    assert not await media.is_profile_photo(group, photos[0].id)


async def test_a_message_is_found_by_its_random_id(storage):
    alice = await storage.users.create("15550001", "Alice", now=NOW)
    bob = await storage.users.create("15550002", "Bob", now=NOW)
    media = {"_": "document", "document": {"id": 1}}
    sent = await storage.messages.send_private(alice.id, bob.id, date=NOW, message="", random_id=77, media=media)
    assert await storage.messages.by_random_id(alice.id, 77) == sent.sender_copy
    assert await storage.messages.by_random_id(bob.id, 77) is None
    assert await storage.messages.by_random_id(alice.id, 78) is None
