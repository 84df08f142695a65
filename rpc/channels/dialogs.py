"""A member's dialog with a channel, in TL: read marks, unread count, the channel's pts,
pin, unread mark, draft and notification settings (storage/channel_dialogs.py composes
it when read). rpc/services/dialogs_view.py renders dialog lists of every kind through
here; messages.getDialogs merges them (rpc/messages/messages.py).

A public channel's reader who is no member has no dialog of their own: they are shown
the channel's (its top message and pts, nothing read, nothing unread).
"""

from __future__ import annotations

from storage.models import ChannelDialogRecord, ChannelRecord, NotifySettingsRecord
from storage.peer import Peer
from tl import types as T

from ..services.notify_view import settings_object
from .access import ChannelAccess


def dialog_object(record: ChannelDialogRecord, *, notify: NotifySettingsRecord | None, draft):
    """T.Dialog of a channel dialog; `draft` is a DraftMessage already made, or None."""
    return T.Dialog(pinned=record.pinned_order is not None, unread_mark=record.unread_mark,
                    peer=T.PeerChannel(channel_id=record.channel_id), top_message=record.top_message,
                    read_inbox_max_id=record.read_inbox_max_id, read_outbox_max_id=record.read_outbox_max_id,
                    unread_count=record.unread_count, unread_mentions_count=0, unread_reactions_count=0,
                    unread_poll_votes_count=0, notify_settings=settings_object(notify), pts=record.pts, draft=draft)


def readers_dialog(channel: ChannelRecord) -> ChannelDialogRecord:
    """The dialog shown to a reader who is not a member."""
    return ChannelDialogRecord(channel_id=channel.id, top_message=channel.top_message, date=channel.top_date,
                               read_inbox_max_id=channel.top_message, read_outbox_max_id=channel.read_outbox_max_id,
                               unread_count=0, pts=channel.pts)


async def dialog_record(storage, viewer_id: int, channel: ChannelRecord) -> ChannelDialogRecord:
    """The viewer's dialog with a channel they may see: their own as a member, the
    reader's otherwise."""
    return await storage.channel_dialogs.dialog(viewer_id, channel.id) or readers_dialog(channel)


async def channel_dialog_object(storage, viewer_id: int, access: ChannelAccess):
    """The viewer's T.Dialog with the channel (channelDifferenceTooLong, getPeerDialogs)."""
    record = await dialog_record(storage, viewer_id, access.channel)
    notify = await storage.notify_settings.get(viewer_id, "peer", Peer.channel(access.channel.id))
    return dialog_object(record, notify=notify, draft=None)

