"""The admin API's token check (server/admin_auth.py): bearer parsing, 401 / 403, and
the per-address brake on failed attempts, which also stops a right token from that
address until the window moves on."""

from __future__ import annotations

import pytest

from server.admin_auth import AdminAuth, Denied, FailedAttempts, bearer_token
from storage import open_storage


def test_bearer_tokens_are_parsed_strictly():
    assert bearer_token([(b"authorization", b"Bearer mta_x")]) == "mta_x"
    assert bearer_token([(b"authorization", b"bearer   mta_x  ")]) == "mta_x"
    assert bearer_token([]) is None
    assert bearer_token([(b"authorization", b"Basic mta_x")]) is None
    assert bearer_token([(b"authorization", b"Bearer ")]) is None
    assert bearer_token([(b"authorization", b"Bearer " + b"a" * 500)]) is None
    assert bearer_token([(b"authorization", "Bearer mta_\u00e9".encode("latin-1"))]) is None
    assert bearer_token([(b"authorization", b"Bearer a"), (b"authorization", b"Bearer b")]) is None


def test_failed_attempts_slide_and_stay_bounded():
    failures = FailedAttempts(limit=3, window=60)
    for t in (0, 1, 2):
        assert failures.retry_after("a", t) is None
        failures.fail("a", t)
    assert failures.retry_after("a", 3) == 57
    assert failures.retry_after("b", 3) is None  # per address
    assert failures.retry_after("a", 60.5) is None  # the first failure left the window


async def test_check_answers_401_403_then_429(tmp_path):
    storage = await open_storage(None, str(tmp_path))
    try:
        await storage.admin_tokens.create("ops", "mta_good", 1)
        revoked = await storage.admin_tokens.create("old", "mta_old", 1)
        await storage.admin_tokens.revoke(revoked.id, 2)
        auth = AdminAuth(FailedAttempts(limit=3, window=60))
        good = [(b"authorization", b"Bearer mta_good")]
        assert (await auth.check(storage, good, "10.0.0.1")).name == "ops"
        for headers, status in (([], 401), ([(b"authorization", b"Bearer mta_bad")], 401),
                                ([(b"authorization", b"Bearer mta_old")], 403)):
            with pytest.raises(Denied) as denied:
                await auth.check(storage, headers, "10.0.0.1")
            assert denied.value.status == status
        with pytest.raises(Denied) as denied:
            await auth.check(storage, good, "10.0.0.1")
        assert denied.value.status == 429 and denied.value.retry_after >= 1
        assert (await auth.check(storage, good, "10.0.0.2")).name == "ops"  # another address
        assert (await storage.admin_tokens.by_token("mta_good")).last_used_at is not None
    finally:
        await storage.close()
