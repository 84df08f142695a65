"""Seeding a channel for the benchmark (bench/bench_channel.py): users in bulk
(tools/loadgen/accounts.py create_users) and members in bulk
(storage/channel_participants.py add_members_in_bulk) leave the rows the one-at-a-time
writes leave, on both backends (tests/storage/conftest.py)."""

from __future__ import annotations

import msgspec
import pytest

from storage.channel_participants import add_members_in_bulk
from storage.interface import AlreadyParticipant
from tools.loadgen.accounts import create_users

from .test_channels import NOW, dialog_row, users


async def test_bulk_members_have_the_rows_of_members_added_one_by_one(storage):
    creator, = await users(storage, "Ann Creator")
    seeded = await create_users(storage, 450)  # more than one statement's worth
    assert len(set(seeded)) == 450
    assert len(await storage.users.get_many(seeded)) == 450
    assert await storage.db.fetchval("SELECT count(*) FROM update_state WHERE user_id = $1", seeded[-1]) == 1
    one_by_one = (await storage.channels.create(creator, "One", date=NOW, megagroup=True)).channel
    bulk = (await storage.channels.create(creator, "Bulk", date=NOW, megagroup=True)).channel
    for user in seeded[:3]:
        await storage.channel_participants.add(one_by_one.id, user, inviter_id=creator, date=NOW)
    after = await add_members_in_bulk(storage.db, bulk.id, seeded, inviter_id=creator, date=NOW)

    assert after.participants_count == 451 == (await storage.channels.get(bulk.id)).participants_count
    assert (await storage.channel_participants.list(bulk.id))[1] == 451  # the rows, counted
    for user in seeded[:3]:
        added = await storage.channel_participants.get(one_by_one.id, user)
        assert await storage.channel_participants.get(bulk.id, user) == msgspec.structs.replace(added,
                                                                                               channel_id=bulk.id)
        assert await dialog_row(storage, user, bulk.id) == await dialog_row(storage, user, one_by_one.id)
    assert bulk.id in await storage.channel_participants.channel_ids(seeded[-1])


async def test_bulk_members_refuse_a_user_already_in_the_channel(storage):
    creator, member = await users(storage, "Ann Creator", "Bob Member")
    channel = (await storage.channels.create(creator, "Team", date=NOW, megagroup=True)).channel
    await storage.channel_participants.add(channel.id, member, inviter_id=creator, date=NOW)
    others = await create_users(storage, 2)
    with pytest.raises(AlreadyParticipant):
        await add_members_in_bulk(storage.db, channel.id, [*others, member], inviter_id=creator, date=NOW)
    assert (await storage.channels.get(channel.id)).participants_count == 2  # nothing of the batch stayed
    assert await storage.channel_participants.get(channel.id, others[0]) is None
