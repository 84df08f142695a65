"""A banned user's channel dialogs (storage/channel_dialogs.py), on both backends."""

from __future__ import annotations

from .test_channels import KICK, NOW, channel_with, users


async def test_a_banned_users_dialog_list_keeps_the_channel_up_to_the_ban(storage):
    """As Telegram lists it (the client shows channelForbidden): the dialog ends at the
    last message sent before the ban (in the same second too), nothing unread; `dialog`
    is for members only; a user banned before ever coming in has no dialog."""
    a, b = await users(storage, "Ann Admin", "Bob Member")
    channel = await channel_with(storage, a, b, megagroup=True)
    before = await storage.channel_messages.send(channel.id, a, date=NOW + 1, message="before")
    await storage.channel_participants.set_banned(channel.id, b, rights=KICK, until_date=0, kicked_by=a,
                                                  date=NOW + 1)
    await storage.channel_messages.send(channel.id, a, date=NOW + 1, message="after")
    stranger = (await users(storage, "Cid Stranger"))[0]
    await storage.channel_participants.set_banned(channel.id, stranger, rights=KICK, until_date=0, kicked_by=a,
                                                  date=NOW + 1)
    assert await storage.channel_dialogs.dialogs(stranger) == ([], 0)
    dialogs, total = await storage.channel_dialogs.dialogs(b)
    assert total == 1
    assert [(d.channel_id, d.top_message, d.date, d.unread_count) for d in dialogs] == [
        (channel.id, before.message.id, NOW + 1, 0)]
    assert await storage.channel_dialogs.dialog(b, channel.id) is None
    assert (await storage.channel_dialogs.dialogs(b, offset_date=NOW + 1, offset_channel_id=channel.id))[0] == []
