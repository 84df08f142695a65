"""The auth key store: keys survive a restart; expired temporary keys are not served."""

import os
import stat

import pytest
import trio

from mtproto.crypto import auth_key_id
from mtproto.handshake import AuthKey
from server.auth_keys import FILENAME, AuthKeyExists, AuthKeyRecord, AuthKeyStore

NOW = 1_700_000_000


def record(*, negative: bool | None = None, **fields) -> AuthKeyRecord:
    while True:
        key = os.urandom(256)
        if negative is None or (auth_key_id(key) < 0) == negative:
            break
    fields.setdefault("created_at", NOW)
    return AuthKeyRecord(key_id=auth_key_id(key), key=key, **fields)


@pytest.fixture
def store(tmp_path):
    with AuthKeyStore.in_data_dir(tmp_path) as store:
        yield store


def test_added_key_survives_reopening_the_store(tmp_path):
    first = record(negative=True, layer=158, client_info={"api_id": 1, "app_version": "1.0"})
    second = record(negative=False)
    with AuthKeyStore.in_data_dir(tmp_path) as store:
        store.add(first)
        store.add(second)
    with AuthKeyStore(tmp_path / FILENAME) as reopened:
        assert reopened.get(first.key_id) == first
        assert reopened.get(second.key_id) == second
        assert reopened.exists(first.key_id)


def test_unknown_key_id_is_absent(store):
    assert store.get(12345) is None and not store.exists(12345)


def test_extreme_signed_key_ids_round_trip(store):
    # auth_key_id is a signed int64; SQLite INTEGER holds the whole range.
    for negative in (True, False):
        rec = record(negative=negative)
        store.add(rec)
        assert store.get(rec.key_id).key_id == rec.key_id


def test_temporary_key_is_served_until_it_expires(store):
    temp = record(temporary=True, expires_at=NOW + 100)
    store.add(temp)
    assert store.get(temp.key_id, now=NOW + 99) == temp
    assert store.get(temp.key_id, now=NOW + 100) is None
    assert store.get(temp.key_id) is None  # the real clock is far past 2023
    assert store.exists(temp.key_id)  # the id stays taken until purged


def test_delete_expired_removes_only_expired_temporary_keys(store):
    expired, live, permanent = (record(temporary=True, expires_at=NOW), record(temporary=True, expires_at=NOW + 50),
                                record())
    for rec in (expired, live, permanent):
        store.add(rec)
    assert store.delete_expired(now=NOW + 1) == 1
    assert not store.exists(expired.key_id)
    assert store.exists(live.key_id) and store.exists(permanent.key_id)


def test_adding_a_taken_key_id_is_refused(store):
    rec = record()
    store.add(rec)
    with pytest.raises(AuthKeyExists, match=str(rec.key_id)):
        store.add(rec)


@pytest.mark.parametrize("bad", [
    lambda r: AuthKeyRecord(key_id=r.key_id + 1, key=r.key, created_at=NOW),
    lambda r: AuthKeyRecord(key_id=r.key_id, key=r.key[:255], created_at=NOW),
    lambda r: AuthKeyRecord(key_id=r.key_id, key=r.key, created_at=NOW, temporary=True),
    lambda r: AuthKeyRecord(key_id=r.key_id, key=r.key, created_at=NOW, expires_at=NOW),
    lambda r: AuthKeyRecord(key_id=r.key_id, key=r.key, created_at=NOW, perm_key_id=5),
])
def test_inconsistent_records_are_rejected(store, bad):
    with pytest.raises(ValueError):
        store.add(bad(record()))


def test_layer_and_client_info_updates_persist(tmp_path):
    rec = record()
    info = {"api_id": 611335, "device_model": "PC", "lang_code": "en", "params": {"tz_offset": 3600}}
    with AuthKeyStore.in_data_dir(tmp_path) as store:
        store.add(rec)
        store.set_layer(rec.key_id, 229)
        store.set_client_info(rec.key_id, info)
    with AuthKeyStore.in_data_dir(tmp_path) as store:
        got = store.get(rec.key_id)
    assert got.layer == 229 and got.client_info == info and got.key == rec.key


def test_updating_an_unknown_key_raises_key_error(store):
    with pytest.raises(KeyError):
        store.set_layer(1, 158)
    with pytest.raises(KeyError):
        store.set_client_info(1, {})


def test_temporary_key_is_bound_to_a_permanent_one(store):
    perm, temp = record(), record(temporary=True, expires_at=NOW + 3600)
    store.add(perm)
    store.add(temp)
    store.bind_temp_key(temp.key_id, perm.key_id)
    assert store.get(temp.key_id, now=NOW).perm_key_id == perm.key_id
    with pytest.raises(ValueError, match="temporary"):
        store.bind_temp_key(perm.key_id, temp.key_id)
    with pytest.raises(KeyError):
        store.bind_temp_key(temp.key_id, 42)


def test_record_from_a_finished_handshake():
    key = os.urandom(256)
    result = AuthKey(key=key, key_id=auth_key_id(key), server_salt=7, temporary=True, expires_at=NOW + 60,
                     dc_id=2, created_at=NOW)
    rec = AuthKeyRecord.from_handshake(result)
    assert (rec.key_id, rec.key, rec.temporary, rec.expires_at, rec.created_at) == (
        result.key_id, key, True, NOW + 60, NOW)
    assert rec.perm_key_id is None and rec.layer is None and rec.client_info == {}


def test_database_file_is_readable_by_the_owner_only(tmp_path):
    old = os.umask(0)
    try:
        AuthKeyStore.in_data_dir(tmp_path / "new").close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new" / FILENAME).st_mode) == 0o600


def test_a_database_from_a_newer_server_is_refused(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / FILENAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(RuntimeError, match="newer"):
        AuthKeyStore.in_data_dir(tmp_path)


async def test_store_is_usable_from_trio_worker_threads(store):
    records = [record() for _ in range(20)]
    async with trio.open_nursery() as nursery:
        for rec in records:
            nursery.start_soon(trio.to_thread.run_sync, store.add, rec)
    for rec in records:
        assert await trio.to_thread.run_sync(store.get, rec.key_id) == rec
