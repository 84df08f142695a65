"""Accounts for the load generator, written straight into the server's storage.

A thousand sign-ups through the API would need a thousand auth key handshakes (pq
factorisation and 2048-bit RSA/DH on the client side: most of a core for a minute);
this is what a finished sign-up leaves behind instead: a user, a permanent auth key and
the authorization that logs the key in -- what `mtserver admin users create` and a
login would write. The storage is the one the server uses (the same --database /
data dir), so this works while the server runs.

Phones are ``999<run tag><index>``, a range Telegram keeps for test accounts; the
accounts stay in the storage afterwards (point the load generator at a test server).
"""

from __future__ import annotations

import os
import secrets
import time

from mtproto.crypto import auth_key_id
from storage import AlreadyExists, AuthKeyRecord, AuthorizationRecord
from storage.db import chunks
from storage.updates import CREATE_STATE
from storage.users import new_access_hash

from .client import Account

PHONE_PREFIX = "999"


async def create_accounts(storage, count: int) -> list[Account]:
    """``count`` new logged-in accounts."""
    now = int(time.time())
    while True:
        tag = f"{secrets.randbelow(10**4):04d}"
        try:
            first = await storage.users.create(_phone(tag, 0), "Load", "0", now=now)
            break
        except AlreadyExists:  # an earlier run took this tag
            continue
    accounts = [await _log_in(storage, first, now)]
    for i in range(1, count):
        user = await storage.users.create(_phone(tag, i), "Load", str(i), now=now)
        accounts.append(await _log_in(storage, user, now))
    return accounts


async def create_users(storage, count: int) -> list[int]:
    """``count`` new users without keys (members of a channel who are never connected),
    a few hundred per statement: the rows storage.users.create writes (the user and their
    update state), which one at a time would take minutes for 10,000."""
    if count <= 0:
        return []
    now = int(time.time())
    while True:
        tag = f"{secrets.randbelow(10**4):04d}"
        if await storage.users.by_phone(_phone(tag, 0)) is None:
            break
    ids: list[int] = []
    for part in chunks(range(count), 200):
        ids += await storage.db.transaction(_insert_users, tag, list(part), now)
    return ids


async def _insert_users(tx, tag: str, indexes: list[int], now: int) -> list[int]:
    rows = ", ".join(f"(${i}, ${i + 1}, 'Member', ${i + 2}, $1)" for i in range(2, 2 + 3 * len(indexes), 3))
    values = [v for i in indexes for v in (new_access_hash(), _phone(tag, i), str(i))]
    found = await tx.fetch(f"INSERT INTO users (access_hash, phone, first_name, last_name, created_at) VALUES {rows}"
                           " RETURNING id", now, *values)
    ids = [row[0] for row in found]
    for user_id in ids:  # one short statement each; a multi-row form would need the SQL of storage/updates.py
        await tx.execute(CREATE_STATE, user_id)
    return ids


async def add_device(storage, account: Account) -> Account:
    """Another logged-in key for ``account``'s user: a second device of theirs."""
    return await _log_in_key(storage, account.user_id, account.access_hash, int(time.time()))


def _phone(tag: str, index: int) -> str:
    return f"{PHONE_PREFIX}{tag}{index:05d}"


async def _log_in(storage, user, now: int) -> Account:
    return await _log_in_key(storage, user.id, user.access_hash, now)


async def _log_in_key(storage, user_id: int, access_hash: int, now: int) -> Account:
    key = os.urandom(256)
    key_id = auth_key_id(key)
    await storage.auth_keys.add(AuthKeyRecord(key_id=key_id, key=key, created_at=now))
    await storage.authorizations.add(AuthorizationRecord(
        auth_key_id=key_id, user_id=user_id, hash=secrets.randbits(63) or 1, created_at=now, active_at=now,
        device_model="loadgen", app_name="loadgen"))
    return Account(user_id=user_id, access_hash=access_hash, auth_key=key)


__all__ = ["add_device", "create_accounts", "create_users"]
