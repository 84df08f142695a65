"""The update log's kinds (storage/update_log.py), on both backends
(tests/storage/conftest.py)."""

from __future__ import annotations

import pytest

from storage.peer import Peer
from storage.update_log import UpdateKind, log_update, logged_pts

NOW = 1_700_000_000
A, B = 1000001, 1000002


def test_kinds_are_the_strings_existing_databases_hold():
    # Renaming a value would leave every row already written unread.
    assert {kind.value for kind in UpdateKind} == {
        "new_message", "edit_message", "delete_messages", "read_inbox", "read_outbox", "pinned_messages",
        "channel"}


async def test_rows_read_back_as_their_kind(storage):
    sent = await storage.messages.send_private(A, B, date=NOW, message="hi")
    await storage.messages.read_history(B, Peer.user(A), sent.recipient_copy.id, now=NOW)
    kinds = [row.kind for row in await storage.messages.update_log(A, 0)]
    assert kinds == [UpdateKind.NEW_MESSAGE, UpdateKind.READ_OUTBOX]
    assert all(type(kind) is UpdateKind for kind in kinds)



async def test_a_row_is_found_by_its_kind_and_data(storage):
    # How a retried send learns the pts its first try was logged with.
    first = await storage.messages.send_private(A, B, date=NOW, message="one")
    await storage.messages.send_private(A, B, date=NOW, message="two")
    assert await logged_pts(storage.db, A, UpdateKind.NEW_MESSAGE, {"id": first.sender_copy.id}) == first.sender_pts
    assert await logged_pts(storage.db, A, UpdateKind.EDIT_MESSAGE, {"id": first.sender_copy.id}) is None
    assert await logged_pts(storage.db, A, UpdateKind.NEW_MESSAGE, {"id": 99}) is None


@pytest.mark.parametrize("kind", ["new_mesage", "new_message"])
async def test_a_kind_outside_the_enum_is_refused_and_nothing_moves(storage, kind):
    before = (await storage.updates.get(A)).pts
    with pytest.raises(ValueError, match="not an update-log kind"):
        await storage.db.transaction(log_update, A, 1, kind, {"id": 1}, NOW)
    assert (await storage.updates.get(A)).pts == before
    assert await storage.messages.update_log(A, 0) == []


async def test_a_kind_this_server_does_not_know_reads_as_a_plain_string(storage):
    # A newer server sharing the database may log kinds this one cannot render: they
    # are read as they are (and skipped by the renderer), not an error for the whole log.
    await storage.db.execute("INSERT INTO update_log (user_id, pts, pts_count, kind, data, date)"
                             " VALUES ($1, $2, $3, $4, $5, $6)", A, 2, 1, "from_the_future", "{}", NOW)
    [row] = await storage.messages.update_log(A, 0)
    assert row.kind == "from_the_future" and not isinstance(row.kind, UpdateKind)


async def test_channel_news_is_kept_beside_the_box_without_a_pts(storage):
    before = {user: (await storage.updates.get(user)).pts for user in (A, B)}
    await storage.messages.note_channel_changed([B, A, B], 1000000123, date=NOW)
    await storage.messages.note_channel_changed([A], 1000000456, date=NOW + 5)
    await storage.messages.note_channel_changed([], 1000000789, date=NOW)
    for user in (A, B):  # updateChannel has no pts: the box did not move
        assert (await storage.updates.get(user)).pts == before[user]
        assert await storage.messages.update_log(user, before[user]) == []
    assert await storage.messages.channels_changed_since(A, NOW) == [1000000456, 1000000123]
    assert await storage.messages.channels_changed_since(A, NOW + 1) == [1000000456]
    assert await storage.messages.channels_changed_since(B, NOW + 1) == []
    await storage.messages.note_channel_changed([B], 1000000123, date=NOW + 9)  # the latest change counts
    assert await storage.messages.channels_changed_since(B, NOW + 1) == [1000000123]
    assert await storage.messages.prune_update_logs_before(NOW + 1) >= 1
    assert await storage.messages.channels_changed_since(A, 0) == [1000000456]
