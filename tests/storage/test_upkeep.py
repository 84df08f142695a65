"""What expires is removed (server/maintenance.py), on both backends: keys nobody logged
in with, expired temporary keys, login codes and exported login tokens, and update-log
rows (users' and channels') past the retention."""

from __future__ import annotations

from types import SimpleNamespace

from server.config import Config
from server.maintenance import DAY, upkeep_once
from storage import AuthorizationRecord, PhoneCodeRecord

from .test_storage import NOW, key_record


async def test_unused_permanent_keys_go_with_their_temporary_keys(storage):
    old_unused, old_used, new_unused = key_record(), key_record(), key_record(created_at=NOW + 5 * DAY)
    bound_temp = key_record(temporary=True, expires_at=NOW + 100 * DAY)
    for record in (old_unused, old_used, new_unused, bound_temp):
        await storage.auth_keys.add(record)
    await storage.auth_keys.bind_temp_key(bound_temp.key_id, old_unused.key_id)
    await storage.authorizations.add(AuthorizationRecord(auth_key_id=old_used.key_id, user_id=1, hash=1,
                                                         created_at=NOW, active_at=NOW))
    assert await storage.auth_keys.delete_unused(NOW + 1) == 2
    assert not await storage.auth_keys.exists(old_unused.key_id)
    assert not await storage.auth_keys.exists(bound_temp.key_id)
    assert await storage.auth_keys.exists(old_used.key_id) and await storage.auth_keys.exists(new_unused.key_id)


async def test_one_upkeep_round_removes_everything_expired(storage):
    unused, expired_temp = key_record(), key_record(temporary=True, expires_at=NOW + 10)
    for record in (unused, expired_temp):
        await storage.auth_keys.add(record)
    await storage.codes.put(PhoneCodeRecord(phone="15550001", phone_code_hash="h", code="1", created_at=NOW,
                                            expires_at=NOW + 300))
    await storage.exported_authorizations.add(b"t" * 32, user_id=1, auth_key_id=unused.key_id,
                                              expires_at=NOW + 300, now=NOW)
    await storage.channels.create(1000001, "News", date=NOW, broadcast=True)  # its first message: one log row
    await storage.channel_admin_log.add(1000001, 1000001, date=NOW, category="info", data={})  # 48 hours only
    state = SimpleNamespace(storage=storage, config=Config(auth_key_unused_days=7, update_log_days=8))
    assert set((await upkeep_once(state, now=NOW)).values()) == {0}
    removed = await upkeep_once(state, now=NOW + 9 * DAY)
    assert removed == {"update_log": 0, "channel_update_log": 1, "channel_admin_log": 1,
                       "expired_temp_keys": 1, "unused_auth_keys": 1, "expired_login_codes": 1,
                       "expired_login_tokens": 1, "expired_qr_tokens": 0, "expired_email_codes": 0}
    assert await storage.exported_authorizations.take(b"t" * 32) is None
