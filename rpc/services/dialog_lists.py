"""messages.getDialogs' one list from two sources: box dialogs (private chats and basic
groups, storage Messages.dialogs) and channel dialogs (storage ChannelDialogs.dialogs),
merged by the date of their top message, newest first.

Where dates are equal, channels come before box dialogs, each kind in its own order
(channels by id, box dialogs by top message, both descending), so a page's last dialog
is an offset both sources agree on: after a channel, the channels older than it and the
box dialogs of its date or older; after a box dialog, the box dialogs older than it and
the channels strictly older. An offset given as a message id alone (no date) takes
that message's date.
"""

from __future__ import annotations

from storage.models import ChannelDialogRecord, DialogRecord
from tl import types as T

_NO_ID_LIMIT = 2**31  # above any message id: "every dialog of that date"


def _key(record) -> tuple:
    if isinstance(record, ChannelDialogRecord):
        return (-record.date, 0, -record.channel_id)
    return (-record.date, 1, -record.top_message)


async def merged_dialogs(storage, user_id: int, *, offset_date: int, offset_id: int, offset_peer,
                         limit: int) -> tuple[list[DialogRecord | ChannelDialogRecord], int]:
    """(up to `limit` unpinned dialogs after the offset, the count of all dialogs)."""
    after_channel = offset_peer.channel_id if isinstance(offset_peer, T.InputPeerChannel) else None
    if not offset_date and after_channel is not None:
        channel = await storage.channels.get(after_channel)
        offset_date = channel.top_date if channel is not None else 0
    elif not offset_date and offset_id:
        found = await storage.messages.get(user_id, [offset_id])
        offset_date = found[0].date if found else 0
    if after_channel is not None and offset_date:
        box_offset = dict(offset_date=offset_date, offset_id=_NO_ID_LIMIT)
        channel_offset = dict(offset_date=offset_date, offset_channel_id=after_channel)
    elif offset_date:
        box_offset = dict(offset_date=offset_date, offset_id=offset_id or _NO_ID_LIMIT)
        # Strictly older: dates are whole seconds.
        channel_offset = dict(offset_date=offset_date - 1)
    else:
        box_offset, channel_offset = {}, {}
    boxes, box_total = await storage.messages.dialogs(user_id, limit=max(0, limit), exclude_pinned=True, **box_offset)
    channels, channel_total = await storage.channel_dialogs.dialogs(user_id, limit=max(0, limit), exclude_pinned=True,
                                                                    **channel_offset)
    return sorted([*boxes, *channels], key=_key)[:max(0, limit)], box_total + channel_total
