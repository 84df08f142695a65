"""Notification settings and unread marks (storage/notify_settings.py, unread_marks.py),
and the update log's date index, on both backends."""

from __future__ import annotations

from storage.models import NotifySettingsRecord
from storage.peer import Peer

from .test_messages import A, B, C, NOW, WITH_A, WITH_B, WITH_C, send

GROUP = Peer.chat(7)
SOUND = {"_": "notificationSoundLocal", "title": "Bell", "data": "bell.mp3"}


async def test_notify_settings_replace_list_and_reset(storage):
    muted = NotifySettingsRecord(owner_id=A, scope="peer", peer=WITH_B, mute_until=2**31 - 1, silent=True,
                                 sound=SOUND, stories_muted=False)
    group = NotifySettingsRecord(owner_id=A, scope="peer", peer=GROUP, show_previews=False)
    users = NotifySettingsRecord(owner_id=A, scope="users", stories_sound={"_": "notificationSoundNone"},
                                 stories_hide_sender=True)
    for record in (muted, group, users):
        await storage.notify_settings.set(record)
    await storage.notify_settings.set(NotifySettingsRecord(owner_id=B, scope="peer", peer=WITH_A, silent=False))
    assert await storage.notify_settings.get(A, "peer", WITH_B) == muted
    assert await storage.notify_settings.get(A, "users") == users
    assert await storage.notify_settings.get(A, "chats") is None
    assert await storage.notify_settings.for_peers(A, [WITH_B, GROUP, WITH_C, WITH_B]) == {WITH_B: muted, GROUP: group}
    # New settings replace the old ones whole: what is left out is unset again.
    unmuted = NotifySettingsRecord(owner_id=A, scope="peer", peer=WITH_B, mute_until=0)
    await storage.notify_settings.set(unmuted)
    assert await storage.notify_settings.get(A, "peer", WITH_B) == unmuted
    assert await storage.notify_settings.list(A) == [group, unmuted, users]
    # Nothing set is no settings at all.
    await storage.notify_settings.set(NotifySettingsRecord(owner_id=A, scope="peer", peer=GROUP))
    assert await storage.notify_settings.get(A, "peer", GROUP) is None
    assert await storage.notify_settings.clear(A, "users") is True
    assert await storage.notify_settings.clear(A, "users") is False
    assert await storage.notify_settings.reset(A) == [unmuted]
    assert await storage.notify_settings.list(A) == [] and await storage.notify_settings.reset(A) == []
    assert len(await storage.notify_settings.list(B)) == 1  # another user's are untouched


async def test_unread_mark_set_clear_and_list(storage):
    await send(storage, B, A, "one")
    await send(storage, C, A, "two")
    assert await storage.unread_marks.mark(A, WITH_B, True) is True
    assert await storage.unread_marks.mark(A, WITH_B, True) is False
    assert await storage.unread_marks.mark(A, Peer.user(424242), True) is None  # no such dialog
    assert (await storage.messages.dialog(A, WITH_B)).unread_mark is True
    assert (await storage.messages.dialog(B, WITH_A)).unread_mark is False  # the other side's is its own
    await storage.unread_marks.mark(A, WITH_C, True)
    assert await storage.unread_marks.list(A) == [WITH_C, WITH_B]
    assert {d.peer_id: d.unread_mark for d in (await storage.messages.dialogs(A))[0]} == {B: True, C: True}
    assert [d.unread_mark for d in await storage.pinned_dialogs.list(A)] == []
    # Reading clears it; a new message keeps it.
    assert await storage.unread_marks.clear(A, WITH_B) is True and await storage.unread_marks.clear(A, WITH_B) is False
    await send(storage, C, A, "three")
    assert await storage.unread_marks.list(A) == [WITH_C]
    assert await storage.unread_marks.mark(A, WITH_C, False) is True and await storage.unread_marks.list(A) == []


async def test_update_log_is_pruned_by_date(storage):
    await send(storage, A, B, "old")
    await send(storage, A, B, "new", date=NOW + 100)
    assert await storage.messages.prune_update_logs_before(NOW + 50) == 2  # one row in each box
    assert [r.date for r in await storage.messages.update_log(A, 0)] == [NOW + 100]
    if storage.backend == "sqlite":
        plan = await storage.db.fetch("EXPLAIN QUERY PLAN DELETE FROM update_log WHERE date < 5")
        assert any("update_log_date" in str(row[-1]) for row in plan)
