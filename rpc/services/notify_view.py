"""Notification settings between TL and storage: which scope an InputNotifyPeer names,
what a client may store, and how stored settings look as peerNotifySettings.

A scope is ("peer", its Peer) for one chat, or ("users" | "chats" | "broadcasts", None)
for the defaults of all private chats, groups or channels (storage/notify_settings.py).
"""

from __future__ import annotations

import tl
from storage.models import NotifySettingsRecord
from storage.peer import Peer, PeerKind
from tl import types as T

from ..errors import E, RpcError
from .peers import peer_object, resolve_input_peer

GLOBAL_SCOPES = {T.InputNotifyUsers: "users", T.InputNotifyChats: "chats", T.InputNotifyBroadcasts: "broadcasts"}
_GLOBAL_PEERS = {"users": T.NotifyUsers, "chats": T.NotifyChats, "broadcasts": T.NotifyBroadcasts}
# The kind of chat each global scope covers.
SCOPE_KINDS = {"users": PeerKind.USER, "chats": PeerKind.CHAT, "broadcasts": PeerKind.CHANNEL}
SOUND_TEXT_MAX = 256  # a local sound's title or file name; anything longer is no sound name


async def resolve_scope(storage, user_id: int, notify_peer) -> tuple[str, Peer | None]:
    """The (scope, peer) an InputNotifyPeer names, checked like any input peer."""
    for kind, scope in GLOBAL_SCOPES.items():
        if isinstance(notify_peer, kind):
            return scope, None
    if isinstance(notify_peer, T.InputNotifyPeer):
        return "peer", await resolve_input_peer(storage, user_id, notify_peer.peer)
    if isinstance(notify_peer, T.InputNotifyForumTopic):
        # Topics live in forum supergroups, which this server does not have: whatever
        # the peer is, it is no forum.
        await resolve_input_peer(storage, user_id, notify_peer.peer)
        raise RpcError(400, E.CHANNEL_FORUM_MISSING)
    raise RpcError(400, E.CHANNEL_INVALID)  # inputNotifyCommunity: no channels here either


def _sound(sound) -> dict | None:
    if sound is None:
        return None
    if isinstance(sound, (T.NotificationSoundDefault, T.NotificationSoundNone)):
        return sound.to_dict()
    if isinstance(sound, T.NotificationSoundLocal):
        if len(sound.title) > SOUND_TEXT_MAX or len(sound.data) > SOUND_TEXT_MAX:
            raise RpcError(400, E.SETTINGS_INVALID)
        return sound.to_dict()
    # notificationSoundRingtone names a saved ringtone; none can be saved here.
    raise RpcError(400, E.SETTINGS_INVALID)


def record_from_input(owner_id: int, scope: str, peer: Peer | None, settings) -> NotifySettingsRecord:
    """The inputPeerNotifySettings to store, SETTINGS_INVALID for what cannot be."""
    if not isinstance(settings, T.InputPeerNotifySettings):
        raise RpcError(400, E.SETTINGS_INVALID)
    if settings.mute_until is not None and settings.mute_until < 0:
        raise RpcError(400, E.SETTINGS_INVALID)
    return NotifySettingsRecord(
        owner_id=owner_id, scope=scope, peer=peer, show_previews=settings.show_previews,
        silent=settings.silent, mute_until=settings.mute_until, sound=_sound(settings.sound),
        stories_muted=settings.stories_muted, stories_hide_sender=settings.stories_hide_sender,
        stories_sound=_sound(settings.stories_sound))


def settings_object(record: NotifySettingsRecord | None):
    """peerNotifySettings: what is stored, or the empty default (nothing set).

    One sound serves every platform: the client names one `sound`, and each platform's
    app reads its own field (ios_sound, android_sound or other_sound)."""
    if record is None:
        return T.PeerNotifySettings()
    sound = None if record.sound is None else tl.from_dict(record.sound)
    stories_sound = None if record.stories_sound is None else tl.from_dict(record.stories_sound)
    return T.PeerNotifySettings(
        show_previews=record.show_previews, silent=record.silent, mute_until=record.mute_until,
        ios_sound=sound, android_sound=sound, other_sound=sound, stories_muted=record.stories_muted,
        stories_hide_sender=record.stories_hide_sender, stories_ios_sound=stories_sound,
        stories_android_sound=stories_sound, stories_other_sound=stories_sound)


def notify_peer_object(scope: str, peer: Peer | None):
    """The NotifyPeer of a scope (updateNotifySettings names it)."""
    if scope == "peer":
        return T.NotifyPeer(peer=peer_object(peer))
    return _GLOBAL_PEERS[scope]()


def is_exception(record: NotifySettingsRecord, *, compare_sound: bool, compare_stories: bool) -> bool:
    """account.getNotifyExceptions: a chat whose settings differ from the defaults in what
    was asked about (mute and previews always; sounds and stories when asked)."""
    if record.scope != "peer":
        return False
    fields = [record.show_previews, record.silent, record.mute_until]
    if compare_sound:
        fields.append(record.sound)
    if compare_stories:
        fields += [record.stories_muted, record.stories_hide_sender, record.stories_sound]
    return any(f is not None for f in fields)
