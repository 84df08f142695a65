"""auth.exportAuthorization tokens (storage/exported_authorizations.py) and the logins
they make, children of the exporting device (storage/account.py), on both backends."""

from __future__ import annotations

import hashlib
import os

import trio

from storage import AuthorizationRecord
from storage.models import ExportedAuthorizationRecord

NOW = 1_700_000_000


def authorization(auth_key_id: int, user_id: int = 1, parent: int = 0, **fields) -> AuthorizationRecord:
    return AuthorizationRecord(auth_key_id=auth_key_id, user_id=user_id, hash=abs(auth_key_id) + 1000,
                               created_at=NOW, active_at=NOW, parent_auth_key_id=parent, **fields)


async def keys_of(storage, user_id: int = 1) -> dict[int, int]:
    rows = await storage.db.fetch("SELECT auth_key_id, parent_auth_key_id FROM authorizations WHERE user_id = $1",
                                  user_id)
    return {row[0]: row[1] for row in rows}


# -- tokens ----------------------------------------------------------------------------------


async def test_a_token_is_taken_once_and_kept_only_as_its_hash(storage):
    token = os.urandom(32)
    await storage.exported_authorizations.add(token, user_id=7, auth_key_id=-70, expires_at=NOW + 300, now=NOW)
    rows = await storage.db.fetch("SELECT token_hash, user_id, auth_key_id, expires_at FROM exported_authorizations")
    assert [tuple(row) for row in rows] == [(hashlib.sha256(token).digest(), 7, -70, NOW + 300)]
    assert await storage.exported_authorizations.take(os.urandom(32)) is None
    assert await storage.exported_authorizations.take(token) == ExportedAuthorizationRecord(
        user_id=7, auth_key_id=-70, expires_at=NOW + 300)
    assert await storage.exported_authorizations.take(token) is None
    assert await storage.db.fetch("SELECT token_hash FROM exported_authorizations") == []


async def test_an_expired_token_comes_back_with_its_expiry_and_goes_with_the_users_next_export(storage):
    """The store hands back the expiry (rpc/auth/transfer.py refuses it); expired rows of a
    user go when that user exports again, so they do not pile up."""
    expired, other_user, fresh = os.urandom(32), os.urandom(32), os.urandom(32)
    await storage.exported_authorizations.add(expired, user_id=1, auth_key_id=10, expires_at=NOW - 1, now=NOW - 301)
    await storage.exported_authorizations.add(other_user, user_id=2, auth_key_id=20, expires_at=NOW - 1,
                                              now=NOW - 301)
    await storage.exported_authorizations.add(fresh, user_id=1, auth_key_id=10, expires_at=NOW + 300, now=NOW)
    assert await storage.exported_authorizations.take(expired) is None  # purged by the new export
    assert (await storage.exported_authorizations.take(other_user)).expires_at == NOW - 1
    assert (await storage.exported_authorizations.take(fresh)).expires_at == NOW + 300


async def test_delete_for_user_and_logging_out_other_devices_remove_the_users_tokens(storage):
    tokens = [os.urandom(32) for _ in range(3)]
    for token, user_id in zip(tokens, (1, 1, 2)):
        await storage.exported_authorizations.add(token, user_id=user_id, auth_key_id=user_id * 10,
                                                  expires_at=NOW + 300, now=NOW)
    assert await storage.exported_authorizations.delete_for_user(1) == 2
    assert await storage.exported_authorizations.take(tokens[0]) is None
    await storage.authorizations.add(authorization(20, user_id=2))
    await storage.authorizations.delete_others(2, keep_auth_key_id=20)
    assert await storage.exported_authorizations.take(tokens[2]) is None  # even the kept device's


async def test_thirty_concurrent_takes_of_one_token_get_it_once(backend):
    token = os.urandom(32)
    first = await backend.open()
    await first.exported_authorizations.add(token, user_id=1, auth_key_id=10, expires_at=NOW + 300, now=NOW)
    # Several connections (two storages: on PostgreSQL, separate pools) racing.
    stores = [first, await backend.open()]
    results = []

    async def take(store):
        results.append(await store.exported_authorizations.take(token))

    async with trio.open_nursery() as nursery:
        for i in range(30):
            nursery.start_soon(take, stores[i % 2])
    assert sum(r is not None for r in results) == 1 and len(results) == 30


# -- logins carried to other DCs ---------------------------------------------------------------


async def test_an_imported_login_is_hidden_and_logged_out_with_its_device(storage):
    await storage.authorizations.add(authorization(10))
    await storage.authorizations.add(authorization(11, parent=10))
    await storage.authorizations.add(authorization(12, parent=10))
    await storage.authorizations.add(authorization(20))
    assert (await storage.authorizations.get(11)).parent_auth_key_id == 10
    assert [a.auth_key_id for a in await storage.authorizations.list_for_user(1)] == [10, 20]
    assert await storage.authorizations.delete(11) is True  # a child logs out alone
    assert await keys_of(storage) == {10: 0, 12: 10, 20: 0}
    assert await storage.authorizations.delete(10) is True
    assert await keys_of(storage) == {20: 0}


async def test_logging_out_other_devices_keeps_the_callers_device_and_its_dc_logins(storage):
    for key, parent in ((10, 0), (11, 10), (20, 0), (21, 20), (30, 0)):
        await storage.authorizations.add(authorization(key, parent=parent))
    await storage.authorizations.add(authorization(40, user_id=2))
    assert await storage.authorizations.delete_others(1, keep_auth_key_id=10) == [20, 21, 30]
    assert await keys_of(storage) == {10: 0, 11: 10}
    # Asked from a DC login, "others" are its device's others.
    await storage.authorizations.add(authorization(50))
    assert await storage.authorizations.delete_others(1, keep_auth_key_id=11) == [50]
    assert await keys_of(storage) == {10: 0, 11: 10}
    assert await keys_of(storage, 2) == {40: 0}


async def test_a_key_is_never_its_own_parent(storage):
    await storage.authorizations.add(authorization(10, parent=10))
    assert (await storage.authorizations.get(10)).parent_auth_key_id == 0
    assert [a.auth_key_id for a in await storage.authorizations.list_for_user(1)] == [10]


async def test_a_replaced_login_takes_its_dc_logins_with_it(storage):
    """A device logging in again (a new sign-in, or an imported token of another device)
    is a new login: the keys its old login carried to other DCs go."""
    await storage.authorizations.add(authorization(10))
    await storage.authorizations.add(authorization(11, parent=10))
    await storage.authorizations.add(authorization(20))
    await storage.authorizations.add(authorization(10, parent=20))  # 10 imports 20's token
    assert await keys_of(storage) == {10: 20, 20: 0}
    assert await storage.authorizations.delete(20) is True
    assert await keys_of(storage) == {}
    # Finishing a 2FA login replaces a record that has no DC logins yet: nothing else goes.
    await storage.authorizations.add(authorization(30, password_pending=True))
    await storage.authorizations.add(authorization(31))
    await storage.authorizations.add(authorization(30))
    assert await keys_of(storage) == {30: 0, 31: 0}


async def test_a_user_exporting_without_importing_cannot_fill_the_table(storage):
    from storage.exported_authorizations import MAX_LIVE_TOKENS_PER_USER

    other = os.urandom(32)
    await storage.exported_authorizations.add(other, user_id=2, auth_key_id=20, expires_at=NOW + 300, now=NOW)
    tokens = [os.urandom(32) for _ in range(3 * MAX_LIVE_TOKENS_PER_USER)]
    for token in tokens:
        await storage.exported_authorizations.add(token, user_id=1, auth_key_id=10, expires_at=NOW + 300, now=NOW)
        rows = await storage.db.fetchval("SELECT COUNT(*) FROM exported_authorizations WHERE user_id = 1")
        assert 1 <= rows <= MAX_LIVE_TOKENS_PER_USER
    assert await storage.exported_authorizations.take(tokens[-1]) is not None  # the newest is always good
    assert await storage.exported_authorizations.take(other) is not None  # another user's are untouched
