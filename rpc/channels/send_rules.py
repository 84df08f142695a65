"""Who may post what into a supergroup or channel, and as whom: the checks every send,
album and forward into a channel makes first (rpc/channels/post.py), with Telegram's
errors; storage checks membership again under the channel's lock.

- Not a member: CHAT_WRITE_FORBIDDEN (a public channel is read, not written, before
  joining).
- A broadcast channel: only the creator and admins with post_messages post
  (CHAT_ADMIN_REQUIRED).
- A supergroup: admins may do everything; a member what neither the channel's default
  banned rights nor their own restriction forbids (core.telegram.org/api/rights).
  send_messages forbids every send (USER_BANNED_IN_CHANNEL when it is the member's own
  restriction, CHAT_WRITE_FORBIDDEN when it is the channel's default); media are checked
  by kind (send_media, then send_photos, send_videos, ...: CHAT_SEND_MEDIA_FORBIDDEN,
  CHAT_SEND_STICKERS_FORBIDDEN, CHAT_SEND_GIFS_FORBIDDEN), text by send_plain.
- Slow mode: a member (not an admin) sends once per slowmode_seconds (SLOWMODE_WAIT_X
  with the seconds left), one message at a time (SLOWMODE_MULTI_MSGS_DISABLED).

As whom: a broadcast post shows the channel as its author, signed with the sender's
name when the channel has signatures; an anonymous admin of a supergroup writes as the
group, signed with their rank.
"""

from __future__ import annotations

from storage.models import ChannelParticipantRecord, ChannelRecord
from storage.peer import Peer

from ..errors import E, RpcError, numbered
from .access import ChannelAccess
from .rights import admin_bit, banned_bit, forbidden, has_admin_right, is_admin


def _own_restriction(me: ChannelParticipantRecord, name: str, now: int) -> bool:
    return me.role == "restricted" and bool(me.banned_rights & banned_bit(name)) and (
        me.banned_until == 0 or me.banned_until > now)


def media_right(media: dict | None) -> tuple[str, str] | None:
    """(the banned right, the error) that governs sending this stored media."""
    if not media:
        return None
    if media.get("_") == "photo":
        return "send_photos", E.CHAT_SEND_MEDIA_FORBIDDEN
    attributes = {a.get("_"): a for a in (media.get("document") or {}).get("attributes", ())}
    if "documentAttributeSticker" in attributes:
        return "send_stickers", E.CHAT_SEND_STICKERS_FORBIDDEN
    if "documentAttributeAnimated" in attributes:
        return "send_gifs", E.CHAT_SEND_GIFS_FORBIDDEN
    video = attributes.get("documentAttributeVideo")
    if video is not None:
        return ("send_roundvideos" if video.get("round_message") else "send_videos"), E.CHAT_SEND_MEDIA_FORBIDDEN
    audio = attributes.get("documentAttributeAudio")
    if audio is not None:
        return ("send_voices" if audio.get("voice") else "send_audios"), E.CHAT_SEND_MEDIA_FORBIDDEN
    return "send_docs", E.CHAT_SEND_MEDIA_FORBIDDEN


def check_can_post(access: ChannelAccess, now: int, *, text: bool = True, media: bool = False) -> None:
    """Raises what Telegram answers a sender who may not post here (before any media is
    processed; `check_media` follows once its kind is known)."""
    channel, me = access.channel, access.me
    if not access.member:
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN)
    if channel.broadcast:
        if not has_admin_right(me, channel, "post_messages"):
            raise RpcError(403, E.CHAT_ADMIN_REQUIRED)
        return
    if is_admin(me):
        return
    if _own_restriction(me, "send_messages", now):
        raise RpcError(400, E.USER_BANNED_IN_CHANNEL)
    if forbidden(me, channel, "send_messages", now):
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN)
    if media and forbidden(me, channel, "send_media", now):
        raise RpcError(403, E.CHAT_SEND_MEDIA_FORBIDDEN)
    if text and not media and forbidden(me, channel, "send_plain", now):
        raise RpcError(403, E.CHAT_SEND_PLAIN_FORBIDDEN)


def check_media(access: ChannelAccess, now: int, media: dict | None) -> None:
    """The media's own kind (photos, videos, stickers...) against the member's rights."""
    governing = media_right(media)
    if governing is not None and forbidden(access.me, access.channel, governing[0], now):
        raise RpcError(403, governing[1])


async def check_slow_mode(storage, access: ChannelAccess, now: int, count: int = 1) -> None:
    channel = access.channel
    if not channel.slowmode_seconds or channel.broadcast or is_admin(access.me):
        return
    if count > 1:
        raise RpcError(400, E.SLOWMODE_MULTI_MSGS_DISABLED)
    last = await storage.channel_messages.last_sent_date(channel.id, access.me.user_id)
    if last is not None and now < last + channel.slowmode_seconds:
        raise RpcError(420, numbered(E.SLOWMODE_WAIT_X, last + channel.slowmode_seconds - now))


def author_fields(channel: ChannelRecord, me: ChannelParticipantRecord, sender_name: str) -> dict:
    """from_id (a storage peer id; absent: the sender) and post_author of a new message."""
    as_channel = Peer.channel(channel.id).key
    if channel.broadcast:
        return {"from_id": as_channel, "post_author": sender_name if channel.signatures else None}
    if is_admin(me) and me.admin_rights & admin_bit("anonymous"):
        return {"from_id": as_channel, "post_author": me.rank}
    return {}
