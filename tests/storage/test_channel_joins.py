"""Joining channels through links (storage/channel_joins.py), on both backends: join
requests awaiting an admin, and who joined by which link."""

from __future__ import annotations

import pytest

from storage.interface import AlreadyParticipant, JoinRequestMissing, UserKicked

from .test_channels import KICK, NOW, channel_with, users


async def test_a_request_waits_for_an_admin_then_makes_a_member(storage):
    a, b, c, d = await users(storage, "Ann Admin", "Bob Asker", "Cid Asker", "Dan Member")
    channel = await channel_with(storage, a, d, megagroup=True)
    link = await storage.channel_invites.create(channel.id, a, date=NOW, request_needed=True)
    await storage.channel_joins.request(channel.id, b, date=NOW + 1, invite_hash=link.hash)
    await storage.channel_joins.request(channel.id, c, date=NOW + 2, about="let me in")
    again = await storage.channel_joins.request(channel.id, b, date=NOW + 3, invite_hash=link.hash)
    assert again.date == NOW + 3  # renewed, still one
    with pytest.raises(AlreadyParticipant):
        await storage.channel_joins.request(channel.id, d, date=NOW)

    page, count = await storage.channel_joins.requests(channel.id)
    assert ([r.user_id for r in page], count) == ([b, c], 2)
    page, count = await storage.channel_joins.requests(channel.id, invite_hash=link.hash)
    assert ([r.user_id for r in page], count) == ([b], 1)
    page, _ = await storage.channel_joins.requests(channel.id, query="cid")
    assert [(r.user_id, r.about) for r in page] == [(c, "let me in")]
    page, count = await storage.channel_joins.requests(channel.id, offset_date=NOW + 3, offset_user_id=b)
    assert ([r.user_id for r in page], count) == ([c], 2)
    assert await storage.channel_joins.pending(channel.id, [link.hash, "other"]) == {None: 2, link.hash: 1,
                                                                                     "other": 0}

    change = await storage.channel_joins.approve(channel.id, b, approved_by=a, date=NOW + 4)
    assert (change.before, change.after.role, change.after.inviter_id) == (None, "member", a)
    assert change.channel.participants_count == 3
    assert (await storage.channel_invites.get(link.hash)).usage == 1
    importers, count = await storage.channel_joins.importers(channel.id, invite_hash=link.hash)
    assert ([(i.user_id, i.approved_by) for i in importers], count) == ([(b, a)], 1)
    with pytest.raises(JoinRequestMissing):
        await storage.channel_joins.approve(channel.id, b, approved_by=a, date=NOW)
    assert await storage.channel_joins.decline(channel.id, c)
    assert not await storage.channel_joins.decline(channel.id, c)
    assert (await storage.channel_joins.pending(channel.id))[None] == 0


async def test_joining_otherwise_or_a_kick_answers_a_request(storage):
    a, b, c = await users(storage, "Ann", "Bob", "Cid")
    channel = await channel_with(storage, a, megagroup=True)
    await storage.channel_joins.request(channel.id, b, date=NOW)
    await storage.channel_joins.request(channel.id, c, date=NOW)
    await storage.channel_participants.add(channel.id, b, inviter_id=a, date=NOW)
    await storage.channel_participants.set_banned(channel.id, c, rights=KICK, until_date=0, kicked_by=a, date=NOW)
    assert await storage.channel_joins.requests(channel.id) == ([], 0)
    with pytest.raises(UserKicked):
        await storage.channel_joins.request(channel.id, c, date=NOW)


async def test_a_join_by_link_is_remembered_by_link(storage):
    a, b, c = await users(storage, "Ann", "Bob", "Cid")
    channel = await channel_with(storage, a)
    one = await storage.channel_invites.create(channel.id, a, date=NOW)
    two = await storage.channel_invites.create(channel.id, a, date=NOW)
    await storage.channel_invites.join(one.hash, b, date=NOW + 1)
    await storage.channel_invites.join(two.hash, c, date=NOW + 2)
    everyone, count = await storage.channel_joins.importers(channel.id)
    assert ([(i.user_id, i.hash, i.approved_by) for i in everyone], count) == ([(c, two.hash, None),
                                                                                (b, one.hash, None)], 2)
    by_one, _ = await storage.channel_joins.importers(channel.id, invite_hash=one.hash)
    assert [i.user_id for i in by_one] == [b]
