"""storage.channel_log.row: the one log row a live push of a channel update reads
(rpc/updates/render.py), on both backends (tests/storage/conftest.py)."""

from __future__ import annotations

from .test_channel_messages import NOW, channel_of, post, users


async def test_a_row_by_the_pts_it_moved_the_channel_to(storage):
    a, b = await users(storage, 2)
    channel = await channel_of(storage, a, [b])
    sent = await post(storage, channel.id, b, "hello")
    edited = await storage.channel_messages.edit(channel.id, sent.message.id, edit_date=NOW + 1, message="hello!",
                                                 entities=[])
    row = await storage.channel_log.row(channel.id, sent.pts)
    assert (row.pts, row.pts_count, row.kind, row.data) == (sent.pts, 1, "new_message", {"id": sent.message.id})
    assert (await storage.channel_log.row(channel.id, edited.pts)).kind == "edit_message"
    assert await storage.channel_log.row(channel.id, edited.pts + 1) is None  # not yet
    assert await storage.channel_log.row(channel.id + 1, sent.pts) is None  # another channel's
    await storage.channel_log.prune_before(NOW + 10**9)
    assert await storage.channel_log.row(channel.id, sent.pts) is None
