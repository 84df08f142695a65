"""Records the storage keeps: plain immutable values, no TL, no SQL.

Handlers turn them into TL objects for the reader's layer and privacy view; the
backends (storage/sqlite.py, storage/postgres.py) turn them into rows.

A peer column holds a peer's key (storage/peer.py). Records that handlers build
(drafts, notification settings) carry a `Peer`; records only storage builds keep the
column's `peer_id` and read it as a `Peer` through their `peer` property, so nothing
outside storage/ reads the integer.
"""

from __future__ import annotations

from typing import Any

import msgspec

from .peer import Peer


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # an edit's "leave this field as it is" (storage.channel_messages.edit's media)


class AuthKeyRecord(msgspec.Struct, frozen=True, kw_only=True):
    key_id: int  # signed int64 (mtproto.crypto.auth_key_id)
    key: bytes  # 256 bytes
    created_at: int
    temporary: bool = False
    expires_at: int | None = None
    perm_key_id: int | None = None  # auth.bindTempAuthKey
    layer: int | None = None
    client_info: dict[str, Any] = {}

    @classmethod
    def from_handshake(cls, auth_key: Any) -> AuthKeyRecord:
        """From mtproto.handshake.AuthKey, what a finished handshake produced."""
        return cls(key_id=auth_key.key_id, key=auth_key.key, created_at=auth_key.created_at,
                   temporary=auth_key.temporary, expires_at=auth_key.expires_at)

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class UserRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    access_hash: int  # signed int64, random per user; every InputUser must carry it
    phone: str  # digits only, no "+"
    first_name: str
    last_name: str = ""
    username: str | None = None  # as the user spelled it; unique case-insensitively
    about: str = ""
    created_at: int = 0
    last_seen: int = 0  # unix time of the last activity (0: never)
    online_until: int = 0  # account.updateStatus(offline=False) sets now + timeout
    banned: bool = False
    deleted: bool = False


class PasswordRecord(msgspec.Struct, frozen=True, kw_only=True):
    """2FA settings of one user (SRP, https://core.telegram.org/api/srp)."""

    user_id: int
    salt1: bytes  # server part + client part, as the client sent it in new_algo
    salt2: bytes
    g: int
    p: bytes
    verifier: bytes  # v = g^x mod p, 256 bytes
    hint: str = ""
    email: str | None = None
    srp_id: int = 0  # changes every time the password changes (account.password.srp_id)
    updated_at: int = 0


class AuthorizationRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A logged-in device: one per permanent auth key (account.getAuthorizations)."""

    auth_key_id: int
    user_id: int
    hash: int  # what account.resetAuthorization names; never 0 (0 is "this device")
    created_at: int
    active_at: int
    api_id: int = 0
    device_model: str = ""
    platform: str = ""
    system_version: str = ""
    app_name: str = ""
    app_version: str = ""
    ip: str = ""
    country: str = ""
    # Signed in with the code, but the account has a 2FA password that has not been
    # checked yet (SESSION_PASSWORD_NEEDED): not logged in until auth.checkPassword.
    password_pending: bool = False
    # Imported with auth.importAuthorization from this device's export: the same device
    # on another DC, not listed on its own, logged out with it. 0: a device of its own.
    parent_auth_key_id: int = 0


class PhoneCodeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A login code sent by auth.sendCode, until used, cancelled or expired."""

    phone: str
    phone_code_hash: str
    code: str
    created_at: int
    expires_at: int
    attempts: int = 0  # wrong guesses so far
    # auth.signIn accepted the code for a phone with no account: auth.signUp may follow.
    verified: bool = False


class ExportedAuthorizationRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An auth.exportAuthorization token, as auth.importAuthorization finds it."""

    user_id: int
    auth_key_id: int  # the authorization (permanent key) that exported it
    expires_at: int
class LoginTokenRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A QR login token (auth.exportLoginToken), until pruned after it expires."""

    token_hash: str  # sha256 hex of the token; the token itself is never stored
    auth_key_id: int  # the key that exported it: updateLoginToken goes there
    perm_key_id: int  # the permanent key acceptance logs in (the same, or the one it is bound to)
    created_at: int
    expires_at: int
    api_id: int = 0
    except_ids: list[int] = []  # users the exporting app is already logged in as
    ip: str = ""  # of the exporting device
    accepted_by: int | None = None  # auth.acceptLoginToken: once, by one user
    accepted_at: int | None = None


class EmailCodeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A code sent to an email address for one purpose (storage/emails.py names them)."""

    purpose: str
    email: str
    code: str
    created_at: int
    expires_at: int
    attempts: int = 0  # wrong guesses so far


class ContactRecord(msgspec.Struct, frozen=True, kw_only=True):
    owner_id: int
    user_id: int
    first_name: str = ""
    last_name: str = ""
    added_at: int = 0


class UpdateStateRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A user's common message box state (updates.getState). pts starts at 1 (PROTOCOL.md rule 27)."""

    user_id: int
    pts: int = 1
    qts: int = 0
    seq: int = 0
    date: int = 0


class InviteRecord(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    created_at: int
    used_by: int | None = None
    used_at: int | None = None


class MessageRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One user's copy of a message of a private chat or basic group (storage/messages.py):
    every participant has their own, with an id from their own box's sequence (from 1)."""

    owner_id: int  # whose message box
    id: int  # in the owner's box
    peer_id: int  # storage's key (Peer.key) of the other user (the owner for Saved Messages) or the group
    from_id: int
    out: bool  # the owner sent it
    date: int
    message: str
    entities: list[dict[str, Any]] = []  # TL dict form
    reply_to_msg_id: int | None = None  # in the owner's box
    random_id: int | None = None  # the sender's copy only
    edit_date: int | None = None
    silent: bool = False
    shared_id: int  # the same for every copy of one message (a global sequence)
    media: dict[str, Any] | None = None  # TL dict form
    pinned: bool = False  # in the owner's box
    # Forwarded: {"from_id": a peer key, "date": n} (+ "saved_from_peer", "saved_from_msg_id"
    # when forwarded to Saved Messages); meaning, rendered as messageFwdHeader.
    fwd_from: dict[str, Any] | None = None
    action: dict[str, Any] | None = None  # a service message's MessageAction, TL dict form

    @property
    def peer(self) -> Peer:
        """The dialog the message is in: the other user (the owner for Saved Messages) or the group."""
        return Peer.from_key(self.peer_id)

    @property
    def forwarded_from(self) -> Peer | None:
        """Who wrote the original of a forward (fwd_from's from_id)."""
        return None if self.fwd_from is None else Peer.from_key(self.fwd_from["from_id"])

    @property
    def saved_from(self) -> Peer | None:
        """The dialog a forward into Saved Messages came from (fwd_from's saved_from_peer)."""
        key = (self.fwd_from or {}).get("saved_from_peer")
        return None if key is None else Peer.from_key(key)


class DraftRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What the owner was typing to a peer (messages.saveDraft)."""

    owner_id: int
    peer: Peer
    message: str
    entities: list[dict[str, Any]] = []  # TL dict form
    reply_to_msg_id: int | None = None
    no_webpage: bool = False
    date: int


class DialogRecord(msgspec.Struct, frozen=True, kw_only=True):
    owner_id: int
    peer_id: int  # storage's key of the peer (Peer.key)
    top_message: int  # 0 once every message of the dialog is deleted
    read_inbox_max_id: int = 0
    read_outbox_max_id: int = 0
    unread_count: int = 0
    pinned_order: int | None = None
    date: int = 0  # of the top message
    unread_mark: bool = False  # messages.markDialogUnread; reading the dialog clears it

    @classmethod
    def empty(cls, owner_id: int, peer: Peer) -> DialogRecord:
        """A dialog with no history yet (getPeerDialogs answers one for any peer)."""
        return cls(owner_id=owner_id, peer_id=peer.key, top_message=0)

    @property
    def peer(self) -> Peer:
        return Peer.from_key(self.peer_id)


class NotifySettingsRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One user's notification settings for one scope (storage.interface.NotifySettings).

    scope: "peer" (one chat: `peer` names it) or a global default, "users" / "chats" /
    "broadcasts" (no peer). None is a field the client left unset
    (inputPeerNotifySettings's fields are each optional); sounds are NotificationSound TL dicts.
    """

    owner_id: int
    scope: str
    peer: Peer | None = None
    show_previews: bool | None = None
    silent: bool | None = None
    mute_until: int | None = None
    sound: dict[str, Any] | None = None
    stories_muted: bool | None = None
    stories_hide_sender: bool | None = None
    stories_sound: dict[str, Any] | None = None

    def is_empty(self) -> bool:
        """Nothing set: the same as having no settings of one's own."""
        return all(getattr(self, f) is None for f in NOTIFY_FIELDS)


NOTIFY_FIELDS = ("show_previews", "silent", "mute_until", "sound", "stories_muted", "stories_hide_sender",
                 "stories_sound")


class UpdateRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One change to a user's message box, as meaning (rendered at read time).

    kind / data: "new_message" / "edit_message" {"id": 17}; "delete_messages" {"ids": [...]};
    "read_inbox" {"peer_id": 5, "max_id": 9, "still_unread_count": 0};
    "read_outbox" {"peer_id": 5, "max_id": 9}; "pinned_messages" {"peer_id": 5, "ids": [...],
    "pinned": true}. pts is the box's pts after the update.
    A peer_id is storage's key of a peer (Peer.key); `peer` reads it.
    """

    user_id: int
    pts: int
    pts_count: int
    kind: str
    data: dict[str, Any]
    date: int

    @property
    def peer(self) -> Peer:
        """The dialog a read_inbox / read_outbox / pinned_messages row is about."""
        return Peer.from_key(self.data["peer_id"])


class SentMessage(msgspec.Struct, frozen=True, kw_only=True):
    """What storage.messages.send_private / send_to_chat did (or had done: duplicate)."""

    sender_copy: MessageRecord
    recipient_copy: MessageRecord | None  # None for Saved Messages (sender == recipient) and groups
    sender_pts: int  # the box's pts after the new_message update (of the original send if duplicate)
    recipient_pts: int | None
    duplicate: bool = False
    # Every other box that got a copy: (user_id, pts after its new_message update).
    deliveries: list[tuple[int, int]] = []
    # A basic group's new message: each other member's copy, in the order of deliveries
    # (what their pushes show, rpc/updates/events.py LogRow.new_message); a retry's
    # answer has none.
    copies: list[MessageRecord] = []
    draft_cleared: bool = False  # clear_draft was asked and the sender had a draft there


class ChatRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A basic group (storage/chats.py); as a peer it is Peer.chat(id)."""

    id: int
    title: str
    photo: dict[str, Any] | None = None  # {"chat_photo": ..., "photo": ...} TL dicts; None: no photo
    creator_id: int
    date: int
    version: int = 1  # moves with every change of the member list
    deactivated: bool = False
    migrated_to: int | None = None  # the supergroup it was upgraded to (then deactivated)


class ChatParticipantRecord(msgspec.Struct, frozen=True, kw_only=True):
    chat_id: int
    user_id: int
    inviter_id: int
    date: int
    is_admin: bool = False


class ChatInviteRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An invite link of a basic group (t.me/+hash)."""

    hash: str
    chat_id: int
    admin_id: int
    date: int
    expire_date: int | None = None
    usage_limit: int | None = None
    usage: int = 0
    revoked: bool = False
    permanent: bool = False  # the chat's primary link
    title: str | None = None

    def usable(self, now: int) -> bool:
        return not self.revoked and (self.expire_date is None or self.expire_date > now) and (
            self.usage_limit is None or self.usage < self.usage_limit)


class ChatChange(msgspec.Struct, frozen=True, kw_only=True):
    """What a change to a basic group did (storage/chats.py): the chat and its members
    after it, and the service message announcing it, one copy per box."""

    chat: ChatRecord
    participants: list[ChatParticipantRecord]
    # The service message: the actor's copy (None if the actor has none, e.g. not a member).
    actor_copy: MessageRecord | None = None
    actor_pts: int | None = None
    # Every box that got a copy (the actor's too): (user_id, pts after its new_message update).
    deliveries: list[tuple[int, int]] = []


# -- supergroups and broadcast channels (storage/channels.py) --------------------------------

# A participant's role (channel_participants.role). The first four are members; a
# restricted member has banned rights short of view_messages; kicked is removed and
# banned from coming back (chatBannedRights.view_messages); left is a former member.
MEMBER_ROLES = ("creator", "admin", "member", "restricted")
CHANNEL_ROLES = (*MEMBER_ROLES, "kicked", "left")


class ChannelRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A supergroup (megagroup) or broadcast channel: one message stream of its own, with
    its own message ids (last_message_id, never reused) and pts (from 1)."""

    id: int
    access_hash: int
    title: str
    about: str = ""
    photo: dict[str, Any] | None = None  # {"chat_photo": ..., "photo": ...} TL dicts; None: no photo
    creator_id: int
    date: int
    broadcast: bool = False
    megagroup: bool = False
    forum: bool = False
    signatures: bool = False
    noforwards: bool = False
    join_to_send: bool = False
    join_request: bool = False
    pre_history_hidden: bool = False
    slowmode_seconds: int = 0
    default_banned_rights: int = 0  # chatBannedRights flags
    username: str | None = None  # as spelled; unique with users' usernames, ignoring case
    linked_chat_id: int | None = None  # a channel's discussion group, or the channel a group discusses
    migrated_from_chat_id: int | None = None
    migrated_from_max_id: int | None = None
    pts: int = 1
    last_message_id: int = 0
    top_message: int = 0  # the newest message still there; 0 when there is none
    top_date: int = 0  # its date (the channel's date while there is none)
    read_outbox_max_id: int = 0  # the newest message some member other than its sender has read
    participants_count: int = 0  # creator, admins, members, restricted members
    admins_count: int = 0  # creator and admins
    kicked_count: int = 0
    banned_count: int = 0  # restricted members
    deactivated: bool = False  # channels.deleteChannel


class ChannelParticipantRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A user's standing in a channel (one row per user who is, was, or is banned from
    being a member), and what is theirs alone: their read state."""

    channel_id: int
    user_id: int
    role: str  # CHANNEL_ROLES
    inviter_id: int | None = None  # who added them; themselves for a join
    date: int  # when the current role began: joined, promoted, restricted, kicked, left
    admin_rights: int = 0  # chatAdminRights flags (creator and admins)
    rank: str | None = None  # an admin's custom title
    promoted_by: int | None = None
    banned_rights: int = 0  # chatBannedRights flags (restricted and kicked)
    banned_until: int = 0  # 0: forever
    kicked_by: int | None = None  # who restricted or kicked them
    read_inbox_max_id: int = 0
    available_min_id: int = 0  # with the history hidden from new members: messages up to it

    @property
    def is_member(self) -> bool:
        return self.role in MEMBER_ROLES


class ChannelMessageRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The one copy of a channel message, whoever reads it (`out` is the reader's
    sender_id == themselves)."""

    channel_id: int
    id: int  # in the channel's own sequence
    sender_id: int  # the user who sent it
    from_id: int  # the author as shown, a storage peer id: the sender, or the channel itself
    date: int
    message: str = ""
    entities: list[dict[str, Any]] = []  # TL dict form
    media: dict[str, Any] | None = None  # TL dict form
    reply_to_msg_id: int | None = None
    reply_to_top_id: int | None = None  # the thread (forum topic, comments) it was sent into
    fwd_from: dict[str, Any] | None = None  # as MessageRecord.fwd_from
    action: dict[str, Any] | None = None  # a service message's MessageAction, TL dict form
    random_id: int | None = None  # unique per (channel, sender)
    edit_date: int | None = None
    silent: bool = False
    pinned: bool = False
    grouped_id: int | None = None  # an album
    post_author: str | None = None  # the signature of a post in a channel with signatures
    views: int = 0  # distinct users who viewed it

    @property
    def author(self) -> Peer:
        """Who the message shows as its author: the sender, or the channel itself."""
        return Peer.from_key(self.from_id)

    @property
    def forwarded_from(self) -> Peer | None:
        """Who wrote the original of a forward (fwd_from's from_id)."""
        return None if self.fwd_from is None else Peer.from_key(self.fwd_from["from_id"])


class ChannelUpdateRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One change to a channel's messages, as meaning: the kinds and data of UpdateRecord
    (no peer_id: the channel is the peer): "new_message" / "edit_message" {"id": 17},
    "delete_messages" {"ids": [...]}, "pinned_messages" {"ids": [...], "pinned": true}.
    pts is the channel's pts after the update."""

    channel_id: int
    pts: int
    pts_count: int
    kind: str
    data: dict[str, Any]
    date: int


class ChannelInviteRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An invite link of a channel (t.me/+hash)."""

    hash: str
    channel_id: int
    admin_id: int
    date: int
    expire_date: int | None = None
    usage_limit: int | None = None
    usage: int = 0
    revoked: bool = False
    permanent: bool = False  # the channel's primary link
    request_needed: bool = False  # joining through it asks the admins first
    title: str | None = None

    def usable(self, now: int) -> bool:
        return not self.revoked and (self.expire_date is None or self.expire_date > now) and (
            self.usage_limit is None or self.usage < self.usage_limit)


class ChannelJoinRequestRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A request to join a channel, awaiting an admin's answer."""

    channel_id: int
    user_id: int
    date: int
    invite_hash: str | None = None  # the link (request_needed) asked through; None: the group's join_request
    about: str | None = None


class ChannelInviteImporterRecord(msgspec.Struct, frozen=True, kw_only=True):
    """Someone who joined a channel through an invite link (the last time they did)."""

    hash: str
    channel_id: int
    user_id: int
    date: int
    approved_by: int | None = None  # the admin who approved their request, if they asked


class DiscussionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A broadcast post's comment thread: its copy in the discussion group (root_id, the
    thread's top message there) and the thread's replies, counted when read."""

    channel_id: int  # the broadcast channel
    post_id: int
    group_id: int  # the discussion group
    root_id: int
    replies: int = 0
    max_id: int = 0  # the newest reply's id in the group (0: none)


class ChannelSent(msgspec.Struct, frozen=True, kw_only=True):
    """What a send into a channel did (or had done: duplicate)."""

    message: ChannelMessageRecord
    pts: int  # the channel's pts after its new_message update (of the original send if duplicate)
    duplicate: bool = False


class ChannelCreated(msgspec.Struct, frozen=True, kw_only=True):
    channel: ChannelRecord
    creator: ChannelParticipantRecord
    sent: ChannelSent  # the service message that opens it (messageActionChannelCreate...)


class ChatMigrated(msgspec.Struct, frozen=True, kw_only=True):
    """A basic group upgraded to a supergroup (storage/chat_migration.py): the group's
    change (deactivated, messageActionChatMigrateTo in every member's box), the new
    supergroup with its creator's row and its opening messageActionChannelMigrateFrom,
    and the group's members, now the supergroup's."""

    change: ChatChange
    created: ChannelCreated
    members: list[int]


class ChannelParticipantChange(msgspec.Struct, frozen=True, kw_only=True):
    """A participant's role changed: the channel (its counts) after it, the user's row
    before (None: never was a participant) and after."""

    channel: ChannelRecord
    before: ChannelParticipantRecord | None
    after: ChannelParticipantRecord


class ChannelMessagesChange(msgspec.Struct, frozen=True, kw_only=True):
    """An edit, deletion or (un)pin logged as one update: the pts it moved the channel to
    and the messages it changed (ids ascending)."""

    pts: int
    pts_count: int
    ids: list[int]
    messages: list[ChannelMessageRecord] = []  # edits: the message after it


class ForumTopicRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A topic of a forum supergroup (storage/forum_topics.py). Its id is the id of the
    service message that created it; General (id 1) is written when the forum is turned
    on. Its messages are the channel's messages whose reply_to_top_id is its id (General:
    those with none)."""

    channel_id: int
    id: int
    date: int
    title: str
    icon_color: int
    icon_emoji_id: int | None = None
    from_id: int  # who created it, a storage peer id
    closed: bool = False  # only admins post in it
    hidden: bool = False  # General only: collapsed in the topic list
    pinned_at: int = 0  # 0: not pinned; pinned topics are listed first, newest pin first

    @property
    def creator(self) -> Peer:
        return Peer.from_key(self.from_id)


class ForumTopicActivity(msgspec.Struct, frozen=True, kw_only=True):
    """A topic's newest message, how far one reader has read it and how many of its
    messages they have not."""

    top_message: int = 0  # 0: none left
    read_inbox_max_id: int = 0  # the higher of the reader's marks: the channel's and the topic's
    unread_count: int = 0


class ChannelReadRecord(msgspec.Struct, frozen=True, kw_only=True):
    """channels.readHistory: the reader's inbox after it, and the channel's outbox mark."""

    read_inbox_max_id: int
    still_unread_count: int
    inbox_moved: bool
    read_outbox_max_id: int
    # When the outbox mark moved: the senders (the reader aside) of the messages it now
    # covers, to be told that they were read (updateReadChannelOutbox).
    outbox_authors: list[int] = []


class ChannelDialogRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A member's dialog with a channel, composed from the channel (its top message and
    pts), their participant row (read state) and their dialogs row (pin, unread mark)."""

    channel_id: int
    top_message: int
    date: int  # of the top message
    read_inbox_max_id: int
    read_outbox_max_id: int
    unread_count: int
    pts: int
    pinned_order: int | None = None
    unread_mark: bool = False
    available_min_id: int = 0


class ChannelDifferenceRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The channel's log after a client's pts (updates.getChannelDifference)."""

    pts: int  # the channel's pts now
    updates: list[ChannelUpdateRecord]  # pts ascending, at most the limit asked
    # The client's pts is older than the oldest update still logged (pruned): it cannot
    # catch up update by update (channelDifferenceTooLong).
    too_long: bool = False


class UploadRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An upload in progress (upload.saveFilePart / saveBigFilePart), storage/media.py.
    Its parts are objects "<key_prefix>/<part>.<random>" in the object store."""

    owner_id: int
    file_id: int  # the client's random id
    key_prefix: str  # chosen by the server
    big: bool
    total_parts: int | None  # saveBigFilePart's file_total_parts
    created_at: int


class FileRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A stored file: one object per part (storage.media.file_part_keys), each part_size
    bytes but the last."""

    id: int
    size: int
    part_size: int
    mime_type: str
    owner_id: int
    created_at: int


class PhotoRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A photo and its sizes, smallest first, each a dict:
    {"type": "s", "bytes": "<hex>"} (stripped thumbnail, inline),
    {"type": "m", "w": 320, "h": 240, "size": 12345, "file_id": 77} (a stored JPEG;
    "progressive": true for the largest)."""

    id: int
    access_hash: int
    owner_id: int
    date: int
    sizes: list[dict[str, Any]]
    file_id: int  # the original as uploaded
    dc_id: int = 1  # the DC that stores its files


class DocumentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """Any file sent as a document; attributes are TL dicts (documentAttributeFilename...),
    thumbs as PhotoRecord.sizes."""

    id: int
    access_hash: int
    owner_id: int
    date: int
    mime_type: str
    size: int
    file_id: int
    attributes: list[dict[str, Any]] = []
    thumbs: list[dict[str, Any]] = []
    dc_id: int = 1


class ChannelAdminLogRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One event of a channel's admin log (channels.getAdminLog): who did what, when.
    `data` is the action as the rpc layer wrote it (its typed struct in builtins form);
    storage keeps it without reading it. `category` is the channelAdminLogEventsFilter
    flag it answers to ("info", "ban", "edit", ...)."""

    id: int  # ascending in the order events were logged, across every channel
    channel_id: int
    date: int
    user_id: int
    category: str
    data: dict[str, Any]
