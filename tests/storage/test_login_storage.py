"""QR login tokens, email codes and login emails in storage, on both backends."""

from __future__ import annotations

import trio

from storage.models import LoginTokenRecord

NOW = 1_700_000_000


def token(name: str = "a" * 64, **fields) -> LoginTokenRecord:
    values = dict(token_hash=name, auth_key_id=-5, perm_key_id=-5, created_at=NOW, expires_at=NOW + 30,
                  api_id=7, except_ids=[3, 2**62], ip="10.0.0.1")
    values.update(fields)
    return LoginTokenRecord(**values)


async def test_every_login_token_field_has_a_column(storage):
    if storage.backend == "sqlite":
        rows = await storage.db.fetch("SELECT name FROM pragma_table_info('login_tokens')")
    else:
        rows = await storage.db.fetch("SELECT column_name FROM information_schema.columns"
                                      " WHERE table_schema = current_schema() AND table_name = 'login_tokens'")
    assert {row[0] for row in rows} == set(LoginTokenRecord.__struct_fields__)


async def test_a_token_is_kept_and_accepted_once(storage):
    tokens = storage.login_tokens
    record = token()
    await tokens.add(record)
    assert await tokens.get(record.token_hash) == record
    assert await tokens.get("b" * 64) is None
    assert await tokens.count_live(-5, NOW) == 1 and await tokens.count_live(-5, NOW + 30) == 0
    assert await tokens.accept(record.token_hash, 42, NOW + 1)
    assert not await tokens.accept(record.token_hash, 43, NOW + 2)
    got = await tokens.get(record.token_hash)
    assert (got.accepted_by, got.accepted_at) == (42, NOW + 1)


async def test_an_expired_token_cannot_be_accepted(storage):
    tokens = storage.login_tokens
    await tokens.add(token())
    assert not await tokens.accept("a" * 64, 42, NOW + 30)
    assert not await tokens.accept("c" * 64, 42, NOW)
    assert (await tokens.get("a" * 64)).accepted_by is None


async def test_concurrent_acceptances_have_one_winner(storage):
    tokens = storage.login_tokens
    await tokens.add(token())
    results = []

    async def accept(user_id):
        results.append(await tokens.accept("a" * 64, user_id, NOW + 1))

    async with trio.open_nursery() as nursery:
        for user_id in range(1, 6):
            nursery.start_soon(accept, user_id)
    assert sorted(results) == [False] * 4 + [True]


async def test_expired_tokens_are_pruned(storage):
    tokens = storage.login_tokens
    await tokens.add(token("a" * 64))
    await tokens.add(token("b" * 64, expires_at=NOW + 600))
    await tokens.add(token("c" * 64, perm_key_id=9, auth_key_id=9))
    assert await tokens.delete_expired(NOW + 31) == 2
    assert await tokens.get("b" * 64) is not None and await tokens.get("a" * 64) is None


# -- email codes and login emails (the same migration) ------------------------------------


async def test_every_email_code_field_has_a_column(storage):
    from storage.models import EmailCodeRecord

    if storage.backend == "sqlite":
        rows = await storage.db.fetch("SELECT name FROM pragma_table_info('email_codes')")
    else:
        rows = await storage.db.fetch("SELECT column_name FROM information_schema.columns"
                                      " WHERE table_schema = current_schema() AND table_name = 'email_codes'")
    assert {row[0] for row in rows} == set(EmailCodeRecord.__struct_fields__)


async def test_an_email_code_per_purpose_counts_wrong_guesses(storage):
    from storage.models import EmailCodeRecord

    codes = storage.email_codes
    record = EmailCodeRecord(purpose="recovery:5", email="a@example.com", code="123456", created_at=NOW,
                             expires_at=NOW + 600)
    await codes.put(record)
    assert await codes.get("recovery:5") == record and await codes.get("recovery:6") is None
    claim = lambda purpose, now=NOW: codes.claim_attempt(purpose, now=now, max_attempts=2)
    assert (await claim("recovery:5")).attempts == 1 and (await claim("recovery:5")).attempts == 2
    assert await claim("recovery:5") is None  # no guess left
    assert await claim("nothing") is None
    assert await claim("recovery:5", NOW + 600) is None
    # A new code for the same purpose replaces it, attempts from zero.
    await codes.put(EmailCodeRecord(purpose="recovery:5", email="b@example.com", code="654321", created_at=NOW,
                                    expires_at=NOW + 10))
    got = await codes.get("recovery:5")
    assert (got.email, got.code, got.attempts) == ("b@example.com", "654321", 0)
    assert await codes.delete_expired(NOW + 10) == 1 and await codes.get("recovery:5") is None
    assert not await codes.delete("recovery:5")


async def test_one_login_email_per_account(storage):
    emails = storage.login_emails
    assert await emails.get(5) is None
    await emails.set(5, "a@example.com", NOW)
    await emails.set(5, "b@example.com", NOW + 1)
    assert await emails.get(5) == "b@example.com"
    assert await emails.delete(5) and await emails.get(5) is None
