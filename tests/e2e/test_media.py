"""Media with unmodified Telethon clients, on both object stores (a local directory and
S3 on a moto server): documents small and big, photos with their thumbnails, albums,
profile photos, and who may fetch what. Every download is checked by sha256."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os

import pytest
from PIL import Image

from tests.s3_server import moto_s3

from .server_process import ServerProcess
from .test_accounts import CODE, new_phone, sign_up
from .test_messages import pair


@pytest.fixture(scope="module", params=["local", "s3"])
def server(request, tmp_path_factory):
    env = {"MTSERVER_CODE_SENDER": f"fixed:{CODE}"}
    data = tmp_path_factory.mktemp(f"media-{request.param}") / "data"
    if request.param == "s3":
        with moto_s3() as url:
            proc = ServerProcess(data, env={**env, "MTSERVER_MEDIA_URL": url}).start()
            yield proc
            proc.stop()
    else:
        proc = ServerProcess(data, env=env).start()
        yield proc
        proc.stop()
        assert any((data / "media").rglob("*")), "files went to the data dir's media directory"


@pytest.fixture
def run():
    with asyncio.Runner() as runner:
        yield lambda coro: runner.run(asyncio.wait_for(coro, 240))


def error_name(error) -> str:
    """The RPC error's name as the server sent it: Telethon keeps it for errors it does
    not know and turns known ones into classes (FILE_PART_1_MISSING -> FilePartMissingError
    with which=1), so the name is found back through Telethon's own tables."""
    from telethon.errors import rpcerrorlist

    for name, cls in rpcerrorlist.rpc_errors_dict.items():
        if type(error) is cls:
            return name
    for pattern, cls in rpcerrorlist.rpc_errors_re:
        if type(error) is cls:
            number = next(v for k, v in vars(error).items() if isinstance(v, int) and k != "code")
            return pattern.replace("(\\d+)", str(number))
    return error.message


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jpeg_file(path, w, h, seed: int) -> bytes:
    image = Image.effect_noise((w, h), 40 + seed).convert("RGB")
    image.save(path, "JPEG", quality=90)
    return path.read_bytes()


def test_documents_photos_and_albums_arrive_intact(server, run, tmp_path):
    from telethon import types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        small, big = tmp_path / "small.bin", tmp_path / "big.bin"
        small.write_bytes(os.urandom(3 * 1024 * 1024))
        big.write_bytes(os.urandom(20 * 1024 * 1024 + 12345))  # > 10 MB: saveBigFilePart
        photo = jpeg_file(tmp_path / "photo.jpg", 1200, 800, 1)
        album = [jpeg_file(tmp_path / f"album{i}.jpg", 640 + i * 100, 480, i + 2) for i in range(3)]

        await alice.send_file(bob_user.id, str(small), force_document=True, caption="three megabytes",
                              thumb=str(tmp_path / "photo.jpg"))
        await alice.send_file(bob_user.id, str(big), force_document=True)
        await alice.send_file(bob_user.id, str(tmp_path / "photo.jpg"), caption="a photo")
        sent_album = await alice.send_file(bob_user.id, [str(tmp_path / f"album{i}.jpg") for i in range(3)])
        assert len(sent_album) == 3 and len({m.grouped_id for m in sent_album}) == 1

        got = list(reversed(await bob.get_messages(alice_user.id, limit=10)))
        assert len(got) == 6
        doc_small, doc_big, single, *pictures = got
        assert doc_small.message == "three megabytes" and doc_small.file.name == "small.bin"
        assert doc_small.document.size == small.stat().st_size and doc_big.document.size == big.stat().st_size
        assert sha(await bob.download_media(doc_small, file=bytes)) == sha(small.read_bytes())
        assert [type(t).__name__ for t in doc_small.document.thumbs] == ["PhotoStrippedSize", "PhotoSize"]
        thumb = Image.open(io.BytesIO(await bob.download_media(doc_small, file=bytes, thumb=-1)))
        assert thumb.size == (320, 213)
        assert sha(await bob.download_media(doc_big, file=bytes)) == sha(big.read_bytes())

        # A photo: the largest size is the original; the thumbnails are there too.
        assert single.message == "a photo" and isinstance(single.media, types.MessageMediaPhoto)
        assert sha(await bob.download_media(single, file=bytes)) == sha(photo)
        kinds = [type(s).__name__ for s in single.photo.sizes]
        assert kinds[0] == "PhotoStrippedSize" and "PhotoSize" in kinds
        stripped = Image.open(io.BytesIO(await bob.download_media(single, file=bytes, thumb=0)))
        assert max(stripped.size) == 40
        small_size = Image.open(io.BytesIO(await bob.download_media(single, file=bytes, thumb=1)))
        assert small_size.size == (320, 213)

        assert len({m.grouped_id for m in pictures}) == 1 and pictures[0].grouped_id
        for message, original in zip(pictures, album):
            assert sha(await bob.download_media(message, file=bytes)) == sha(original)
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())


def test_profile_photo_is_seen_and_downloaded(server, run, tmp_path):
    from telethon import errors, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        jpeg_file(tmp_path / "me.jpg", 900, 600, 7)
        uploaded = await alice.upload_file(str(tmp_path / "me.jpg"))
        result = await alice(functions.photos.UploadProfilePhotoRequest(file=uploaded))
        assert [s.type for s in result.photo.sizes] == ["s", "a", "b", "c"]
        [seen] = await bob(functions.users.GetUsersRequest([types.InputUser(alice_user.id, alice_user.access_hash)]))
        assert isinstance(seen.photo, types.UserProfilePhoto) and seen.photo.photo_id == result.photo.id
        assert seen.photo.stripped_thumb
        big = Image.open(io.BytesIO(await bob.download_profile_photo(seen, file=bytes)))
        assert big.size == (600, 600)
        small = Image.open(io.BytesIO(await bob.download_profile_photo(seen, file=bytes, download_big=False)))
        assert small.size == (160, 160)
        jpeg_file(tmp_path / "second.jpg", 500, 500, 8)
        second = await alice(functions.photos.UploadProfilePhotoRequest(
            file=await alice.upload_file(str(tmp_path / "second.jpg"))))
        photos = await bob(functions.photos.GetUserPhotosRequest(seen, offset=0, max_id=0, limit=10))
        assert [p.id for p in photos.photos] == [second.photo.id, result.photo.id]
        # The first one again: an earlier photo becomes the current one.
        first = types.InputPhoto(result.photo.id, result.photo.access_hash, result.photo.file_reference)
        await alice(functions.photos.UpdateProfilePhotoRequest(id=first))
        [seen] = await bob(functions.users.GetUsersRequest([types.InputUser(alice_user.id, alice_user.access_hash)]))
        assert seen.photo.photo_id == result.photo.id
        # A peer photo location only reaches that peer's own photos.
        with pytest.raises(errors.RPCError) as caught:
            await bob(functions.upload.GetFileRequest(types.InputPeerPhotoFileLocation(
                types.InputPeerUser(bob_user.id, bob_user.access_hash), result.photo.id, big=True), 0, 4096))
        assert error_name(caught.value) == "FILE_ID_INVALID"
        gone = await alice(functions.photos.DeletePhotosRequest([first, types.InputPhoto(
            second.photo.id, second.photo.access_hash, second.photo.file_reference)]))
        assert gone == [result.photo.id, second.photo.id]
        [seen] = await bob(functions.users.GetUsersRequest([types.InputUser(alice_user.id, alice_user.access_hash)]))
        assert seen.photo is None
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())


def test_full_user_carries_the_profile_photo(server, run, tmp_path):
    from telethon import functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        alice_for_bob = types.InputUser(alice_user.id, alice_user.access_hash)
        assert (await alice(functions.users.GetFullUserRequest(types.InputUserSelf()))).full_user.profile_photo is None
        jpeg_file(tmp_path / "me.jpg", 700, 500, 9)
        uploaded = await alice(functions.photos.UploadProfilePhotoRequest(
            file=await alice.upload_file(str(tmp_path / "me.jpg"))))
        for client, who in ((alice, types.InputUserSelf()), (bob, alice_for_bob)):
            full = await client(functions.users.GetFullUserRequest(who))
            [user] = full.users
            photo = full.full_user.profile_photo
            assert isinstance(photo, types.Photo) and photo.id == user.photo.photo_id == uploaded.photo.id
            assert [s.type for s in photo.sizes] == ["s", "a", "b", "c"]
        # The Photo's own file reference fetches it (Telethon downloads a Photo by it).
        big = Image.open(io.BytesIO(await bob.download_media(photo, file=bytes)))
        assert big.size == (500, 500)
        # Hidden from everyone: neither user.photo nor full_user.profile_photo reach Bob.
        await alice(functions.account.SetPrivacyRequest(
            types.InputPrivacyKeyProfilePhoto(), [types.InputPrivacyValueDisallowAll()]))
        full = await bob(functions.users.GetFullUserRequest(alice_for_bob))
        assert full.full_user.profile_photo is None and full.users[0].photo is None
        mine = await alice(functions.users.GetFullUserRequest(types.InputUserSelf()))
        assert mine.full_user.profile_photo.id == uploaded.photo.id
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())


def test_a_stranger_cannot_fetch_a_document(server, run, tmp_path):
    from telethon import errors, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        carol, carol_user = await sign_up(server, pem, new_phone(), "Carol")
        (tmp_path / "secret.txt").write_bytes(b"for Bob only\n" * 1000)
        await alice.send_file(bob_user.id, str(tmp_path / "secret.txt"), force_document=True)
        [message] = await bob.get_messages(alice_user.id, limit=1)
        doc = message.document
        location = types.InputDocumentFileLocation(doc.id, doc.access_hash, doc.file_reference, "")
        assert (await bob(functions.upload.GetFileRequest(location, 0, 4096))).bytes == (b"for Bob only\n" * 1000)[:4096]
        # Carol learns everything Bob's client knows about the file, and still gets nothing.
        with pytest.raises(errors.FileReferenceExpiredError):
            await carol(functions.upload.GetFileRequest(location, 0, 4096))
        with pytest.raises(errors.RPCError) as caught:
            await carol(functions.upload.GetFileRequest(
                types.InputDocumentFileLocation(doc.id, doc.access_hash, b"", ""), 0, 4096))
        assert error_name(caught.value) == "FILE_REFERENCE_EMPTY"
        with pytest.raises(errors.RPCError) as caught:
            await carol(functions.upload.GetFileRequest(
                types.InputDocumentFileLocation(doc.id, doc.access_hash + 1, doc.file_reference, ""), 0, 4096))
        assert error_name(caught.value) == "FILE_ID_INVALID"
        with pytest.raises(errors.FileReferenceExpiredError):
            await carol.send_file("me", types.InputDocument(doc.id, doc.access_hash, doc.file_reference))
        # Bob forwards it by id (no re-upload): now Carol has it in her own box and may fetch it.
        await bob.send_file(types.InputPeerUser(carol_user.id, carol_user.access_hash), doc)
        [theirs] = await carol.get_messages(types.InputPeerUser(bob_user.id, bob_user.access_hash), limit=1)
        assert theirs.document.id == doc.id
        assert await carol.download_media(theirs, file=bytes) == b"for Bob only\n" * 1000
        # Once Bob deletes the message, his reference is dead too.
        await bob.delete_messages(alice_user.id, [message.id], revoke=False)
        with pytest.raises(errors.FileReferenceExpiredError):
            await bob(functions.upload.GetFileRequest(location, 0, 4096))
        for c in (alice, bob, carol):
            await c.disconnect()

    run(scenario())


def test_upload_and_download_rules(server, run):
    from telethon import errors, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        save = functions.upload.SaveFilePartRequest
        save_big = functions.upload.SaveBigFilePartRequest
        peer = types.InputPeerUser(bob_user.id, bob_user.access_hash)

        async def error_of(request) -> str:
            with pytest.raises(errors.RPCError) as caught:
                await alice(request)
            return error_name(caught.value)

        assert await error_of(save(1, 0, b"")) == "FILE_PART_EMPTY"
        assert await error_of(save(1, -1, b"x")) == "FILE_PART_INVALID"
        assert await error_of(save(1, 0, b"x" * (512 * 1024 + 1))) == "FILE_PART_TOO_BIG"
        assert await error_of(save_big(2, 0, 5, b"x" * 1000)) == "FILE_PART_SIZE_INVALID"  # not a 1 KB multiple
        assert await error_of(save_big(2, 0, 5, b"x" * 3072)) == "FILE_PART_SIZE_INVALID"  # 524288 % 3072 != 0
        assert await error_of(save_big(2, 5, 5, b"x" * 1024)) == "FILE_PART_INVALID"
        assert await error_of(save_big(2, 0, 0, b"x" * 1024)) == "FILE_PARTS_INVALID"
        assert await alice(save_big(3, 0, 3, b"x" * 2048))
        assert await error_of(save_big(3, 1, 3, b"x" * 4096)) == "FILE_PART_SIZE_CHANGED"

        # Parts 0 and 2 of three: part 1 is missing when the file is used.
        for part in (0, 2):
            assert await alice(save(4, part, bytes([part]) * 1024))
        media = types.InputMediaUploadedDocument(types.InputFile(4, 3, "x.bin", ""), "application/octet-stream", [])
        assert await error_of(functions.messages.SendMediaRequest(peer, media, "", random_id=77)) == "FILE_PART_1_MISSING"
        missing = types.InputMediaUploadedDocument(types.InputFile(404, 1, "y.bin", ""), "text/plain", [])
        assert await error_of(functions.messages.SendMediaRequest(peer, missing, "", random_id=78)) == "FILE_PART_0_MISSING"
        assert await alice(save(4, 1, b"\x01" * 1024))
        wrong = types.InputMediaUploadedDocument(types.InputFile(4, 3, "x.bin", "0" * 32), "text/plain", [])
        assert await error_of(functions.messages.SendMediaRequest(peer, wrong, "", random_id=90)) == "MD5_CHECKSUM_INVALID"
        first = await alice(functions.messages.SendMediaRequest(peer, media, "", random_id=79))
        # A retry (same random_id) is the same message, although the upload is used up.
        again = await alice(functions.messages.SendMediaRequest(peer, media, "", random_id=79))
        assert again.updates[0].id == first.updates[0].id
        assert len(await bob.get_messages(alice_user.id, limit=10)) == 1
        sent = (await alice.get_messages(bob_user.id, limit=1))[0]
        doc = sent.document
        assert (doc.size, doc.mime_type) == (3072, "application/octet-stream")
        location = types.InputDocumentFileLocation(doc.id, doc.access_hash, doc.file_reference, "")
        get = functions.upload.GetFileRequest
        whole = await alice(get(location, 0, 4096))
        assert whole.bytes == b"\x00" * 1024 + b"\x01" * 1024 + b"\x02" * 1024
        assert isinstance(whole.type, types.storage.FileUnknown)
        assert (await alice(get(location, 1024 * 1024, 4096))).bytes == b""  # past the end
        assert await error_of(get(location, 1000, 4096)) == "OFFSET_INVALID"
        assert await error_of(get(location, 0, 1000)) == "LIMIT_INVALID"
        assert await error_of(get(location, 0, 2 * 1024 * 1024)) == "LIMIT_INVALID"
        assert await error_of(get(location, 1024 * 1024 - 4096, 8192)) == "LIMIT_INVALID"  # crosses 1 MB
        assert (await alice(get(location, 1024, 1024, precise=True))).bytes == b"\x01" * 1024
        # The upload was used: the same InputFile again finds nothing.
        assert await error_of(functions.messages.SendMediaRequest(peer, media, "", random_id=80)) == "FILE_PART_0_MISSING"
        # Not an image: as a photo it is refused.
        assert await alice(save(5, 0, b"not a picture"))
        bad = types.InputMediaUploadedPhoto(types.InputFile(5, 1, "p.jpg", ""))
        assert await error_of(functions.messages.SendMediaRequest(peer, bad, "", random_id=81)) == "IMAGE_PROCESS_FAILED"
        assert await error_of(get(types.InputFileLocation(1, 2, 3, b""), 0, 4096)) == "LOCATION_INVALID"
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())


def test_pyrogram_layer_158_sends_and_downloads_a_photo(server, run, tmp_path):
    """An old-layer client with its own media sessions, 1 MB download chunks, and its
    login carried to the file's DC (auth.exportAuthorization / importAuthorization)."""
    from pyrogram import Client

    from .clients import pyrogram_pointed_at

    photo = jpeg_file(tmp_path / "pyro.jpg", 1000, 750, 9)
    (tmp_path / "pyro.bin").write_bytes(os.urandom(1536 * 1024))

    async def scenario():
        app = Client("pyro", api_id=1, api_hash="0" * 32, in_memory=True, no_updates=True)
        await app.connect()
        phone = new_phone()
        sent = await app.send_code(phone)
        await app.sign_in(phone, sent.phone_code_hash, CODE)
        await app.sign_up(phone, sent.phone_code_hash, "Pyro")
        app.me = await app.get_me()  # what start() would do; uploads read it
        # Pyrogram believes it is on DC 2 (this server never sends *_MIGRATE), so for
        # media of DC 1 it exports its login and imports it on a new key there.
        assert await app.storage.dc_id() != 1
        message = await app.send_photo("me", str(tmp_path / "pyro.jpg"))
        assert (message.photo.width, message.photo.height) == (1000, 750)
        data = await app.download_media(message, in_memory=True)
        assert sha(bytes(data.getbuffer())) == sha(photo)
        message = await app.send_document("me", str(tmp_path / "pyro.bin"))
        data = await app.download_media(message, in_memory=True)
        assert sha(bytes(data.getbuffer())) == sha((tmp_path / "pyro.bin").read_bytes())
        await app.disconnect()

    with pyrogram_pointed_at(server.public_key()[0], server.port):
        run(scenario())


def test_exported_authorization_logs_in_another_key(server, run):
    from telethon import errors, functions

    from .clients import telethon_client

    async def scenario():
        pem = server.public_key()[0]
        alice, alice_user = await sign_up(server, pem, new_phone(), "Alice")
        with pytest.raises(errors.RPCError) as caught:
            await alice(functions.auth.ExportAuthorizationRequest(dc_id=99))
        assert error_name(caught.value) == "DC_ID_INVALID"
        exported = await alice(functions.auth.ExportAuthorizationRequest(dc_id=1))
        other = telethon_client(pem, server.port)
        await other.connect()
        with pytest.raises(errors.RPCError) as caught:
            await other(functions.auth.ImportAuthorizationRequest(exported.id, exported.bytes[:-1] + b"x"))
        assert error_name(caught.value) == "AUTH_BYTES_INVALID"
        imported = await other(functions.auth.ImportAuthorizationRequest(exported.id, exported.bytes))
        assert imported.user.id == alice_user.id
        assert (await other.get_me()).id == alice_user.id
        for c in (alice, other):
            await c.disconnect()

    run(scenario())


def test_a_group_photo_and_a_photo_sent_to_a_group(server, run, tmp_path):
    from telethon import events, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        created = await alice(functions.messages.CreateChatRequest(
            users=[types.InputUser(bob_user.id, bob_user.access_hash)], title="Pictures"))
        chat = created.updates.chats[0]
        actions = asyncio.Queue()
        bob.add_event_handler(lambda e: actions.put_nowait(e), events.ChatAction())
        incoming = asyncio.Queue()
        bob.add_event_handler(lambda e: incoming.put_nowait(e.message), events.NewMessage(incoming=True))
        await bob.get_dialogs()

        jpeg_file(tmp_path / "group.jpg", 700, 500, 3)
        uploaded = await alice.upload_file(str(tmp_path / "group.jpg"))
        await alice(functions.messages.EditChatPhotoRequest(chat.id, types.InputChatUploadedPhoto(file=uploaded)))
        changed = await asyncio.wait_for(actions.get(), 10)
        while not changed.new_photo:  # the group's creation may come first
            changed = await asyncio.wait_for(actions.get(), 10)
        assert isinstance(changed.photo, types.Photo)
        [seen] = (await bob(functions.messages.GetChatsRequest([chat.id]))).chats
        assert isinstance(seen.photo, types.ChatPhoto) and seen.photo.photo_id == changed.photo.id
        big = Image.open(io.BytesIO(await bob.download_profile_photo(seen, file=bytes)))
        assert big.size == (500, 500)

        original = jpeg_file(tmp_path / "to-group.jpg", 800, 600, 4)
        await alice.send_file(chat, str(tmp_path / "to-group.jpg"), caption="for all")
        got = await asyncio.wait_for(incoming.get(), 10)
        assert got.message == "for all" and isinstance(got.media, types.MessageMediaPhoto)
        assert sha(await bob.download_media(got, file=bytes)) == sha(original)
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())
