"""One suite, both backends: every test taking ``storage`` or ``backend`` runs against
SQLite and PostgreSQL (tests/storage/conftest.py)."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
import trio

from mtproto.crypto import auth_key_id
from mtproto.handshake import AuthKey
from storage import (AlreadyExists, AuthKeyRecord, AuthorizationRecord, ContactRecord, InviteRecord, PasswordRecord,
                     PhoneCodeRecord, StorageError, UpdateStateRecord, UsernameTaken, UserRecord, open_storage,
                     sqlite_path)
from storage.migrations import Migration, latest, migrations
from storage.models import (ChatInviteRecord, ChatParticipantRecord, ChatRecord, DialogRecord, DocumentRecord,
                            DraftRecord, FileRecord, MessageRecord, NotifySettingsRecord, PhotoRecord, UpdateRecord,
                            UploadRecord)
from storage.sqlite import FILENAME

NOW = 1_700_000_000
INT64 = range(-(2**63), 2**63)


def key_record(*, negative: bool | None = None, **fields) -> AuthKeyRecord:
    while True:
        key = os.urandom(256)
        if negative is None or (auth_key_id(key) < 0) == negative:
            break
    fields.setdefault("created_at", NOW)
    return AuthKeyRecord(key_id=auth_key_id(key), key=key, **fields)


# -- migrations and opening ----------------------------------------------------------------


async def test_migrations_are_idempotent(backend):
    first = await backend.open()
    second = await backend.open()
    assert first.schema_version == second.schema_version == latest(backend.name) >= 1
    assert await second.migrate() == latest(backend.name)
    rows = await second.db.fetch("SELECT version FROM schema_version ORDER BY version")
    assert [row[0] for row in rows] == list(range(1, latest(backend.name) + 1))


RECORD_TABLES = [(AuthKeyRecord, "auth_keys"), (UserRecord, "users"), (PasswordRecord, "passwords"),
                 (AuthorizationRecord, "authorizations"), (PhoneCodeRecord, "phone_codes"),
                 (ContactRecord, "contacts"), (UpdateStateRecord, "update_state"), (InviteRecord, "invites"),
                 (MessageRecord, "messages"), (DialogRecord, "dialogs"), (UpdateRecord, "update_log"),
                 (DraftRecord, "drafts"), (ChatRecord, "chats"), (ChatParticipantRecord, "chat_participants"),
                 (ChatInviteRecord, "chat_invites"), (UploadRecord, "uploads"), (FileRecord, "files"),
                 (PhotoRecord, "photos"), (DocumentRecord, "documents"), (NotifySettingsRecord, "notify_settings")]


@pytest.mark.parametrize("record, table", RECORD_TABLES, ids=[t for _, t in RECORD_TABLES])
async def test_every_record_field_has_a_column(storage, record, table):
    # A field added to storage/models.py needs a migration and the repository's SQL.
    if storage.backend == "sqlite":
        rows = await storage.db.fetch(f"SELECT name FROM pragma_table_info('{table}')")
    else:
        rows = await storage.db.fetch("SELECT column_name FROM information_schema.columns"
                                      " WHERE table_schema = current_schema() AND table_name = $1", table)
    # A Peer field is kept as its key in a peer_id column (storage/peer.py).
    fields = {"peer_id" if f == "peer" else f for f in record.__struct_fields__}
    assert {row[0] for row in rows} == fields


async def test_a_failing_migration_changes_nothing(backend, storage, monkeypatch):
    shipped = migrations(backend.name)
    bad = Migration(len(shipped) + 1, "9999_broken.sql",
                    "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n")
    monkeypatch.setattr("storage.migrations.migrations", lambda dialect: (*shipped, bad))
    with pytest.raises(StorageError, match="9999_broken.sql failed"):
        await backend.open()
    assert await storage.db.fetchval("SELECT max(version) FROM schema_version") == len(shipped)
    if backend.name == "sqlite":
        assert await storage.db.fetchval("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'") == 0
    else:
        assert await storage.db.fetchval("SELECT to_regclass('half_done')") is None


def test_both_dialects_ship_the_same_numbered_migrations():
    assert [(m.version, m.name) for m in migrations("sqlite")] == [(m.version, m.name) for m in migrations("postgres")]


async def test_data_persists_across_reopening(backend, storage):
    user = await storage.users.create("15550001", "Ann", now=NOW)
    key = key_record(layer=158, client_info={"api_id": 1})
    await storage.auth_keys.add(key)
    await storage.invites.create(InviteRecord(code="abc", created_at=NOW))
    await storage.close()
    reopened = await backend.open()
    assert await reopened.users.get(user.id) == user
    assert await reopened.auth_keys.get(key.key_id) == key
    assert (await reopened.invites.get("abc")).created_at == NOW
    # The id sequence continues where it was.
    assert (await reopened.users.create("15550002", "Bob")).id == user.id + 1


async def test_a_database_from_a_newer_server_is_refused(backend, storage):
    await storage.db.execute("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", 999, NOW)
    try:
        with pytest.raises(StorageError, match="newer"):
            await backend.open()
    finally:
        await storage.db.execute("DELETE FROM schema_version WHERE version = $1", 999)


def test_sqlite_urls_name_a_file(tmp_path):
    assert sqlite_path(None, tmp_path) == sqlite_path("", tmp_path) == tmp_path / FILENAME
    assert str(sqlite_path("sqlite:///srv/mt/file.db", tmp_path)) == "/srv/mt/file.db"
    assert str(sqlite_path("sqlite://rel/file.db", tmp_path)) == "rel/file.db"
    for bad in ("sqlite://", "sqlite:///", "mysql://u:secret@h/db", "data.db"):
        with pytest.raises(StorageError) as info:
            sqlite_path(bad, tmp_path)
        assert "secret" not in str(info.value)


async def test_sqlite_url_opens_that_file(tmp_path):
    path = tmp_path / "elsewhere" / "custom.db"
    async with await open_storage(f"sqlite://{path}", str(tmp_path / "data")) as storage:
        assert storage.backend == "sqlite" and storage.schema_version == latest("sqlite")
    assert path.exists() and not (tmp_path / "data" / FILENAME).exists()


def test_sqlite_file_is_readable_by_the_owner_only(tmp_path):
    async def open_and_close():
        await (await open_storage(None, str(tmp_path / "new"))).close()

    old = os.umask(0)
    try:
        trio.run(open_and_close)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new" / FILENAME).st_mode) == 0o600


def test_sqlite_file_is_in_wal_mode(tmp_path):
    trio.run(lambda: _open_close(tmp_path))
    with sqlite3.connect(tmp_path / FILENAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def _open_close(data_dir):
    await (await open_storage(None, str(data_dir))).close()


async def test_postgres_needs_no_asyncio_loop(postgres_url):
    if postgres_url is None:
        pytest.skip("PostgreSQL turned off")
    storage = await open_storage(postgres_url, "/nonexistent")  # plain trio: its own driver
    try:
        assert await storage.users.get(1) is None
    finally:
        await storage.close()


async def test_unreachable_postgres_is_a_storage_error_without_the_password():
    with pytest.raises(StorageError, match="cannot connect") as info:
        await open_storage("postgresql://u:hunter2@127.0.0.1:1/db", "/nonexistent")
    assert "hunter2" not in str(info.value)


async def test_closed_storage_refuses_calls(backend):
    storage = await backend.open()
    await storage.close()
    with pytest.raises(StorageError, match="closed"):
        await storage.users.get(1)


# -- auth keys -------------------------------------------------------------------------------


async def test_unknown_key_id_is_absent(storage):
    assert await storage.auth_keys.get(12345) is None and not await storage.auth_keys.exists(12345)


async def test_negative_and_positive_key_ids_round_trip(storage):
    # auth_key_id is a signed int64; both columns types hold the whole range.
    for negative in (True, False):
        rec = key_record(negative=negative, layer=229, client_info={"app_version": "1.0", "params": {"tz": 3600}})
        await storage.auth_keys.add(rec)
        assert await storage.auth_keys.get(rec.key_id) == rec
        assert await storage.auth_keys.exists(rec.key_id)


async def test_temporary_key_is_served_until_it_expires(storage):
    temp = key_record(temporary=True, expires_at=NOW + 100)
    await storage.auth_keys.add(temp)
    assert await storage.auth_keys.get(temp.key_id, now=NOW + 99) == temp
    assert await storage.auth_keys.get(temp.key_id, now=NOW + 100) is None
    assert await storage.auth_keys.get(temp.key_id) is None  # the real clock is far past 2023
    assert await storage.auth_keys.exists(temp.key_id)  # the id stays taken until purged


async def test_delete_expired_removes_only_expired_temporary_keys(storage):
    expired = key_record(temporary=True, expires_at=NOW)
    live = key_record(temporary=True, expires_at=NOW + 50)
    permanent = key_record()
    for rec in (expired, live, permanent):
        await storage.auth_keys.add(rec)
    assert await storage.auth_keys.delete_expired(now=NOW + 0.5) == 1
    assert not await storage.auth_keys.exists(expired.key_id)
    assert await storage.auth_keys.exists(live.key_id) and await storage.auth_keys.exists(permanent.key_id)
    assert await storage.auth_keys.delete_expired() == 1  # real clock: the live one too
    assert await storage.auth_keys.exists(permanent.key_id)


async def test_adding_a_taken_key_id_is_refused(storage):
    rec = key_record()
    await storage.auth_keys.add(rec)
    with pytest.raises(AlreadyExists, match=str(rec.key_id)):
        await storage.auth_keys.add(rec)


@pytest.mark.parametrize("bad", [
    lambda r: AuthKeyRecord(key_id=r.key_id + 1, key=r.key, created_at=NOW),
    lambda r: AuthKeyRecord(key_id=r.key_id, key=r.key[:255], created_at=NOW),
    lambda r: AuthKeyRecord(key_id=r.key_id, key=r.key, created_at=NOW, temporary=True),
    lambda r: AuthKeyRecord(key_id=r.key_id, key=r.key, created_at=NOW, expires_at=NOW),
    lambda r: AuthKeyRecord(key_id=r.key_id, key=r.key, created_at=NOW, perm_key_id=5),
], ids=["wrong-id", "short-key", "temporary-without-expiry", "expiry-on-permanent", "bound-permanent"])
async def test_inconsistent_records_are_rejected(storage, bad):
    rec = bad(key_record())
    with pytest.raises(ValueError):
        await storage.auth_keys.add(rec)
    assert not await storage.auth_keys.exists(rec.key_id)


async def test_layer_and_client_info_updates_persist(backend, storage):
    rec = key_record()
    info = {"api_id": 611335, "device_model": "PC", "lang_code": "en", "params": {"tz_offset": 3600}}
    await storage.auth_keys.add(rec)
    await storage.auth_keys.set_layer(rec.key_id, 229)
    await storage.auth_keys.set_client_info(rec.key_id, info)
    got = await (await backend.open()).auth_keys.get(rec.key_id)
    assert got.layer == 229 and got.client_info == info and got.key == rec.key


async def test_layer_and_client_info_update_together_or_alone(backend, storage):
    rec = key_record()
    info = {"api_id": 611335, "device_model": "PC", "lang_code": "en"}
    await storage.auth_keys.add(rec)
    await storage.auth_keys.update_client(rec.key_id, layer=229, client_info=info)
    got = await (await backend.open()).auth_keys.get(rec.key_id)
    assert got.layer == 229 and got.client_info == info
    await storage.auth_keys.update_client(rec.key_id, layer=158)  # client_info stays
    await storage.auth_keys.update_client(rec.key_id)  # nothing to write
    got = await storage.auth_keys.get(rec.key_id)
    assert got.layer == 158 and got.client_info == info
    await storage.auth_keys.update_client(rec.key_id, client_info={"api_id": 1})  # the layer stays
    got = await storage.auth_keys.get(rec.key_id)
    assert got.layer == 158 and got.client_info == {"api_id": 1}


async def test_updating_an_unknown_key_raises_key_error(storage):
    with pytest.raises(KeyError):
        await storage.auth_keys.set_layer(1, 158)
    with pytest.raises(KeyError):
        await storage.auth_keys.set_client_info(1, {})
    with pytest.raises(KeyError):
        await storage.auth_keys.update_client(1, layer=158, client_info={})


async def test_temporary_key_is_bound_to_a_permanent_one(storage):
    perm, temp = key_record(), key_record(temporary=True, expires_at=NOW + 3600)
    await storage.auth_keys.add(perm)
    await storage.auth_keys.add(temp)
    await storage.auth_keys.bind_temp_key(temp.key_id, perm.key_id)
    assert (await storage.auth_keys.get(temp.key_id, now=NOW)).perm_key_id == perm.key_id
    with pytest.raises(ValueError, match="temporary"):
        await storage.auth_keys.bind_temp_key(perm.key_id, temp.key_id)
    with pytest.raises(ValueError, match="temporary"):
        await storage.auth_keys.bind_temp_key(temp.key_id, temp.key_id)
    with pytest.raises(KeyError):
        await storage.auth_keys.bind_temp_key(temp.key_id, 42)
    with pytest.raises(KeyError):
        await storage.auth_keys.bind_temp_key(42, perm.key_id)
    assert (await storage.auth_keys.get(temp.key_id, now=NOW)).perm_key_id == perm.key_id


async def test_deleting_a_permanent_key_unbinds_its_temporary_keys(storage):
    perm, temp = key_record(), key_record(temporary=True, expires_at=NOW + 3600)
    await storage.auth_keys.add(perm)
    await storage.auth_keys.add(temp)
    await storage.auth_keys.bind_temp_key(temp.key_id, perm.key_id)
    assert await storage.auth_keys.delete(perm.key_id) is True
    assert await storage.auth_keys.delete(perm.key_id) is False
    assert await storage.auth_keys.get(perm.key_id) is None
    assert (await storage.auth_keys.get(temp.key_id, now=NOW)).perm_key_id is None


def test_record_from_a_finished_handshake():
    key = os.urandom(256)
    result = AuthKey(key=key, key_id=auth_key_id(key), server_salt=7, temporary=True, expires_at=NOW + 60,
                     dc_id=2, created_at=NOW)
    rec = AuthKeyRecord.from_handshake(result)
    assert (rec.key_id, rec.key, rec.temporary, rec.expires_at, rec.created_at) == (
        result.key_id, key, True, NOW + 60, NOW)
    assert rec.perm_key_id is None and rec.layer is None and rec.client_info == {}


async def test_many_tasks_use_the_store_at_once(storage):
    records = [key_record() for _ in range(30)]
    async with trio.open_nursery() as nursery:
        for rec in records:
            nursery.start_soon(storage.auth_keys.add, rec)
    got = {}

    async def read(rec):
        got[rec.key_id] = await storage.auth_keys.get(rec.key_id)

    async with trio.open_nursery() as nursery:
        for rec in records:
            nursery.start_soon(read, rec)
    assert got == {rec.key_id: rec for rec in records}


async def test_cancelled_calls_leave_the_store_usable(storage):
    records = [key_record() for _ in range(20)]
    with trio.move_on_after(0.01):
        async with trio.open_nursery() as nursery:
            for rec in records:
                nursery.start_soon(storage.auth_keys.add, rec)
                nursery.start_soon(storage.auth_keys.delete, rec.key_id)  # a transaction
    rec = key_record()
    await storage.auth_keys.add(rec)
    assert await storage.auth_keys.get(rec.key_id) == rec
    assert await storage.auth_keys.delete(rec.key_id) is True


# -- users -----------------------------------------------------------------------------------


async def test_user_ids_start_at_1000000_with_random_access_hashes(storage):
    ann = await storage.users.create("15550001", "Ann", "Lee", now=NOW)
    bob = await storage.users.create("15550002", "Bob")
    assert (ann.id, bob.id) == (1_000_000, 1_000_001)
    assert ann.access_hash in INT64 and ann.access_hash != 0 and ann.access_hash != bob.access_hash
    assert (ann.phone, ann.first_name, ann.last_name, ann.created_at, ann.username) == (
        "15550001", "Ann", "Lee", NOW, None)
    assert not ann.banned and not ann.deleted and ann.last_seen == 0
    assert await storage.users.get(ann.id) == ann
    assert await storage.users.by_phone("15550002") == bob
    assert await storage.users.get(999) is None and await storage.users.by_phone("1") is None


async def test_a_new_user_has_update_state_with_pts_1(storage):
    user = await storage.users.create("15550001", "Ann")
    state = await storage.updates.get(user.id)
    assert (state.user_id, state.pts, state.qts, state.seq, state.date) == (user.id, 1, 0, 0, 0)


async def test_duplicate_phone_is_already_exists(storage):
    await storage.users.create("15550001", "Ann")
    with pytest.raises(AlreadyExists, match="15550001"):
        await storage.users.create("15550001", "Eve")
    assert [u.first_name for u in await storage.users.list()] == ["Ann"]


async def test_get_many_keeps_the_order_asked_and_skips_unknown_ids(storage):
    ids = [(await storage.users.create(f"1555000{i}", f"U{i}")).id for i in range(3)]
    got = await storage.users.get_many([ids[2], 5, ids[0], ids[2]])
    assert [u.id for u in got] == [ids[2], ids[0]]
    assert await storage.users.get_many([]) == []


async def test_list_pages_by_id(storage):
    ids = [(await storage.users.create(f"1555000{i}", f"U{i}")).id for i in range(5)]
    assert [u.id for u in await storage.users.list()] == ids
    assert [u.id for u in await storage.users.list(offset=1, limit=2)] == ids[1:3]
    assert await storage.users.list(offset=5) == []


async def test_usernames_are_unique_ignoring_case(storage):
    ann = await storage.users.create("15550001", "Ann")
    bob = await storage.users.create("15550002", "Bob")
    assert (await storage.users.set_username(ann.id, "Ann_Lee")).username == "Ann_Lee"
    assert (await storage.users.by_username("ANN_lee")).id == ann.id
    with pytest.raises(UsernameTaken):
        await storage.users.set_username(bob.id, "ann_lee")
    assert (await storage.users.get(bob.id)).username is None
    # The owner may change the case of their own username.
    assert (await storage.users.set_username(ann.id, "ann_LEE")).username == "ann_LEE"
    assert await storage.users.by_username("nobody") is None
    assert await storage.users.set_username(999, "ghost") is None


async def test_removing_a_username_frees_it(storage):
    ann = await storage.users.create("15550001", "Ann")
    bob = await storage.users.create("15550002", "Bob")
    await storage.users.set_username(ann.id, "shared")
    assert (await storage.users.set_username(ann.id, None)).username is None
    assert await storage.users.by_username("shared") is None
    assert (await storage.users.set_username(bob.id, "SHARED")).username == "SHARED"
    assert (await storage.users.set_username(bob.id, "")).username is None  # "" removes it too
    # Many users without a username do not collide.
    assert (await storage.users.get(ann.id)).username is None


async def test_search_matches_username_prefix_and_name_substrings(storage):
    ann = await storage.users.create("15550001", "Ann", "Lee")
    bob = await storage.users.create("15550002", "Bob", "Annson")
    ivan = await storage.users.create("15550003", "Иван", "Петров")
    carl = await storage.users.create("15550004", "Carl")
    await storage.users.set_username(carl.id, "the_annex")
    await storage.users.set_username(bob.id, "bobby_1")

    async def ids(query, limit=50):
        return [u.id for u in await storage.users.search(query, limit)]

    assert await ids("ann") == [ann.id, bob.id]  # first name, last name; not the username's middle
    assert await ids("THE_A") == [carl.id]  # username prefix, any case
    assert await ids("bobby") == [bob.id]
    assert await ids("обби") == []
    assert await ids("иВАН") == [ivan.id] and await ids("ПЕТР") == [ivan.id]  # non-ASCII case folding
    assert await ids("ann", limit=1) == [ann.id]
    assert await ids("   ") == [] and await ids("") == []
    # LIKE wildcards are literal text.
    assert await ids("%") == [] and await ids("_") == [] and await ids("bobby%") == []
    assert await ids("bobby_") == [bob.id]
    await storage.db.execute("UPDATE users SET deleted = TRUE WHERE id = $1", ann.id)
    assert await ids("ann") == [bob.id]


async def test_update_profile_changes_only_what_is_given(storage):
    user = await storage.users.create("15550001", "Ann", "Lee")
    updated = await storage.users.update_profile(user.id, last_name="Park", about="hi")
    assert (updated.first_name, updated.last_name, updated.about) == ("Ann", "Park", "hi")
    assert await storage.users.update_profile(user.id) == updated
    assert (await storage.users.update_profile(user.id, first_name="", last_name="")).first_name == ""
    assert await storage.users.update_profile(999, first_name="X") is None


async def test_status_ban_and_phone(storage):
    ann = await storage.users.create("15550001", "Ann")
    await storage.users.create("15550002", "Bob")
    await storage.users.set_status(ann.id, last_seen=NOW, online_until=NOW + 300)
    await storage.users.set_banned(ann.id, True)
    await storage.users.set_phone(ann.id, "15559999")
    got = await storage.users.get(ann.id)
    assert (got.last_seen, got.online_until, got.banned, got.phone) == (NOW, NOW + 300, True, "15559999")
    with pytest.raises(AlreadyExists):
        await storage.users.set_phone(ann.id, "15550002")
    await storage.users.set_banned(ann.id, False)
    assert not (await storage.users.get(ann.id)).banned
    assert (await storage.users.by_phone("15559999")).id == ann.id and await storage.users.by_phone("15550001") is None


# -- passwords, privacy ----------------------------------------------------------------------


async def test_password_is_set_replaced_and_deleted(storage):
    assert await storage.passwords.get(1) is None
    first = PasswordRecord(user_id=1, salt1=b"s1" * 20, salt2=b"s2" * 8, g=3, p=b"\xff" * 256,
                           verifier=b"\x01" * 256, hint="pet", email="a@example.org", srp_id=-5, updated_at=NOW)
    await storage.passwords.set(first)
    assert await storage.passwords.get(1) == first
    second = PasswordRecord(user_id=1, salt1=b"x", salt2=b"y", g=2, p=b"\x00" * 256, verifier=b"\x02" * 256,
                            srp_id=2**62)
    await storage.passwords.set(second)
    assert await storage.passwords.get(1) == second
    await storage.passwords.delete(1)
    assert await storage.passwords.get(1) is None
    await storage.passwords.delete(1)  # deleting nothing is fine


async def test_privacy_rules_per_key(storage):
    assert await storage.privacy.get(1, "phone_number") is None and await storage.privacy.get_all(1) == {}
    contacts = [{"_": "privacyValueAllowContacts"}]
    users = [{"_": "privacyValueDisallowUsers", "users": [1000001, 1000002]}, {"_": "privacyValueAllowAll"}]
    await storage.privacy.set(1, "phone_number", contacts)
    await storage.privacy.set(1, "status_timestamp", users)
    await storage.privacy.set(2, "phone_number", [])
    assert await storage.privacy.get(1, "status_timestamp") == users
    await storage.privacy.set(1, "phone_number", users)
    assert await storage.privacy.get_all(1) == {"phone_number": users, "status_timestamp": users}
    assert await storage.privacy.get(2, "phone_number") == []


# -- authorizations --------------------------------------------------------------------------


def authorization(auth_key_id: int, user_id: int, hash: int, active_at: int = NOW, **fields) -> AuthorizationRecord:
    return AuthorizationRecord(auth_key_id=auth_key_id, user_id=user_id, hash=hash, created_at=NOW,
                               active_at=active_at, **fields)


async def test_authorizations_are_one_per_auth_key(storage):
    first = authorization(-7, 1, 11, api_id=611335, device_model="PC", platform="linux", system_version="6.1",
                          app_name="Telethon", app_version="1.45", ip="127.0.0.1", country="NL",
                          password_pending=True)
    await storage.authorizations.add(first)
    assert await storage.authorizations.get(-7) == first
    assert await storage.authorizations.signed_in(-7) == (1, True)  # what every call checks
    replaced = authorization(-7, 1, 12, device_model="Phone")
    await storage.authorizations.add(replaced)
    assert await storage.authorizations.get(-7) == replaced
    assert await storage.authorizations.signed_in(-7) == (1, False)
    assert await storage.authorizations.by_hash(1, 12) == replaced
    assert await storage.authorizations.by_hash(1, 11) is None and await storage.authorizations.by_hash(2, 12) is None
    assert await storage.authorizations.get(8) is None and await storage.authorizations.signed_in(8) is None


async def test_authorizations_list_touch_and_delete(storage):
    for key, active in ((10, NOW), (20, NOW + 20), (30, NOW + 10)):
        await storage.authorizations.add(authorization(key, 1, key * 100, active_at=active))
    await storage.authorizations.add(authorization(40, 2, 4000))
    assert [a.auth_key_id for a in await storage.authorizations.list_for_user(1)] == [20, 30, 10]
    await storage.authorizations.touch(10, NOW + 99)
    assert [a.auth_key_id for a in await storage.authorizations.list_for_user(1)] == [10, 20, 30]
    assert await storage.authorizations.delete(30) is True
    assert await storage.authorizations.delete(30) is False
    assert await storage.authorizations.list_for_user(3) == []


async def test_delete_others_logs_out_every_other_device_of_that_user(storage):
    for key in (-5, 10, 20, 30):
        await storage.authorizations.add(authorization(key, 1, abs(key) + 1))
    await storage.authorizations.add(authorization(40, 2, 41))
    assert await storage.authorizations.delete_others(1, keep_auth_key_id=20) == [-5, 10, 30]
    assert [a.auth_key_id for a in await storage.authorizations.list_for_user(1)] == [20]
    assert await storage.authorizations.get(40) is not None  # another user's device stays
    assert await storage.authorizations.delete_others(1, keep_auth_key_id=20) == []


# -- phone codes -----------------------------------------------------------------------------


def code(phone="15550001", hash="h1", **fields) -> PhoneCodeRecord:
    fields = {"code": "12345", "created_at": NOW, "expires_at": NOW + 300, **fields}
    return PhoneCodeRecord(phone=phone, phone_code_hash=hash, **fields)


async def test_codes_count_wrong_attempts(storage):
    await storage.codes.put(code())
    assert await storage.codes.get("15550001", "h1") == code()
    assert await storage.codes.get("15550001", "other") is None
    assert (await storage.codes.claim_attempt("15550001", "h1", now=NOW, max_attempts=2)).attempts == 1
    assert (await storage.codes.claim_attempt("15550001", "h1", now=NOW, max_attempts=2)).attempts == 2
    assert await storage.codes.claim_attempt("15550001", "h1", now=NOW, max_attempts=2) is None  # none left
    assert await storage.codes.claim_attempt("15550001", "h1", now=NOW + 300, max_attempts=5) is None  # expired
    assert (await storage.codes.get("15550001", "h1")).attempts == 2
    await storage.codes.put(code(code="54321"))  # resent: replaced, attempts from the record
    assert (await storage.codes.get("15550001", "h1")).attempts == 0
    await storage.codes.delete("15550001", "h1")
    assert await storage.codes.get("15550001", "h1") is None
    assert await storage.codes.claim_attempt("15550001", "h1", now=NOW, max_attempts=5) is None
    await storage.codes.put(code(hash="h2", verified=True, attempts=3))
    assert await storage.codes.get("15550001", "h2") == code(hash="h2", verified=True, attempts=3)


async def test_concurrent_guesses_never_exceed_the_attempts(storage):
    # The check and the count are one statement: 30 guesses at once get exactly 5 tries.
    await storage.codes.put(code())
    claimed = []

    async def guess():
        claimed.append(await storage.codes.claim_attempt("15550001", "h1", now=NOW, max_attempts=5))

    async with trio.open_nursery() as nursery:
        for _ in range(30):
            nursery.start_soon(guess)
    assert sorted(r.attempts for r in claimed if r is not None) == [1, 2, 3, 4, 5]


async def test_expired_codes_are_purged(storage):
    await storage.codes.put(code(hash="old", expires_at=NOW))
    await storage.codes.put(code(hash="new", expires_at=NOW + 60))
    await storage.codes.put(code(phone="15550002", hash="old", expires_at=NOW - 1))
    assert await storage.codes.get("15550001", "old") is not None  # expired codes stay until purged
    assert await storage.codes.delete_expired(NOW) == 2
    assert await storage.codes.get("15550001", "new") is not None
    assert await storage.codes.get("15550001", "old") is None


# -- contacts and blocks ---------------------------------------------------------------------


async def test_contacts_upsert_list_delete_and_owners(storage):
    await storage.contacts.upsert(ContactRecord(owner_id=1, user_id=3, first_name="C", added_at=NOW))
    await storage.contacts.upsert(ContactRecord(owner_id=1, user_id=2, first_name="B", last_name="b"))
    await storage.contacts.upsert(ContactRecord(owner_id=4, user_id=2, first_name="Bee"))
    await storage.contacts.upsert(ContactRecord(owner_id=1, user_id=3, first_name="Cee", added_at=NOW + 1))
    assert [(c.user_id, c.first_name) for c in await storage.contacts.list(1)] == [(2, "B"), (3, "Cee")]
    assert await storage.contacts.get(1, 3) == ContactRecord(owner_id=1, user_id=3, first_name="Cee",
                                                             added_at=NOW + 1)
    assert await storage.contacts.get(3, 1) is None
    assert await storage.contacts.owners_of(2) == [1, 4]
    assert await storage.contacts.owners_of(1) == []
    await storage.contacts.delete(1, [2, 3, 99])
    assert await storage.contacts.list(1) == []
    assert await storage.contacts.owners_of(2) == [4]
    await storage.contacts.delete(4, [])


async def test_blocking_is_idempotent_and_listed_newest_first(storage):
    assert await storage.blocked.block(1, 10, NOW) is True
    assert await storage.blocked.block(1, 10, NOW + 5) is False
    assert await storage.blocked.block(1, 20, NOW + 1) is True
    assert await storage.blocked.block(1, 30, NOW + 1) is True  # same second as 20, blocked later
    assert await storage.blocked.block(2, 10, NOW) is True
    assert await storage.blocked.is_blocked(1, 10) and not await storage.blocked.is_blocked(10, 1)
    assert await storage.blocked.list(1) == ([(30, NOW + 1), (20, NOW + 1), (10, NOW)], 3)
    assert await storage.blocked.list(1, offset=1, limit=1) == ([(20, NOW + 1)], 3)
    assert await storage.blocked.list(1, offset=5) == ([], 3)
    assert await storage.blocked.unblock(1, 20) is True
    assert await storage.blocked.unblock(1, 20) is False
    assert await storage.blocked.list(1) == ([(30, NOW + 1), (10, NOW)], 2)
    assert await storage.blocked.list(3) == ([], 0)


# -- update state ----------------------------------------------------------------------------


async def test_update_state_is_created_on_first_use_with_pts_1(storage):
    state = await storage.updates.get(42)
    assert (state.user_id, state.pts, state.qts, state.seq, state.date) == (42, 1, 0, 0, 0)
    assert await storage.updates.get(42) == state


async def test_concurrent_first_uses_of_update_state_agree(storage):
    got = []

    async def get():
        got.append(await storage.updates.get(7))

    async with trio.open_nursery() as nursery:
        for _ in range(5):
            nursery.start_soon(get)
    assert len(got) == 5 and all(s.pts == 1 for s in got)


# -- invites ---------------------------------------------------------------------------------


async def test_invites_are_single_use(storage):
    await storage.invites.create(InviteRecord(code="b", created_at=NOW + 1))
    await storage.invites.create(InviteRecord(code="a", created_at=NOW + 1))
    await storage.invites.create(InviteRecord(code="z", created_at=NOW))
    with pytest.raises(AlreadyExists):
        await storage.invites.create(InviteRecord(code="a", created_at=NOW))
    assert await storage.invites.use("a", 1000000, NOW + 5) is True
    assert await storage.invites.use("a", 1000001, NOW + 6) is False
    assert await storage.invites.use("nope", 1000001, NOW) is False
    assert await storage.invites.get("a") == InviteRecord(code="a", created_at=NOW + 1, used_by=1000000,
                                                          used_at=NOW + 5)
    assert await storage.invites.get("nope") is None
    assert [i.code for i in await storage.invites.list()] == ["z", "a", "b"]


async def test_concurrent_uses_of_one_invite_succeed_once(storage):
    await storage.invites.create(InviteRecord(code="once", created_at=NOW))
    results = {}

    async def use(user_id):
        results[user_id] = await storage.invites.use("once", user_id, NOW)

    async with trio.open_nursery() as nursery:
        for user_id in range(1000000, 1000010):
            nursery.start_soon(use, user_id)
    winners = [user_id for user_id, ok in results.items() if ok]
    assert len(results) == 10 and len(winners) == 1
    assert (await storage.invites.get("once")).used_by == winners[0]


async def test_server_secrets_are_created_once(storage):
    first = await storage.secrets.get_or_create("salt")
    assert len(first) == 32
    assert await storage.secrets.get_or_create("salt") == first
    assert await storage.secrets.get_or_create("salt", initial=b"x" * 32) == first  # the first caller wins
    assert await storage.secrets.get_or_create("other", initial=b"y" * 16) == b"y" * 16


async def test_a_fixed_id_user_is_created_once_and_does_not_move_the_id_sequence(storage):
    service = await storage.users.ensure(777000, "42777", "Telegram", now=5)
    again = await storage.users.ensure(777000, "42777", "Renamed", now=6)
    assert (service.id, service.first_name, again.first_name) == (777000, "Telegram", "Telegram")
    assert again.access_hash == service.access_hash
    assert (await storage.updates.get(777000)).pts >= 1
    assert (await storage.users.create("15550001", "Ann")).id >= 1000000


async def test_send_obstacles_reads_block_and_deletion_at_once(storage):
    sender = await storage.users.create(phone="15557770001", first_name="S", now=NOW)
    recipient = await storage.users.create(phone="15557770002", first_name="R", now=NOW)
    assert await storage.blocked.send_obstacles(sender.id, recipient.id) == (False, False)
    await storage.blocked.block(sender.id, recipient.id, NOW)
    assert await storage.blocked.send_obstacles(sender.id, recipient.id) == (True, False)
    assert await storage.blocked.send_obstacles(recipient.id, 987654321) == (False, False)  # no such user
