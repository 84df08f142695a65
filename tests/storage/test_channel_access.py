"""rpc/channels/access.py against both storage backends: resolving input channels."""

import pytest

from rpc.channels.access import open_channel
from rpc.channels.view import ChannelView
from rpc.errors import RpcError
from tl import types as T

NOW = 1_700_000_000


async def test_open_channel_errors(storage):
    owner = await storage.users.create(phone="15550001", first_name="Owner", now=NOW)
    other = await storage.users.create(phone="15550002", first_name="Other", now=NOW)
    created = await storage.channels.create(owner.id, "Private", date=NOW, megagroup=True)
    channel = created.channel
    good = T.InputChannel(channel_id=channel.id, access_hash=channel.access_hash)
    access = await open_channel(storage, owner.id, good, member=True)
    assert access.member and access.me.role == "creator"
    with pytest.raises(RpcError, match="CHANNEL_INVALID"):
        await open_channel(storage, owner.id, T.InputChannel(channel_id=channel.id, access_hash=1))
    with pytest.raises(RpcError, match="CHANNEL_INVALID"):
        await open_channel(storage, owner.id, T.InputChannelEmpty())
    with pytest.raises(RpcError, match="CHANNEL_PRIVATE"):
        await open_channel(storage, other.id, good)
    [seen] = await ChannelView(storage, owner.id).channels([channel.id, 999])
    assert seen.id == channel.id and seen.creator
