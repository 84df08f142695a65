"""Supergroups and channels (storage/channels.py and its neighbours): the channel, its
participants, usernames shared with users, invite links, on both backends
(tests/storage/conftest.py). Messages, the log and read state: test_channel_messages.py."""

from __future__ import annotations

import inspect
import itertools
import typing

import pytest
import trio

from storage import interface
from storage.interface import (AlreadyParticipant, ChannelNotFound, ChatNotModified, ChatTooBig, InviteExpired,
                               InviteInvalid, NotMember, NotParticipant, ParticipantIsCreator, UsernameTaken,
                               UserKicked)
from storage.models import (ChannelInviteImporterRecord, ChannelInviteRecord, ChannelJoinRequestRecord,
                            ChannelMessageRecord, ChannelParticipantRecord, ChannelRecord,
                            ChannelUpdateRecord, ContactRecord)
from storage.peer import Peer

NOW = 1_700_000_000
KICK = 1  # chatBannedRights.view_messages
NO_MEDIA = 1 << 2  # chatBannedRights.send_media
ADMIN_RIGHTS = 0b1111


_phones = itertools.count(1555_000_000)


async def users(storage, *names):
    """New users named "First Last", their ids."""
    return [(await storage.users.create(str(next(_phones)), first, last)).id
            for first, _, last in (name.partition(" ") for name in names)]


async def channel_with(storage, creator, *members, **options):
    channel = (await storage.channels.create(creator, "Team", date=NOW, **options)).channel
    for user in members:
        await storage.channel_participants.add(channel.id, user, inviter_id=creator, date=NOW)
    return await storage.channels.get(channel.id)


async def roles(storage, channel_id):
    listed, _ = await storage.channel_participants.list(channel_id, filter="recent")
    return {p.user_id: p.role for p in listed}


async def dialog_row(storage, owner, channel_id):
    return await storage.db.fetchrow("SELECT top_message, pinned_order FROM dialogs WHERE owner_id = $1"
                                     " AND peer_id = $2", owner, Peer.channel(channel_id).key)


RECORD_TABLES = [(ChannelRecord, "channels"), (ChannelParticipantRecord, "channel_participants"),
                 (ChannelMessageRecord, "channel_messages"), (ChannelUpdateRecord, "channel_update_log"),
                 (ChannelInviteRecord, "channel_invites"), (ChannelJoinRequestRecord, "channel_join_requests"),
                 (ChannelInviteImporterRecord, "channel_invite_importers")]


@pytest.mark.parametrize("record, table", RECORD_TABLES, ids=[t for _, t in RECORD_TABLES])
async def test_every_channel_record_field_has_a_column(storage, record, table):
    if storage.backend == "sqlite":
        rows = await storage.db.fetch(f"SELECT name FROM pragma_table_info('{table}')")
    else:
        rows = await storage.db.fetch("SELECT column_name FROM information_schema.columns"
                                      " WHERE table_schema = current_schema() AND table_name = $1", table)
    assert {row[0] for row in rows} == set(record.__struct_fields__)


CHANNEL_REPOSITORIES = ["usernames", "channels", "channel_participants", "channel_messages", "channel_views",
                        "channel_dialogs", "channel_log", "channel_invites", "channel_joins"]


@pytest.mark.parametrize("name", CHANNEL_REPOSITORIES)
async def test_the_repositories_implement_their_protocols(storage, name):
    protocol = typing.get_type_hints(interface.Storage)[name]
    repository = getattr(storage, name)
    for method in (m for m in vars(protocol) if not m.startswith("_")):
        wanted = inspect.signature(getattr(protocol, method))
        found = inspect.signature(getattr(repository, method))
        assert list(found.parameters) == list(wanted.parameters)[1:], f"{name}.{method}"


# -- the channel ---------------------------------------------------------------------------------


async def test_create_makes_the_creator_a_member_and_opens_with_a_service_message(storage):
    a, = await users(storage, "Ann")
    created = await storage.channels.create(a, "News", date=NOW, about="all of it", broadcast=True,
                                            creator_rights=ADMIN_RIGHTS)
    channel = created.channel
    assert channel.id >= 1_000_000_000 and channel.access_hash != 0
    assert (channel.title, channel.about, channel.broadcast, channel.megagroup, channel.creator_id) == (
        "News", "all of it", True, False, a)
    assert (channel.pts, channel.last_message_id, channel.top_message, channel.top_date) == (2, 1, 1, NOW)
    counts = (channel.participants_count, channel.admins_count, channel.kicked_count, channel.banned_count)
    assert counts == (1, 1, 0, 0)
    assert (created.creator.role, created.creator.admin_rights) == ("creator", ADMIN_RIGHTS)
    opening = created.sent.message
    assert (opening.id, opening.sender_id, opening.from_id, created.sent.pts) == (1, a, a, 2)
    assert opening.action == {"_": "messageActionChannelCreate", "title": "News"}
    assert await storage.channels.get(channel.id) == channel
    other = (await storage.channels.create(a, "Chat", date=NOW, megagroup=True)).channel
    assert other.id == channel.id + 1
    assert await storage.channels.get_many([other.id, 5, channel.id, other.id]) == [other, channel]
    migrated = await storage.channels.create(a, "Old group", date=NOW, megagroup=True, migrated_from_chat_id=7,
                                             migrated_from_max_id=30, action={"_": "messageActionChannelMigrateFrom",
                                                                              "title": "Old group", "chat_id": 7})
    assert (migrated.channel.migrated_from_chat_id, migrated.channel.migrated_from_max_id) == (7, 30)
    assert migrated.sent.message.action["_"] == "messageActionChannelMigrateFrom"


async def test_edit_changes_fields_and_refuses_a_change_that_changes_nothing(storage):
    a, = await users(storage, "Ann")
    channel = await channel_with(storage, a, megagroup=True)
    photo = {"chat_photo": {"_": "chatPhoto", "photo_id": 5}, "photo": {"_": "photo", "id": 5}}
    edited = await storage.channels.edit(channel.id, title="Team 2", about="x", photo=photo, slowmode_seconds=30,
                                         default_banned_rights=NO_MEDIA, pre_history_hidden=True, signatures=True)
    assert (edited.title, edited.about, edited.photo, edited.slowmode_seconds, edited.default_banned_rights,
            edited.pre_history_hidden, edited.signatures) == ("Team 2", "x", photo, 30, NO_MEDIA, True, True)
    assert await storage.channels.get(channel.id) == edited
    assert (await storage.channels.edit(channel.id, photo=None)).photo is None
    with pytest.raises(ChatNotModified):
        await storage.channels.edit(channel.id, title="Team 2", slowmode_seconds=30)
    with pytest.raises(ValueError):
        await storage.channels.edit(channel.id, pts=100)
    with pytest.raises(ChannelNotFound):
        await storage.channels.edit(424242, title="nobody")


async def test_delete_deactivates_frees_the_username_and_drops_member_dialogs(storage):
    a, b = await users(storage, "Ann", "Bob")
    channel = await channel_with(storage, a, b)
    await storage.channels.set_username(channel.id, "team")
    assert await dialog_row(storage, b, channel.id) is not None
    deleted, members = await storage.channels.delete(channel.id)
    assert deleted.deactivated and deleted.username is None and members == [a, b]
    assert await dialog_row(storage, b, channel.id) is None
    assert await storage.usernames.resolve("team") is None
    assert await storage.channel_participants.channel_ids(b) == []
    with pytest.raises(ChannelNotFound):
        await storage.channel_messages.send(channel.id, a, date=NOW, message="anyone?")
    with pytest.raises(ChannelNotFound):
        await storage.channels.delete(channel.id)
    assert (await storage.channels.get(channel.id)).deactivated


async def test_public_channels_are_found_by_username_and_title(storage):
    a, = await users(storage, "Ann")
    news = await channel_with(storage, a)
    await storage.channels.edit(news.id, title="Daily Новости")
    await storage.channels.set_username(news.id, "Daily_News")
    private = await channel_with(storage, a)
    await storage.channels.edit(private.id, title="Daily secrets")
    assert (await storage.channels.by_username("daily_news")).id == news.id
    assert [c.id for c in await storage.channels.search("DAILY")] == [news.id]
    assert [c.id for c in await storage.channels.search("новости")] == [news.id]
    assert await storage.channels.search("secrets") == [] and await storage.channels.search("  ") == []


# -- usernames: one name space for users and channels --------------------------------------------


async def test_usernames_are_unique_across_users_and_channels(storage):
    a, b = await users(storage, "Ann", "Bob")
    channel = await channel_with(storage, a)
    await storage.users.set_username(a, "Ann_Lee")
    with pytest.raises(UsernameTaken):
        await storage.channels.set_username(channel.id, "ann_lee")
    assert (await storage.channels.get(channel.id)).username is None
    renamed = await storage.channels.set_username(channel.id, "TeamChat")
    assert renamed.username == "TeamChat"
    with pytest.raises(UsernameTaken):
        await storage.users.set_username(b, "teamchat")
    assert (await storage.users.get(b)).username is None
    assert await storage.usernames.resolve("TEAMCHAT") == Peer.channel(channel.id)
    assert await storage.usernames.resolve("ann_LEE") == Peer.user(a)
    assert await storage.usernames.resolve("nobody") is None
    assert await storage.usernames.of(Peer.channel(channel.id)) == "teamchat"
    # A new name frees the old one; the holder may change its own name's case.
    await storage.channels.set_username(channel.id, "teamchat")
    await storage.channels.set_username(channel.id, "Other")
    assert (await storage.users.set_username(b, "TeamChat")).username == "TeamChat"
    await storage.users.set_username(a, None)
    assert (await storage.channels.set_username(channel.id, "ann_lee")).username == "ann_lee"
    with pytest.raises(ChatNotModified):
        await storage.channels.set_username(channel.id, "ann_lee")
    assert (await storage.channels.set_username(channel.id, None)).username is None
    assert await storage.usernames.resolve("ann_lee") is None


async def test_one_of_many_racing_for_a_username_gets_it(storage):
    people = await users(storage, *[f"U{i}" for i in range(6)])
    channels = [await channel_with(storage, people[0]) for _ in range(6)]
    won, lost = [], []

    async def take(kind, owner_id):
        try:
            if kind == "user":
                await storage.users.set_username(owner_id, "Prize")
            else:
                await storage.channels.set_username(owner_id, "prize")
        except UsernameTaken:
            lost.append((kind, owner_id))
        else:
            won.append((kind, owner_id))

    async with trio.open_nursery() as nursery:
        for user_id, channel in zip(people, channels):
            nursery.start_soon(take, "user", user_id)
            nursery.start_soon(take, "channel", channel.id)
    assert len(won) == 1 and len(lost) == 11
    kind, owner = won[0]
    expected = Peer.user(owner) if kind == "user" else Peer.channel(owner)
    assert await storage.usernames.resolve("PRIZE") == expected
    holders = [u for u in await storage.users.get_many(people) if u.username] + [
        c for c in await storage.channels.get_many([c.id for c in channels]) if c.username]
    assert len(holders) == 1


async def test_the_migration_reserves_the_usernames_users_had(backend, storage):
    a, = await users(storage, "Ann")
    await storage.users.set_username(a, "Keeper")
    # As if 0011 ran over a database whose users already had usernames.
    await storage.db.execute("DELETE FROM usernames")
    from storage.migrations import migrations
    step = next(m for m in migrations(backend.name) if m.name == "0011_channels.sql")
    fill = next(line for line in step.sql.splitlines() if line.startswith("INSERT INTO usernames"))
    await storage.db.execute(fill.rstrip(";"))
    assert await storage.usernames.resolve("keeper") == Peer.user(a)


# -- participants --------------------------------------------------------------------------------


async def test_joining_and_leaving_move_the_counts_and_the_member_dialog_row(storage):
    a, b, c = await users(storage, "Ann", "Bob", "Cid")
    channel = await channel_with(storage, a)
    await storage.channel_messages.send(channel.id, a, date=NOW, message="before B")
    joined = await storage.channel_participants.add(channel.id, b, inviter_id=b, date=NOW + 1)
    assert (joined.before, joined.after.role, joined.after.inviter_id) == (None, "member", b)
    assert joined.after.date == NOW + 1
    assert joined.after.read_inbox_max_id == 2  # what was there is read
    assert joined.channel.participants_count == 2
    assert tuple(await dialog_row(storage, b, channel.id)) == (0, None)
    with pytest.raises(AlreadyParticipant):
        await storage.channel_participants.add(channel.id, b, inviter_id=a, date=NOW)
    with pytest.raises(ChatTooBig):
        await storage.channel_participants.add(channel.id, c, inviter_id=a, date=NOW, limit=2)
    left = await storage.channel_participants.leave(channel.id, b, date=NOW + 2)
    assert (left.before.role, left.after.role, left.channel.participants_count) == ("member", "left", 1)
    assert await dialog_row(storage, b, channel.id) is None
    with pytest.raises(NotParticipant):
        await storage.channel_participants.leave(channel.id, b, date=NOW)
    assert await storage.channel_participants.channel_ids(b) == []
    again = await storage.channel_participants.add(channel.id, b, inviter_id=a, date=NOW + 3)
    assert again.after.role == "member" and again.channel.participants_count == 2
    assert await storage.channel_participants.channel_ids(b) == [channel.id]
    assert list(await storage.channel_participants.memberships(b, [channel.id, 5])) == [channel.id]
    # The creator who leaves and comes back is the creator again.
    await storage.channel_participants.leave(channel.id, a, date=NOW)
    assert (await storage.channels.get(channel.id)).admins_count == 0
    back = await storage.channel_participants.add(channel.id, a, inviter_id=a, date=NOW)
    assert back.after.role == "creator" and back.channel.admins_count == 1


async def test_hidden_prehistory_hides_what_came_before_a_join(storage):
    a, b = await users(storage, "Ann", "Bob")
    channel = await channel_with(storage, a, megagroup=True)
    await storage.channels.edit(channel.id, pre_history_hidden=True)
    await storage.channel_messages.send(channel.id, a, date=NOW, message="old")
    joined = await storage.channel_participants.add(channel.id, b, inviter_id=a, date=NOW)
    assert joined.after.available_min_id == 2


async def test_admins_bans_and_kicks(storage):
    a, b, c, d = await users(storage, "Ann", "Bob", "Cid", "Dan")
    channel = await channel_with(storage, a, b, c)
    promoted = await storage.channel_participants.set_admin(channel.id, b, rights=ADMIN_RIGHTS, rank="mod",
                                                            promoted_by=a, date=NOW + 1)
    assert (promoted.after.role, promoted.after.admin_rights, promoted.after.rank, promoted.after.promoted_by) == (
        "admin", ADMIN_RIGHTS, "mod", a)
    assert promoted.channel.admins_count == 2
    # Promoting a non-member adds them.
    added = await storage.channel_participants.set_admin(channel.id, d, rights=1, rank=None, promoted_by=a, date=NOW)
    assert added.before is None and added.after.role == "admin" and added.channel.participants_count == 4
    demoted = await storage.channel_participants.set_admin(channel.id, d, rights=0, rank=None, promoted_by=a, date=NOW)
    assert demoted.after.role == "member" and demoted.channel.admins_count == 2
    own = await storage.channel_participants.set_admin(channel.id, a, rights=7, rank="boss", promoted_by=a, date=NOW)
    assert (own.after.role, own.after.admin_rights, own.after.rank) == ("creator", 7, "boss")
    with pytest.raises(ParticipantIsCreator):
        await storage.channel_participants.set_banned(channel.id, a, rights=KICK, until_date=0, kicked_by=b, date=NOW)

    restricted = await storage.channel_participants.set_banned(channel.id, c, rights=NO_MEDIA, until_date=NOW + 60,
                                                               kicked_by=b, date=NOW + 2)
    assert (restricted.after.role, restricted.after.banned_rights, restricted.after.banned_until) == (
        "restricted", NO_MEDIA, NOW + 60)
    assert (restricted.channel.participants_count, restricted.channel.banned_count) == (4, 1)
    # A restricted member is still a member: they post, and leaving does not lift it.
    await storage.channel_messages.send(channel.id, c, date=NOW, message="still here")
    await storage.channel_participants.leave(channel.id, c, date=NOW)
    assert (await storage.channel_participants.add(channel.id, c, inviter_id=c, date=NOW)).after.role == "restricted"

    kicked = await storage.channel_participants.set_banned(channel.id, b, rights=KICK | NO_MEDIA, until_date=0,
                                                           kicked_by=a, date=NOW + 3)
    assert (kicked.after.role, kicked.after.admin_rights, kicked.after.kicked_by) == ("kicked", 0, a)
    assert (kicked.channel.participants_count, kicked.channel.admins_count, kicked.channel.kicked_count) == (3, 1, 1)
    assert await dialog_row(storage, b, channel.id) is None
    with pytest.raises(NotMember):
        await storage.channel_messages.send(channel.id, b, date=NOW, message="let me back")
    with pytest.raises(UserKicked):
        await storage.channel_participants.add(channel.id, b, inviter_id=b, date=NOW)
    with pytest.raises(UserKicked):
        await storage.channel_participants.set_admin(channel.id, b, rights=1, rank=None, promoted_by=a, date=NOW)
    # An admin may add a kicked user back; kicking a non-member bans them beforehand.
    back = await storage.channel_participants.add(channel.id, b, inviter_id=a, date=NOW, lift_ban=True)
    assert back.after.role == "member" and back.after.banned_rights == 0
    e, = await users(storage, "Eve Outsider")
    banned = await storage.channel_participants.set_banned(channel.id, e, rights=KICK, until_date=0, kicked_by=a,
                                                           date=NOW)
    assert banned.before is None and banned.after.role == "kicked" and banned.channel.kicked_count == 1
    unbanned = await storage.channel_participants.set_banned(channel.id, e, rights=0, until_date=0, kicked_by=a,
                                                             date=NOW)
    assert unbanned.after.role == "left" and unbanned.channel.kicked_count == 0
    unrestricted = await storage.channel_participants.set_banned(channel.id, c, rights=0, until_date=0, kicked_by=a,
                                                                 date=NOW)
    assert unrestricted.after.role == "member" and unrestricted.channel.banned_count == 0
    with pytest.raises(NotParticipant):
        await storage.channel_participants.set_banned(channel.id, e, rights=NO_MEDIA, until_date=0, kicked_by=a,
                                                      date=NOW)
    await _check_counts(storage, channel.id)


async def test_the_creator_hands_the_channel_over(storage):
    a, b, c = await users(storage, "Ann", "Bob", "Cid")
    channel = await channel_with(storage, a, b)
    with pytest.raises(NotParticipant):
        await storage.channel_participants.transfer_creator(channel.id, c, old_creator_rights=3, date=NOW)
    old, new = await storage.channel_participants.transfer_creator(channel.id, b, old_creator_rights=3, date=NOW)
    assert (old.after.role, old.after.admin_rights, new.after.role) == ("admin", 3, "creator")
    assert new.channel.creator_id == b and new.channel.admins_count == 2
    with pytest.raises(ParticipantIsCreator):
        await storage.channel_participants.set_banned(channel.id, b, rights=KICK, until_date=0, kicked_by=a, date=NOW)
    await _check_counts(storage, channel.id)


async def test_participant_filters(storage):
    a, b, c, d, e, f = await users(storage, "Ann Lee", "Bob Annson", "Cid Vega", "Dan Ray", "Иван Петров", "Fay Lo")
    await storage.users.set_username(d, "annex_dan")
    channel = (await storage.channels.create(a, "T", date=NOW)).channel
    for i, user in enumerate((b, c, d, e, f)):
        await storage.channel_participants.add(channel.id, user, inviter_id=a, date=NOW + i + 1)
    await storage.channel_participants.set_admin(channel.id, c, rights=1, rank=None, promoted_by=a, date=NOW + 10)
    await storage.channel_participants.set_banned(channel.id, e, rights=NO_MEDIA, until_date=0, kicked_by=a,
                                                  date=NOW + 11)
    await storage.channel_participants.set_banned(channel.id, f, rights=KICK, until_date=0, kicked_by=a, date=NOW + 12)
    await storage.contacts.upsert(ContactRecord(owner_id=a, user_id=b))
    await storage.contacts.upsert(ContactRecord(owner_id=a, user_id=f))  # kicked: not a member

    async def listed(filter, **options):
        found, count = await storage.channel_participants.list(channel.id, filter=filter, **options)
        return [p.user_id for p in found], count

    # recent: members (restricted ones too) by the date their role began, newest first.
    assert await listed("recent") == ([e, c, d, b, a], 5)
    assert await listed("recent", offset=1, limit=2) == ([c, d], 5)
    assert await listed("admins") == ([a, c], 2)
    assert await listed("kicked") == ([f], 1)
    assert await listed("banned") == ([e], 1)
    assert await listed("search", query="ann") == ([d, b, a], 3)  # names, and the start of a username
    assert await listed("search", query="ИВАН") == ([e], 1)
    assert await listed("search", query="%") == ([], 0)
    assert await listed("kicked", query="fay") == ([f], 1) and await listed("kicked", query="bob") == ([], 0)
    assert await listed("contacts", viewer_id=a) == ([b], 1)
    assert await listed("contacts") == ([], 0) and await listed("bots") == ([], 0)
    with pytest.raises(ValueError):
        await listed("mentions")
    got = await storage.channel_participants.get_many(channel.id, [b, f, 5])
    assert {u: p.role for u, p in got.items()} == {b: "member", f: "kicked"}
    assert (await storage.channel_participants.get(channel.id, 5)) is None


async def _check_counts(storage, channel_id):
    """The kept counts are what the rows say."""
    rows = await storage.db.fetch("SELECT role, count(*) FROM channel_participants WHERE channel_id = $1"
                                  " GROUP BY role", channel_id)
    by_role = {row[0]: row[1] for row in rows}
    channel = await storage.channels.get(channel_id)
    members = sum(by_role.get(r, 0) for r in ("creator", "admin", "member", "restricted"))
    assert (channel.participants_count, channel.admins_count, channel.kicked_count, channel.banned_count) == (
        members, by_role.get("creator", 0) + by_role.get("admin", 0), by_role.get("kicked", 0),
        by_role.get("restricted", 0))


async def test_concurrent_joins_keep_the_counts(storage):
    a, *others = await users(storage, *[f"U{i}" for i in range(21)])
    channel = await channel_with(storage, a)

    async def join_and_maybe_leave(user, leave):
        await storage.channel_participants.add(channel.id, user, inviter_id=user, date=NOW)
        if leave:
            await storage.channel_participants.leave(channel.id, user, date=NOW)

    async with trio.open_nursery() as nursery:
        for i, user in enumerate(others):
            nursery.start_soon(join_and_maybe_leave, user, i % 4 == 0)
    assert (await storage.channels.get(channel.id)).participants_count == 1 + 15
    await _check_counts(storage, channel.id)


# -- invite links --------------------------------------------------------------------------------


async def test_joining_by_invite_link(storage):
    a, b, c, d = await users(storage, "Ann", "Bob", "Cid", "Dan")
    channel = await channel_with(storage, a)
    first = await storage.channel_invites.create(channel.id, a, date=NOW, permanent=True)
    link = await storage.channel_invites.create(channel.id, a, date=NOW + 1, usage_limit=2, title="two")
    assert (await storage.channel_invites.get(first.hash)).permanent
    permanent = await storage.channel_invites.create(channel.id, a, date=NOW + 2, permanent=True)
    assert (await storage.channel_invites.get(first.hash)).revoked  # one primary link at a time
    assert [i.hash for i in await storage.channel_invites.list(channel.id)] == [permanent.hash, link.hash]
    assert [i.hash for i in await storage.channel_invites.list(channel.id, revoked=True)] == [first.hash]

    change, used = await storage.channel_invites.join(link.hash, b, date=NOW)
    assert (change.after.role, change.after.inviter_id, used.usage) == ("member", a, 1)
    with pytest.raises(AlreadyParticipant):
        await storage.channel_invites.join(link.hash, b, date=NOW)
    await storage.channel_invites.join(link.hash, c, date=NOW)
    with pytest.raises(InviteExpired):
        await storage.channel_invites.join(link.hash, d, date=NOW)  # used up
    with pytest.raises(InviteExpired):
        await storage.channel_invites.join(first.hash, d, date=NOW)  # revoked
    with pytest.raises(InviteInvalid):
        await storage.channel_invites.join("nope", d, date=NOW)
    edited = await storage.channel_invites.edit(link.hash, usage_limit=0, expire_date=NOW + 5, title="t")
    assert (edited.usage_limit, edited.expire_date, edited.title) == (None, NOW + 5, "t")
    with pytest.raises(InviteExpired):
        await storage.channel_invites.join(link.hash, d, date=NOW + 5)  # expired
    await storage.channel_participants.set_banned(channel.id, d, rights=KICK, until_date=0, kicked_by=a, date=NOW)
    with pytest.raises(UserKicked):
        await storage.channel_invites.join(permanent.hash, d, date=NOW)
    assert await storage.channel_invites.delete(link.hash) and await storage.channel_invites.get(link.hash) is None
    assert await storage.channel_invites.edit("nope", title="x") is None
