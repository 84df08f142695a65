"""Channels' admin logs (storage/channel_admin_log.py), on both backends: events kept
as given, selected by category, actor, words and id range, newest first, pruned by age."""

from __future__ import annotations

from .test_channels import NOW, channel_with, users


async def test_events_are_selected_newest_first_by_category_actor_words_and_ids(storage):
    a, b = await users(storage, "Ann Admin", "Bob Member")
    channel = await channel_with(storage, a, b, megagroup=True)
    log = storage.channel_admin_log
    first = await log.add(channel.id, a, date=NOW, category="info", data={"kind": "title", "new": "Café"},
                          search_text="Old Café")
    second = await log.add(channel.id, b, date=NOW + 1, category="join", data={"kind": "join"})
    third = await log.add(channel.id, a, date=NOW + 2, category="ban", data={"kind": "ban", "user": b},
                          search_text="Bob 100%")
    await log.add(channel.id + 1, a, date=NOW, category="info", data={"kind": "elsewhere"})
    assert first < second < third

    everything = await log.events(channel.id)
    assert [e.id for e in everything] == [third, second, first]
    assert (everything[2].data, everything[2].user_id, everything[2].date) == ({"kind": "title", "new": "Café"}, a, NOW)
    assert [e.id for e in await log.events(channel.id, categories=["info", "ban"])] == [third, first]
    assert await log.events(channel.id, categories=[]) == []
    assert [e.id for e in await log.events(channel.id, user_ids=[b])] == [second]
    assert [e.id for e in await log.events(channel.id, query="CAFÉ")] == [first]
    assert [e.id for e in await log.events(channel.id, query="100%")] == [third]
    assert await log.events(channel.id, query="1%0") == []  # % is a character, not a wildcard
    assert [e.id for e in await log.events(channel.id, max_id=third)] == [second, first]
    assert [e.id for e in await log.events(channel.id, min_id=first)] == [third, second]
    assert [e.id for e in await log.events(channel.id, limit=1)] == [third]
    assert [e.id for e in await log.events(channel.id, since=NOW + 1)] == [third, second]

    assert await log.prune_before(NOW + 1) == 2
    assert [e.id for e in await log.events(channel.id)] == [third, second]

