"""The one storage interface both backends implement (and one test suite checks).

Every method is async (trio). Backends: storage/sqlite.py (embedded default, a file in
the data dir) and storage/postgres.py (PostgreSQL, storage/pgwire/ on trio). `open_storage`
in storage/__init__.py picks one from a URL. SQL lives only in storage/: one module
per domain (storage/users.py, ...), run by either backend.

Errors: `UsernameTaken` when a username is already used (case-insensitively),
`AlreadyExists` for a duplicate key or unique value (auth key id, phone, invite code).
Missing rows are None / empty lists, never exceptions; the one exception is the auth
key store, whose updates of an unknown key raise KeyError (the caller holds that key).

A dialog's other side (a user, a basic group) is a `Peer` (storage/peer.py) wherever a
method takes or returns one; how it is kept in a column is storage's business.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from .models import (
    KEEP,
    AuthKeyRecord,
    AuthorizationRecord,
    ChannelAdminLogRecord,
    ChannelCreated,
    ChannelDialogRecord,
    ChannelDifferenceRecord,
    ChannelInviteImporterRecord,
    ChannelInviteRecord,
    ChannelJoinRequestRecord,
    ChannelMessageRecord,
    ChannelMessagesChange,
    ChannelParticipantChange,
    ChannelParticipantRecord,
    ChannelReadRecord,
    ChannelRecord,
    ChannelSent,
    ChannelUpdateRecord,
    ChatChange,
    ChatInviteRecord,
    ChatMigrated,
    ChatParticipantRecord,
    ChatRecord,
    ContactRecord,
    DialogRecord,
    DiscussionRecord,
    DocumentRecord,
    DraftRecord,
    ExportedAuthorizationRecord,
    EmailCodeRecord,
    FileRecord,
    ForumTopicActivity,
    ForumTopicRecord,
    InviteRecord,
    LoginTokenRecord,
    MessageRecord,
    NotifySettingsRecord,
    PasswordRecord,
    PhoneCodeRecord,
    PhotoRecord,
    SentMessage,
    UpdateRecord,
    UpdateStateRecord,
    UploadRecord,
    UserRecord,
)
from .peer import Peer
from .query import Query


class StorageError(Exception):
    pass


class AlreadyExists(StorageError):
    pass


class UsernameTaken(StorageError):
    pass


class MessageNotFound(StorageError):
    """No such message in that user's box (storage.messages.edit)."""


# A private send's recipient check (Messages.send_private with recipient_access_hash),
# made inside the send's transaction so that it costs no statement of its own.
class RecipientInvalid(StorageError):
    """No such user, or the access hash given is not theirs (PEER_ID_INVALID)."""


class RecipientDeleted(StorageError):
    """The recipient's account is deleted (INPUT_USER_DEACTIVATED)."""


class RecipientBlocked(StorageError):
    """The sender blocked the recipient (YOU_BLOCKED_USER)."""


class TopicNotFound(StorageError):
    """No such forum topic in that channel (storage/forum_topics.py)."""


class NotAuthor(StorageError):
    """The message is not the user's own outgoing message (only those can be edited)."""


class TooManyPinned(StorageError):
    """Pinning one more dialog would pass the limit (PINNED_DIALOGS_TOO_MUCH)."""
# Basic groups (storage/chats.py): a change whose precondition does not hold, checked
# under the chat's lock so that it holds when the change is made.
class ChatNotFound(StorageError):
    """No such basic group (or it was deactivated)."""


class NotMember(StorageError):
    """The acting user is not (or no longer) a member of the group."""


class NotParticipant(StorageError):
    """The user acted upon is not a member of the group."""


class AlreadyParticipant(StorageError):
    """The user to add is a member already."""


class ChatAdminRequired(StorageError):
    """Only the creator or an admin (or, to remove a user, whoever invited them) may do this."""


class ChatTooBig(StorageError):
    """The group has as many members as a basic group may have."""


class ChatNotModified(StorageError):
    """The change would change nothing (same title, no photo to delete)."""


class InviteInvalid(StorageError):
    """No such invite link."""


class InviteExpired(StorageError):
    """The invite link was revoked, has expired or was used up."""


# Supergroups and channels (storage/channels.py), checked under the channel's lock.
# NotMember, NotParticipant, AlreadyParticipant, ChatTooBig, ChatNotModified,
# InviteInvalid, InviteExpired and MessageNotFound mean there what they mean above.
class ChannelNotFound(StorageError):
    """No such channel (or it was deleted)."""


class UserKicked(StorageError):
    """The user is banned from the channel (kicked): they may not join or be added."""


class ParticipantIsCreator(StorageError):
    """The creator's role changes only by a transfer of ownership."""


class JoinRequestMissing(StorageError):
    """No pending request of that user to join that channel."""


class AuthKeys(Protocol):
    async def get(self, key_id: int, now: float | None = None) -> AuthKeyRecord | None:
        """None for unknown keys and for expired temporary keys."""

    async def exists(self, key_id: int) -> bool:
        """True even for expired keys, until delete_expired: their ids are never reused."""

    async def add(self, record: AuthKeyRecord) -> None:
        """AlreadyExists for a taken key_id; ValueError for an inconsistent record (key_id
        not the key's auth_key_id, key not 256 bytes, expires_at without temporary...)."""

    async def delete(self, key_id: int) -> bool:
        """Also unbinds the temporary keys bound to it."""

    async def delete_expired(self, now: float | None = None) -> int: ...
    async def delete_unused(self, created_before: float) -> int:
        """Permanent keys older than that which never logged in, with their temporary keys."""

    async def set_layer(self, key_id: int, layer: int) -> None:
        """KeyError for an unknown key (set_client_info too)."""

    async def set_client_info(self, key_id: int, info: dict[str, Any]) -> None: ...
    async def update_client(self, key_id: int, *, layer: int | None = None,
                            client_info: dict[str, Any] | None = None) -> None:
        """set_layer and set_client_info in one statement (the columns given, not None)."""

    async def bind_temp_key(self, temp_key_id: int, perm_key_id: int) -> None:
        """KeyError for an unknown key; ValueError unless temp is temporary and perm permanent."""


class Users(Protocol):
    async def create(self, phone: str, first_name: str, last_name: str = "", now: int = 0) -> UserRecord:
        """A new user with the next id (ids start at 1000000) and a random access_hash;
        its update state is created too (pts 1). AlreadyExists if the phone is taken."""

    async def ensure(self, user_id: int, phone: str, first_name: str, now: int = 0) -> UserRecord:
        """The user with this fixed id (< 1000000: a built-in account), created with its
        update state if missing; an existing one is returned unchanged."""

    async def get(self, user_id: int) -> UserRecord | None: ...
    async def get_many(self, user_ids: list[int]) -> list[UserRecord]:
        """The users that exist, in the order asked, each once."""

    def get_many_query(self, user_ids: Sequence[int]) -> Query[dict[int, UserRecord]]:
        """get_many of up to 500 distinct users as a read to run with others (storage/query.py):
        {id: record} of those that exist."""

    async def by_phone(self, phone: str) -> UserRecord | None: ...
    async def by_username(self, username: str) -> UserRecord | None:
        """Case-insensitive."""

    async def list(self, offset: int = 0, limit: int = 100) -> list[UserRecord]: ...

    async def search(self, query: str, limit: int = 50) -> list[UserRecord]:
        """Users whose username starts with query, or whose first/last name contains it
        (case-insensitive); not deleted; by id. A blank query matches nobody."""

    async def update_profile(self, user_id: int, *, first_name: str | None = None,
                             last_name: str | None = None, about: str | None = None) -> UserRecord | None: ...

    async def set_username(self, user_id: int, username: str | None) -> UserRecord | None:
        """UsernameTaken if another user has it (case-insensitively). None or "" removes
        it. Returns None if there is no such user (update_profile too)."""

    async def set_status(self, user_id: int, *, last_seen: int, online_until: int) -> None: ...
    async def mark_deleted(self, user_id: int) -> UserRecord | None:
        """The account becomes a deleted one: names, about and username cleared, the
        phone freed for a new sign-up, `deleted` set; the id stays. The record as it was
        before; None if there is no such user."""
    async def set_banned(self, user_id: int, banned: bool) -> None: ...
    async def set_phone(self, user_id: int, phone: str) -> None:
        """AlreadyExists if another user has the phone."""


class Passwords(Protocol):
    async def get(self, user_id: int) -> PasswordRecord | None: ...
    async def set(self, record: PasswordRecord) -> None: ...
    async def delete(self, user_id: int) -> None: ...


class Privacy(Protocol):
    """Per user and key ("phone_number", "status_timestamp", "profile_photo", ...): the
    rules in their TL dict form (a list of {"_": "privacyValueAllowContacts"} ...)."""

    async def get(self, user_id: int, key: str) -> list[dict] | None: ...
    async def get_all(self, user_id: int) -> dict[str, list[dict]]: ...

    async def get_all_of(self, user_ids: list[int]) -> dict[int, dict[str, list[dict]]]:
        """Every rule of each of these users ({} for one with none), in one statement per
        500 users: the user views of a whole answer at once."""

    def get_all_of_query(self, user_ids: Sequence[int]) -> Query[dict[int, dict[str, list[dict]]]]:
        """get_all_of up to 500 distinct users as a read to run with others (storage/query.py)."""

    async def delete_all(self, user_id: int) -> int: ...
    async def set(self, user_id: int, key: str, rules: list[dict]) -> None: ...


class Authorizations(Protocol):
    async def add(self, record: AuthorizationRecord) -> None:
        """Replaces an existing authorization of the same auth key."""

    async def get(self, auth_key_id: int) -> AuthorizationRecord | None: ...

    async def signed_in(self, auth_key_id: int) -> tuple[int, bool] | None:
        """(user_id, password_pending): what every call checks."""

    async def by_hash(self, user_id: int, hash: int) -> AuthorizationRecord | None: ...
    async def list_for_user(self, user_id: int) -> list[AuthorizationRecord]: ...
    async def delete(self, auth_key_id: int) -> bool: ...

    async def delete_others(self, user_id: int, keep_auth_key_id: int) -> list[int]:
        """auth.resetAuthorizations: the auth_key_ids that were logged out."""

    async def touch(self, auth_key_id: int, active_at: int) -> None: ...


class PhoneCodes(Protocol):
    async def put(self, record: PhoneCodeRecord) -> None:
        """Replaces any code for the same (phone, phone_code_hash)."""

    async def get(self, phone: str, phone_code_hash: str) -> PhoneCodeRecord | None: ...
    async def claim_attempt(self, phone: str, phone_code_hash: str, *, now: int,
                            max_attempts: int) -> PhoneCodeRecord | None:
        """One more guess at a live code, counted atomically; None when none is left."""

    async def delete(self, phone: str, phone_code_hash: str) -> None: ...
    async def delete_for_phone(self, phone: str) -> int: ...
    async def delete_expired(self, now: int) -> int: ...


class ExportedAuthorizations(Protocol):
    """auth.exportAuthorization tokens (storage/exported_authorizations.py)."""

    async def add(self, token: bytes, *, user_id: int, auth_key_id: int, expires_at: int, now: int) -> None: ...
    async def take(self, token: bytes) -> ExportedAuthorizationRecord | None:
        """The token's record, deleted: a token is used once."""

    async def delete_for_user(self, user_id: int) -> int: ...
    async def delete_expired(self, now: int) -> int: ...


class LoginTokens(Protocol):
    """QR login tokens, by the sha256 hex of the token (storage/login_tokens.py)."""

    async def add(self, record: LoginTokenRecord) -> None: ...
    async def get(self, token_hash: str) -> LoginTokenRecord | None:
        """Expired tokens too, until pruned."""

    async def accept(self, token_hash: str, user_id: int, now: int) -> bool:
        """Atomically: False if it is gone, expired or already accepted."""

    async def count_live(self, perm_key_id: int, now: int) -> int: ...
    async def delete_accepted_by(self, user_id: int) -> int: ...
    async def delete_expired(self, before: int) -> int: ...


class EmailCodes(Protocol):
    """Codes sent to email addresses, one per purpose (storage/emails.py)."""

    async def put(self, record: EmailCodeRecord) -> None: ...
    async def get(self, purpose: str) -> EmailCodeRecord | None:
        """Expired codes too, until deleted."""

    async def claim_attempt(self, purpose: str, *, now: int, max_attempts: int) -> EmailCodeRecord | None:
        """One more guess at a live code, counted atomically; None when none is left."""

    async def delete(self, purpose: str) -> bool: ...
    async def delete_for_account(self, user_id: int, phone: str) -> int:
        """Every code kept for the account, by user id or by its phone's login in progress."""
    async def delete_expired(self, now: int) -> int: ...


class LoginEmails(Protocol):
    async def get(self, user_id: int) -> str | None: ...
    async def set(self, user_id: int, email: str, now: int) -> None: ...
    async def delete(self, user_id: int) -> bool: ...


class Contacts(Protocol):
    async def upsert(self, record: ContactRecord) -> None: ...
    async def delete(self, owner_id: int, user_ids: list[int]) -> None: ...
    async def list(self, owner_id: int) -> list[ContactRecord]: ...
    async def get(self, owner_id: int, user_id: int) -> ContactRecord | None: ...

    async def between(self, viewer_id: int, user_ids: list[int]) -> tuple[dict[int, ContactRecord], set[int]]:
        """(the viewer's contact rows for these users, those of these users who have the
        viewer as a contact): what a user view of them needs, without the whole list."""

    def between_query(self, viewer_id: int,
                      user_ids: Sequence[int]) -> Query[tuple[dict[int, ContactRecord], set[int]]]:
        """between the viewer and up to 500 distinct users as a read to run with others
        (storage/query.py)."""

    async def delete_everywhere(self, user_id: int) -> list[int]:
        """The user's contacts and the user in everyone's contacts; who had them, sorted."""
    async def owners_of(self, user_id: int) -> list[int]:
        """Users who have `user_id` in their contacts (for presence and mutual flags)."""


class Blocked(Protocol):
    async def block(self, owner_id: int, user_id: int, now: int) -> bool:
        """False if it was already blocked."""

    async def unblock(self, owner_id: int, user_id: int) -> bool: ...
    async def delete_all(self, owner_id: int) -> int:
        """The owner's block list (others' blocks of the owner stay)."""
    async def is_blocked(self, owner_id: int, user_id: int) -> bool: ...

    async def send_obstacles(self, sender_id: int, recipient_id: int) -> tuple[bool, bool]:
        """(the sender blocked the recipient, the recipient's account is deleted), in one
        read: what a private send checks first."""
    async def list(self, owner_id: int, offset: int = 0, limit: int = 100) -> tuple[list[tuple[int, int]], int]:
        """([(user_id, blocked_at)] newest first, total count)."""


class UpdateStates(Protocol):
    async def get(self, user_id: int) -> UpdateStateRecord:
        """Created on first use with pts 1."""


class Messages(Protocol):
    """Messages of private chats and basic groups (one copy per participant's box, ids
    from each box's own sequence; group messages are written by Chats.send_message),
    dialogs and the per-user update log (storage/messages.py). Each write is
    one transaction: messages, dialogs, log rows and the pts of every box it touches; an
    update with pts_count n moves a box's pts (update_state, from 1) from p to p + n and is
    logged with pts = p + n."""

    async def send_private(self, sender_id: int, recipient_id: int, *, date: int, message: str,
                           entities: Sequence[dict[str, Any]] = (), reply_to_msg_id: int | None = None,
                           random_id: int | None = None, silent: bool = False,
                           media: dict[str, Any] | None = None, recipient_access_hash: int | None = None,
                           clear_draft: bool = False) -> SentMessage:
        """Both copies, both dialogs (the recipient's unread_count + 1), one "new_message"
        per box. sender == recipient: Saved Messages, one copy. A retry with the same
        (sender_id, random_id) changes nothing and returns the first send's copies and pts
        with duplicate=True. reply_to_msg_id is in the sender's box; the recipient's copy
        gets their id of that message (None if they no longer have it).
        recipient_access_hash: check the recipient first, as an InputPeerUser names them:
        RecipientInvalid (no such user, or not their hash, unless it is the sender),
        then, to someone else, RecipientDeleted, RecipientBlocked; these come before a
        retry's answer. clear_draft: a new message also deletes the sender's draft in
        this dialog (draft_cleared says if there was one)."""

    async def get(self, owner_id: int, ids: Iterable[int]) -> list[MessageRecord]:
        """The messages that exist, in the order asked, each once."""

    async def by_random_id(self, owner_id: int, random_id: int) -> MessageRecord | None:
        """The owner's message sent with that random_id (a retried send finds its first try)."""

    async def history(self, owner_id: int, peer: Peer, *, offset_id: int = 0, offset_date: int = 0,
                      add_offset: int = 0, limit: int = 100, max_id: int = 0,
                      min_id: int = 0) -> tuple[list[MessageRecord], int]:
        """messages.getHistory: (newest first, count of the whole dialog). The page starts
        add_offset messages after the first one older than offset_id (id < offset_id) or
        offset_date (date < offset_date); a negative add_offset reaches newer messages (the
        offset message included). max_id / min_id: exclusive bounds when non-zero; limit
        at most 100."""

    async def edit(self, owner_id: int, id: int, *, message: str, entities: Sequence[dict[str, Any]],
                   edit_date: int) -> list[tuple[int, int, MessageRecord]]:
        """Both copies change; one "edit_message" per box: [(user_id, pts, copy)], the
        editor's first. MessageNotFound, or NotAuthor unless it is the owner's outgoing message."""

    async def delete(self, owner_id: int, ids: Iterable[int], *, revoke: bool, now: int | None = None,
                     moderated_chats: Iterable[int] = ()) -> dict[int, tuple[int, int, list[int]]]:
        """Deletes the owner's copies (with revoke the other copies too; in a basic group
        only of the owner's own messages, or of anyone's in `moderated_chats`, the chat
        ids where the owner is creator or admin): {user_id: (pts,
        pts_count, sorted ids deleted in that box)}, one "delete_messages" per box; boxes
        where nothing was deleted are absent. Dialogs' top_message (0 when empty: such
        dialogs are not listed) and unread_count are recomputed."""

    async def delete_box(self, owner_id: int) -> tuple[int, list[int]]:
        """Empties the box (messages, dialogs, update log; its pts and id counters stay)
        in one transaction; copies in other boxes stay. (messages removed, private
        dialog partners)."""
    async def read_history(self, owner_id: int, peer: Peer, max_id: int,
                           now: int | None = None) -> tuple[int | None, Peer, int | None, int]:
        """A private chat's: (owner_pts, peer, peer_pts, peer_max_id). Raises the owner's read_inbox_max_id
        to max_id (capped at top_message; 0: all), "read_inbox" in their box; raises the
        peer's read_outbox_max_id to the peer's id of the newest message now read,
        "read_outbox" in theirs. A pts is None where nothing changed."""

    async def read_chat_history(self, owner_id: int, peer: Peer, max_id: int,
                                now: int | None = None) -> tuple[int | None, list[tuple[int, int | None, int]]]:
        """read_history for any dialog, a basic group's too: (owner_pts, [(author, pts,
        author_max_id)]), one entry per author of a message among those now read (in a
        private chat: the peer), whose read_outbox_max_id rises to their own id of the
        newest of their messages read ("read_outbox" {"peer_id": the key of the dialog's
        peer in the author's box}); pts None where nothing changed."""

    async def dialogs(self, owner_id: int, *, offset_date: int = 0, offset_id: int = 0, offset_peer: Peer | None = None,
                      limit: int = 100, exclude_pinned: bool = False) -> tuple[list[DialogRecord], int]:
        """(dialogs with messages, newest top message first (date, then id), total count
        (pinned ones included)). Offsets: those before (offset_date, offset_id); offset_peer
        is not needed (top message ids are unique in a box) and ignored. exclude_pinned:
        without the pinned dialogs (storage.pins.pinned_dialogs lists them)."""

    async def dialog(self, owner_id: int, peer: Peer) -> DialogRecord | None: ...

    async def update_log(self, user_id: int, from_pts: int, limit: int = 1000) -> list[UpdateRecord]:
        """The logged updates with pts > from_pts, ascending, at most limit."""

    async def prune_update_log(self, user_id: int, keep_after_pts: int) -> int:
        """Forgets the updates with pts <= keep_after_pts; returns how many."""

    async def logged_with_message(self, user_id: int, pts: int) -> tuple[UpdateRecord, MessageRecord | None] | None:
        """The update-log row with this pts and, for a new or edited message, that message
        (None once deleted), in one statement: what a live push renders."""

    async def prune_update_logs_before(self, date: int) -> int:
        """Forgets every user's updates logged before `date`; returns how many."""

    async def note_channel_changed(self, user_ids: Iterable[int], channel_id: int, *, date: int) -> None:
        """These users' standing in the channel changed (or the channel did), at `date`:
        kept beside the box, without a pts (updateChannel has none), for
        `channels_changed_since`. One row per user and channel, the latest."""

    async def channels_changed_since(self, user_id: int, date: int, *, limit: int = 100) -> list[int]:
        """The channels `note_channel_changed` named for the user at `date` or later, the
        latest first: what getDifference returns as updateChannel."""

    async def update_log_rows(self) -> int:
        """Rows in every user's update log (for metrics): exact on SQLite and for small
        PostgreSQL tables, the planner's estimate for big ones."""

    async def oldest_logged_pts(self, user_id: int) -> int | None:
        """The pts just before the oldest update still logged (its pts - pts_count); None
        if nothing is logged. A client whose pts is lower (or, with nothing logged, lower
        than the box's pts) missed pruned updates: differenceTooLong."""


class ChatHistory(Protocol):
    """messages.deleteHistory (storage/chat_history.py)."""

    async def delete(self, owner_id: int, peer: Peer, *, max_id: int = 0, min_date: int = 0, max_date: int = 0,
                     revoke: bool = False, just_clear: bool = False, now: int, batch: int = 1000,
                     ) -> tuple[dict[int, tuple[int, int, list[int]]], int]:
        """Deletes up to `batch` of the owner's messages with the peer (newest first; id <=
        max_id, min_date <= date <= max_date where non-zero) as Messages.delete does; with
        revoke also up to `batch` of the peer's messages in their dialog with the owner
        (within the dates, and up to the shared id max_id stands for): ({user_id: (pts,
        pts_count, ids)}, how many matching messages are left on either side). Once none is
        left (and not just_clear) the owner's dialog row goes too."""


class Forwards(Protocol):
    """messages.forwardMessages (storage/forwards.py)."""

    async def forward(self, owner_id: int, from_peer: Peer, ids: Sequence[int], to_peer: Peer, *,
                      random_ids: Sequence[int], date: int, drop_author: bool = False,
                      drop_media_captions: bool = False, silent: bool = False) -> list[tuple[int, SentMessage]]:
        """Sends a copy of each of the owner's messages `ids` from the dialog with
        from_peer (or of a channel's messages, from_peer a channel: who may read them is
        the caller's check) to to_peer (a user or basic group; ValueError for a channel),
        in the order asked, one transaction: [(original id, SentMessage)]. Ids that are not
        messages of that dialog (or are service messages) are skipped. fwd_from is
        {"from_id" (a peer key), "date"} of the original author (the original's own header
        for a forward of a forward; a broadcast post adds "channel_post" and its
        "post_author"), plus "saved_from_peer" / "saved_from_msg_id" into Saved Messages;
        none with drop_author. drop_media_captions empties the text of media messages. A
        random_id already used by the owner returns that send (duplicate)."""


class PinnedMessages(Protocol):
    """messages.updatePinnedMessage / unpinAllMessages (storage/pinned_messages.py)."""

    async def pin(self, owner_id: int, peer: Peer, message_id: int, *, unpin: bool = False,
                  one_side: bool = False, silent: bool = False, now: int) -> dict[int, list[int]]:
        """Sets `pinned` on the owner's copy and (unless one_side or Saved Messages) the
        other copy; a "pinned_messages" row per box whose copy changed and, for a two-sided
        pin, a service message (messageActionPinMessage replying to it) in both boxes:
        {user_id: [pts logged, ascending]} ({} when nothing changed). MessageNotFound for
        an id that is not a message of that dialog."""

    async def unpin_all(self, owner_id: int, peer: Peer, *, now: int) -> dict[int, list[int]]:
        """Unpins every pinned message of the dialog and the other side's copies of them."""

    async def pinned_ids(self, owner_id: int, peer: Peer) -> list[int]:
        """Newest first."""


class PinnedDialogs(Protocol):
    """messages.toggleDialogPin / reorderPinnedDialogs (storage/pinned_dialogs.py)."""

    async def pin(self, owner_id: int, peer: Peer, pinned: bool, *, limit: int = 5) -> bool | None:
        """True if it changed, False if it already was so, None without such a dialog.
        A pin goes to the top; TooManyPinned past the limit."""

    async def reorder(self, owner_id: int, peers: Sequence[Peer], *, force: bool = False,
                      limit: int = 5) -> list[Peer]:
        """The pinned order becomes peers (top first; peers without a dialog skipped),
        then (without force) the other pinned dialogs as they were; returns it.
        TooManyPinned past the limit (nothing changes)."""

    async def list(self, owner_id: int) -> list[DialogRecord]:
        """The pinned dialogs, top first. A channel's is its member's dialogs row (peer_id
        the channel's storage peer id, top_message 0; storage/channel_participants.py):
        ChannelDialogs has the rest of it."""


class Drafts(Protocol):
    """messages.saveDraft / getAllDrafts (storage/drafts.py)."""

    async def save(self, record: DraftRecord) -> None: ...
    async def clear(self, owner_id: int, peer: Peer) -> bool:
        """False if there was none."""

    async def delete_all(self, owner_id: int) -> int: ...
    async def get(self, owner_id: int, peer: Peer) -> DraftRecord | None: ...
    async def list(self, owner_id: int) -> list[DraftRecord]:
        """Newest first."""


class NotifySettings(Protocol):
    """account.updateNotifySettings / getNotifySettings / resetNotifySettings
    (storage/notify_settings.py). A scope is "peer" (with the chat's Peer) or
    "users" / "chats" / "broadcasts" (no peer)."""

    async def set(self, record: NotifySettingsRecord) -> None:
        """Replaces the scope's settings; settings with nothing set remove them."""

    async def clear(self, owner_id: int, scope: str, peer: Peer | None = None) -> bool:
        """False if there were none."""

    async def get(self, owner_id: int, scope: str, peer: Peer | None = None) -> NotifySettingsRecord | None: ...
    async def for_peers(self, owner_id: int, peers: list[Peer]) -> dict[Peer, NotifySettingsRecord]:
        """{peer: settings} of those of these chats that have their own."""

    async def list(self, owner_id: int) -> list[NotifySettingsRecord]:
        """Every scope with settings, by scope then peer."""

    async def reset(self, owner_id: int) -> list[NotifySettingsRecord]:
        """Removes all of the user's settings; returns what was removed."""


class UnreadMarks(Protocol):
    """messages.markDialogUnread / getDialogUnreadMarks (storage/unread_marks.py):
    DialogRecord.unread_mark."""

    async def mark(self, owner_id: int, peer: Peer, unread: bool) -> bool | None:
        """True if it changed, False if it already was so, None without such a dialog."""

    async def clear(self, owner_id: int, peer: Peer) -> bool:
        """Unmarks (reading the dialog); False if it was not marked."""

    async def list(self, owner_id: int) -> list[Peer]:
        """The peers of the owner's marked dialogs, newest top message first."""


class MessageSearch(Protocol):
    """messages.search / searchGlobal / getSearchCounters (storage/search.py)."""

    async def search(self, owner_id: int, peer: Peer | None, *, query: str = "", from_id: int | None = None,
                     filter: str = "inputMessagesFilterEmpty", min_date: int = 0, max_date: int = 0,
                     offset_id: int = 0, add_offset: int = 0, limit: int = 100, max_id: int = 0,
                     min_id: int = 0, kind: str = "all") -> tuple[list[MessageRecord], int]:
        """(matches newest first, count of all matches ignoring offset_id/add_offset/limit).
        peer None: every dialog, or with kind "users" / "groups" only private chats /
        only basic groups. from_id: the author's user id. query: case-insensitive substring of the text. filter:
        an inputMessagesFilter* predicate name (unknown ones match nothing). Service
        messages only match the filters made for them. limit at most 100."""
class Chats(Protocol):
    """Basic groups (storage/chats.py): the chat, its current members, invite links, and
    its messages, written into every member's box (their peer Peer.chat(chat_id)) like private ones.

    Every change to the member list or the chat moves `version` and is announced by a
    service message (`action`, a MessageAction TL dict) in the box of every member, and
    of the user removed; the result is a ChatChange. Preconditions are checked under the
    chat's lock and raise: ChatNotFound, NotMember (the actor), NotParticipant (the user
    acted upon), AlreadyParticipant, ChatAdminRequired, ChatTooBig, ChatNotModified,
    InviteInvalid, InviteExpired."""

    async def create(self, creator_id: int, title: str, user_ids: Sequence[int], *, date: int) -> ChatChange:
        """The creator and user_ids become members (the creator inviter of all), announced
        by messageActionChatCreate."""

    async def get(self, chat_id: int) -> ChatRecord | None: ...
    async def get_many(self, chat_ids: Iterable[int]) -> list[ChatRecord]:
        """The chats that exist, in the order asked, each once."""

    def get_many_query(self, chat_ids: Sequence[int]) -> Query[dict[int, ChatRecord]]:
        """get_many of up to 500 distinct chats as a read to run with others (storage/query.py)."""

    async def participants(self, chat_id: int) -> list[ChatParticipantRecord]:
        """The current members, by the date they joined."""

    async def counts(self, chat_ids: Iterable[int]) -> dict[int, int]:
        """Members per chat (0 for a chat with none)."""

    def counts_query(self, chat_ids: Sequence[int]) -> Query[dict[int, int]]:
        """counts of up to 500 distinct chats as a read to run with others (storage/query.py)."""

    async def chat_ids(self, user_id: int) -> list[int]:
        """The basic groups the user is a member of now."""
    async def common(self, user_id: int, other_id: int, *, max_id: int = 0, limit: int = 100) -> list[int]:
        """Ids of the groups both users are members of, ascending, after max_id."""

    async def memberships(self, user_id: int, chat_ids: Iterable[int]) -> dict[int, ChatParticipantRecord]:
        """The user's membership of each of these chats they are a member of."""

    def memberships_query(self, user_id: int, chat_ids: Sequence[int]) -> Query[dict[int, ChatParticipantRecord]]:
        """memberships in up to 500 distinct chats as a read to run with others (storage/query.py)."""

    async def send_message(self, chat_id: int, sender_id: int, *, date: int, message: str,
                           entities: Sequence[dict[str, Any]] = (), reply_to_msg_id: int | None = None,
                           random_id: int | None = None, silent: bool = False,
                           media: dict[str, Any] | None = None, clear_draft: bool = False) -> SentMessage:
        """One copy per member (NotMember otherwise); deduplicated by random_id like
        send_private; deliveries: every other member's box; clear_draft as send_private's."""

    async def add_user(self, chat_id: int, actor_id: int, user_id: int, *, date: int,
                       limit: int = 200) -> ChatChange:
        """Any member may add; messageActionChatAddUser. ChatTooBig at `limit` members."""

    async def remove_user(self, chat_id: int, actor_id: int, user_id: int, *, date: int) -> ChatChange:
        """Leaving (actor == user) or removing: the creator, an admin or the user's inviter
        may remove a member (not the creator); messageActionChatDeleteUser, in the removed
        user's box too."""

    async def edit_title(self, chat_id: int, actor_id: int, title: str, *, date: int) -> ChatChange: ...
    async def edit_photo(self, chat_id: int, actor_id: int, photo: dict[str, Any] | None, *, date: int,
                         action: dict[str, Any]) -> ChatChange:
        """photo None deletes it (ChatNotModified if there is none)."""

    async def set_admin(self, chat_id: int, actor_id: int, user_id: int, is_admin: bool) -> ChatChange:
        """Only the creator; no service message (actor_copy None, no deliveries). The
        version moves if anything changed."""

    async def create_invite(self, chat_id: int, admin_id: int, *, date: int, expire_date: int | None = None,
                            usage_limit: int | None = None, title: str | None = None,
                            permanent: bool = False) -> ChatInviteRecord:
        """A new link (creator or admins only); a permanent one revokes the previous permanent one."""

    async def invite(self, hash: str) -> ChatInviteRecord | None: ...
    async def invites(self, chat_id: int, *, admin_id: int | None = None, revoked: bool = False,
                      limit: int = 100) -> list[ChatInviteRecord]:
        """Newest first."""

    async def revoke_invites_of(self, admin_id: int) -> int:
        """Revokes every live link the user made, in any group."""
    async def join_by_invite(self, hash: str, user_id: int, *, date: int, limit: int = 200) -> ChatChange:
        """messageActionChatJoinedByLink from the user; counts one use of the link."""


class ChatMigrations(Protocol):
    """Upgrading a basic group to a supergroup (storage/chat_migration.py)."""

    async def migrate(self, chat_id: int, actor_id: int, *, date: int, creator_rights: int,
                      admin_rights: int) -> ChatMigrated:
        """In one transaction: a new megagroup of the group's creator (creator_rights) with
        the group's title and photo, opened by messageActionChannelMigrateFrom; the group's
        members its members (its admins admins, with admin_rights); the group deactivated
        with migrated_to set, and messageActionChatMigrateTo from the actor in every
        member's box. ChatNotFound (no such group, or deactivated already); NotMember
        (the actor). Who may upgrade is the caller's check."""


class Invites(Protocol):
    async def create(self, record: InviteRecord) -> None: ...
    async def get(self, code: str) -> InviteRecord | None: ...
    async def use(self, code: str, user_id: int, now: int) -> bool:
        """Atomically marks an unused invite as used; False if unknown or used."""

    async def list(self) -> list[InviteRecord]: ...


class ServerSecrets(Protocol):
    async def get_or_create(self, name: str, size: int = 32, initial: bytes | None = None) -> bytes:
        """The secret `name`: created (random, or `initial`) by the first caller, then the
        same for every process."""


class Media(Protocol):
    """Uploads, stored files, photos, documents, profile photos (storage/media.py). Bytes
    live in the object store (storage/objects), one object per part, under keys recorded here."""

    async def start_upload(self, owner_id: int, file_id: int, *, big: bool, total_parts: int | None,
                           now: int) -> UploadRecord:
        """The upload (owner, file_id): created with a fresh key prefix, or the one in progress."""

    async def upload(self, owner_id: int, file_id: int) -> UploadRecord | None: ...
    async def add_part(self, owner_id: int, file_id: int, part: int, size: int,
                       object_key: str) -> tuple[bool, str | None]:
        """Records a part already written to the object store under object_key: (recorded,
        the key of the part it replaced, if re-sent). Not recorded when the upload is gone
        (used or expired meanwhile): the caller deletes what it wrote."""

    async def parts(self, owner_id: int, file_id: int) -> dict[int, int]:
        """{part: size} of the upload."""

    async def part_keys(self, owner_id: int, file_id: int) -> dict[int, str]:
        """{part: object key} of the upload."""

    async def full_part_size(self, owner_id: int, file_id: int, last_part: int, other_than: int) -> int | None:
        """The size of some part before `last_part` other than `other_than` (all such parts
        must have one size), None if there is none yet."""

    async def finish_upload(self, owner_id: int, file_id: int, key_prefix: str, part_count: int,
                            file: FileRecord) -> list[str] | None:
        """In one transaction: the upload (if it still has key_prefix) goes, `file` is
        stored, and parts 0 .. part_count - 1 become its parts (same objects). Returns the
        object keys of parts beyond part_count (to delete); None if the upload was gone."""

    async def expired_uploads(self, before: int, limit: int = 100) -> list[tuple[UploadRecord, list[str]]]:
        """Uploads started before `before`, with their parts' object keys, oldest first."""

    async def drop_upload(self, owner_id: int, file_id: int) -> None: ...
    async def add_file(self, file: FileRecord, object_keys: Sequence[str]) -> None:
        """A file the server wrote itself (a photo size): part i is object_keys[i]."""

    async def file(self, file_id: int) -> FileRecord | None: ...
    async def file_part_keys(self, file_id: int, first: int, last: int) -> dict[int, str]:
        """{part: object key} of a stored file's parts first .. last."""

    async def file_range(self, file_id: int, offset: int, limit: int) -> tuple[FileRecord | None, dict[int, str]]:
        """The file (None if there is none) and {part: object key} of the parts that bytes
        offset .. offset + limit touch, in one statement: a download asks for this per chunk."""

    async def add_photo(self, photo: PhotoRecord) -> None: ...
    async def photo(self, photo_id: int) -> PhotoRecord | None: ...
    async def photos(self, photo_ids: Sequence[int]) -> list[PhotoRecord]:
        """Those that exist, in the order asked, each once."""

    async def add_document(self, doc: DocumentRecord) -> None: ...
    async def document(self, document_id: int) -> DocumentRecord | None: ...
    async def add_profile_photo(self, owner: Peer, photo_id: int, set_at: int) -> None:
        """The one with the highest set_at (microseconds: two set in one second keep their
        order) is the current one; setting an existing one again moves it to the top."""

    async def profile_photos(self, owner: Peer, offset: int = 0, limit: int = 100) -> tuple[list[PhotoRecord], int]:
        """(newest first, total count)."""

    async def current_profile_photos(self, owners: Iterable[Peer]) -> dict[Peer, PhotoRecord]: ...
    def current_profile_photos_query(self, owners: Sequence[Peer]) -> Query[dict[Peer, PhotoRecord]]:
        """current_profile_photos of up to 500 distinct peers as a read to run with others
        (storage/query.py)."""

    async def delete_profile_photos(self, owner: Peer, photo_ids: Iterable[int]) -> list[int]:
        """The ids that were the peer's profile photos and are now deleted, in the order asked."""

    async def delete_all_profile_photos(self, owner: Peer) -> list[str]:
        """Every profile photo of the peer; those nothing else shows go with their files.
        The object keys to delete once committed."""

    async def drop_uploads_of(self, owner_id: int) -> list[str]:
        """The user's unfinished uploads; the object keys of their parts."""
    async def is_profile_photo(self, owner: Peer, photo_id: int) -> bool: ...


class Usernames(Protocol):
    """The one name space of users' and channels' usernames (storage/usernames.py)."""

    async def resolve(self, name: str) -> Peer | None:
        """The user or channel holding the name, ignoring case; None if nobody does."""

    async def of(self, peer: Peer) -> str | None:
        """The peer's username, lower-cased; None without one."""


class Channels(Protocol):
    """Supergroups and broadcast channels (storage/channels.py has the model): one
    message stream per channel with its own ids and pts. Writes lock the channel and
    raise ChannelNotFound for none or a deleted one."""

    async def create(self, creator_id: int, title: str, *, date: int, about: str = "", broadcast: bool = False,
                     megagroup: bool = False, forum: bool = False, creator_rights: int = 0,
                     migrated_from_chat_id: int | None = None, migrated_from_max_id: int | None = None,
                     action: dict[str, Any] | None = None) -> ChannelCreated:
        """A new channel (the next id, a random access_hash, pts 1) with the creator as its
        only participant (role creator, admin rights creator_rights), opened by a service
        message from them (`action`; default messageActionChannelCreate): message 1, pts 2."""

    async def get(self, channel_id: int) -> ChannelRecord | None:
        """Deleted channels too (deactivated)."""

    async def get_many(self, channel_ids: Iterable[int]) -> list[ChannelRecord]:
        """The channels that exist, in the order asked, each once."""

    async def by_username(self, username: str) -> ChannelRecord | None:
        """Ignoring case; not a deleted channel."""

    async def search(self, query: str, limit: int = 50) -> list[ChannelRecord]:
        """Public channels (with a username) whose username starts with the query or whose
        title contains it, ignoring case; the biggest first. A blank query finds none."""

    async def edit(self, channel_id: int, **changes: Any) -> ChannelRecord:
        """Sets these fields (storage.channels.EDITABLE: title, about, photo, forum,
        signatures, noforwards, join_to_send, join_request, pre_history_hidden,
        slowmode_seconds, default_banned_rights, linked_chat_id); returns the channel after.
        ChatNotModified when every one already has that value."""

    async def set_username(self, channel_id: int, username: str | None) -> ChannelRecord:
        """None or "" removes it. UsernameTaken if a user or another channel holds it, in
        any case; ChatNotModified if the channel has it already, spelled the same."""

    async def delete(self, channel_id: int) -> tuple[ChannelRecord, list[int]]:
        """channels.deleteChannel: deactivates it and frees its username: (the channel
        after, the members it had)."""


class ChannelParticipants(Protocol):
    """Who is in a channel, as what (storage/channel_participants.py). Each change locks
    the channel and returns ChannelParticipantChange (the channel's counts after it).
    Raises ChannelNotFound, NotParticipant (the user acted upon is not a member),
    AlreadyParticipant, UserKicked, ChatTooBig, ParticipantIsCreator."""

    async def add(self, channel_id: int, user_id: int, *, inviter_id: int, date: int, limit: int | None = None,
                  lift_ban: bool = False) -> ChannelParticipantChange:
        """The user becomes a member (a join when inviter_id == user_id; the creator comes
        back as the creator, a restricted member who left as restricted), having read
        everything sent so far (and seeing none of it with pre_history_hidden:
        available_min_id). UserKicked for a kicked user unless lift_ban; ChatTooBig at
        `limit` members."""

    async def leave(self, channel_id: int, user_id: int, *, date: int) -> ChannelParticipantChange: ...

    async def set_admin(self, channel_id: int, user_id: int, *, rights: int, rank: str | None, promoted_by: int,
                        date: int) -> ChannelParticipantChange:
        """rights (chatAdminRights flags) non-zero: an admin (added first if not a member;
        UserKicked if kicked); zero: an admin is a member again. The creator's rights and
        rank change, not their role."""

    async def set_banned(self, channel_id: int, user_id: int, *, rights: int, until_date: int, kicked_by: int,
                         date: int) -> ChannelParticipantChange:
        """rights (chatBannedRights flags) with view_messages: kicked (a member or not);
        other rights: a member is restricted (NotParticipant otherwise); zero: a kicked
        user is let back (as a former member), a restricted one is a member again.
        ParticipantIsCreator for the creator."""

    async def transfer_creator(self, channel_id: int, user_id: int, *, old_creator_rights: int,
                               date: int) -> tuple[ChannelParticipantChange, ChannelParticipantChange]:
        """channels.editCreator: the member becomes the creator, the creator an admin with
        old_creator_rights: (the old creator's change, the new one's)."""

    async def get(self, channel_id: int, user_id: int) -> ChannelParticipantRecord | None:
        """Former and kicked participants too (see `role`)."""

    async def get_many(self, channel_id: int, user_ids: Iterable[int]) -> dict[int, ChannelParticipantRecord]: ...

    async def list(self, channel_id: int, *, filter: str = "recent", query: str = "", viewer_id: int | None = None,
                   offset: int = 0, limit: int = 200) -> tuple[list[ChannelParticipantRecord], int]:
        """channels.getParticipants: (a page, the count of all that match). filter: "recent"
        (members, newest first), "admins" (the creator, then admins by date), "kicked",
        "banned" (restricted members), "search" (members), "contacts" (members who are
        the viewer's contacts), "bots" (none here). query: part of the name or the start of
        the username, ignoring case. limit at most 200."""

    async def channel_ids(self, user_id: int) -> list[int]:
        """The channels the user is a member of (not deleted ones), ascending."""

    async def memberships(self, user_id: int, channel_ids: Iterable[int]) -> dict[int, ChannelParticipantRecord]:
        """The user's membership of each of these channels they are a member of."""

    async def standings(self, user_id: int, channel_ids: Iterable[int]) -> dict[int, ChannelParticipantRecord]:
        """The user's row in each of these channels they have one in, whatever its role
        (members, and those who left or were kicked)."""


class ChannelMessages(Protocol):
    """The one copy of each channel message (storage/channel_messages.py). A write locks
    the channel, moves its pts and logs the change (ChannelLog); ChannelNotFound for no
    channel, MessageNotFound for a message that is not there (or is a service message
    where one cannot be edited or pinned). Rights are the caller's to check."""

    async def send(self, channel_id: int, sender_id: int, *, date: int, message: str = "",
                   entities: Sequence[dict[str, Any]] = (), media: dict[str, Any] | None = None,
                   reply_to_msg_id: int | None = None, reply_to_top_id: int | None = None,
                   fwd_from: dict[str, Any] | None = None, action: dict[str, Any] | None = None,
                   random_id: int | None = None, silent: bool = False, from_id: int | None = None,
                   post_author: str | None = None, grouped_id: int | None = None) -> ChannelSent:
        """The channel's next message id and pts ("new_message"); NotMember unless the
        sender is a member. from_id (the author shown, a storage peer id) defaults to the
        sender. A retry with the same (sender, random_id) changes nothing and returns the
        first send with duplicate=True."""

    async def edit(self, channel_id: int, id: int, *, edit_date: int, message: str,
                   entities: Sequence[dict[str, Any]] = (), media: Any = KEEP) -> ChannelMessagesChange:
        """New text and entities (and media, unless left as storage.models.KEEP);
        "edit_message"."""

    async def delete(self, channel_id: int, ids: Iterable[int], *, now: int) -> ChannelMessagesChange | None:
        """Deletes those that exist, one "delete_messages" with pts_count = their number;
        None when none did."""

    async def delete_from(self, channel_id: int, sender_id: int, *, now: int,
                          batch: int = 1000) -> tuple[ChannelMessagesChange | None, int]:
        """channels.deleteParticipantHistory: up to `batch` of the sender's messages, newest
        first, as delete(): (the change, how many of theirs are left)."""

    async def pin(self, channel_id: int, ids: Iterable[int], *, pinned: bool = True,
                  now: int) -> ChannelMessagesChange | None:
        """Pins (or unpins) these messages; one "pinned_messages" {"ids", "pinned"} for
        those that changed (None if none did)."""

    async def unpin_all(self, channel_id: int, *, now: int) -> ChannelMessagesChange | None: ...

    async def get(self, channel_id: int, ids: Iterable[int]) -> list[ChannelMessageRecord]:
        """The messages that exist, in the order asked, each once."""

    async def by_random_id(self, channel_id: int, sender_id: int, random_id: int) -> ChannelMessageRecord | None: ...
    async def pinned_ids(self, channel_id: int) -> list[int]:
        """Newest first."""

    async def last_sent_date(self, channel_id: int, sender_id: int) -> int | None:
        """The date of the sender's newest message there (slow mode)."""

    async def history(self, channel_id: int, *, offset_id: int = 0, offset_date: int = 0, add_offset: int = 0,
                      limit: int = 100, max_id: int = 0, min_id: int = 0,
                      top_id: int | None = None) -> tuple[list[ChannelMessageRecord], int]:
        """As Messages.history, for the channel's one stream: (newest first, count of all
        its messages); top_id: only the replies in that thread (messages.getReplies), and
        their count."""

    async def search(self, channel_id: int, *, query: str = "", sender_id: int | None = None,
                     filter: str = "inputMessagesFilterEmpty", min_date: int = 0, max_date: int = 0,
                     offset_id: int = 0, add_offset: int = 0, limit: int = 100, max_id: int = 0,
                     min_id: int = 0, top_id: int | None = None) -> tuple[list[ChannelMessageRecord], int]:
        """As MessageSearch.search within one channel; top_id: only that thread (the
        message and those sent into it)."""

    async def search_across(self, floors: dict[int, int], *, query: str = "",
                            filter: str = "inputMessagesFilterEmpty", min_date: int = 0, max_date: int = 0,
                            limit: int = 100) -> tuple[list[ChannelMessageRecord], int]:
        """messages.searchGlobal's channel half: the messages of these channels (by id,
        each with the first id its reader may see, 0: all; at most ACROSS_CHANNELS_MAX
        channels) newest first by date, then channel and id; and how many match."""


class ForumTopics(Protocol):
    """Topics of forum supergroups (storage/forum_topics.py): a topic's id is the id of the
    service message that created it; its messages are the channel's messages whose
    reply_to_top_id is that id; General (id 1) has those with none. TopicNotFound for a
    topic that is not there. Rights are the caller's to check."""

    async def open_general(self, channel_id: int, *, date: int, from_id: int, title: str, icon_color: int) -> None:
        """Writes General (id 1) unless the channel has it already."""

    async def create(self, channel_id: int, sender_id: int, *, date: int, title: str, icon_color: int,
                     action: dict[str, Any], icon_emoji_id: int | None = None, random_id: int | None = None,
                     from_id: int | None = None) -> tuple[ForumTopicRecord, ChannelSent]:
        """Sends the service message `action` (ChannelMessages.send's rules: NotMember, a
        retried random_id answers the first send) and writes the topic under its id."""

    async def get(self, channel_id: int, ids: Iterable[int]) -> list[ForumTopicRecord]:
        """Those that exist, in the order asked."""

    async def list(self, channel_id: int, *, query: str = "", offset_id: int = 0,
                   limit: int = 100) -> tuple[list[ForumTopicRecord], int]:
        """Pinned first (newest pin first), then by newest message; query: part of the
        title, any case; offset_id: the unpinned ones whose newest message is older.
        (the page, how many match in all)"""

    async def activity(self, channel_id: int, topic_ids: Iterable[int], *, reader_id: int,
                       read_max_id: int) -> dict[int, ForumTopicActivity]:
        """Each topic's newest message, how far reader_id has read it (the higher of
        read_max_id, their mark of the channel, and their mark of the topic), and its
        messages above that which they did not send."""

    async def read(self, channel_id: int, topic_id: int, user_id: int, max_id: int) -> int:
        """messages.readDiscussion: the user's mark of the topic rises to max_id (capped at
        its newest message; 0: all of it); returns the mark."""

    async def messages(self, channel_id: int, topic_id: int, *, offset_id: int = 0, offset_date: int = 0,
                       add_offset: int = 0, limit: int = 100, max_id: int = 0,
                       min_id: int = 0) -> tuple[list[ChannelMessageRecord], int]:
        """As ChannelMessages.history, for one topic's messages."""

    async def edit(self, channel_id: int, topic_id: int, *, title: Any = KEEP, icon_emoji_id: Any = KEEP,
                   closed: Any = KEEP, hidden: Any = KEEP) -> ForumTopicRecord:
        """Changes the fields given (KEEP: as it is)."""

    async def pin(self, channel_id: int, topic_id: int, *, pinned: bool, now: int) -> ForumTopicRecord: ...
    async def delete_history(self, channel_id: int, topic_id: int, *, now: int,
                             batch: int = 1000) -> tuple[ChannelMessagesChange | None, int]:
        """Up to `batch` of the topic's messages, newest first, as ChannelMessages.delete;
        the topic itself once none are left. (the change, how many are left)"""


class ChannelViews(Protocol):
    """messages.getMessagesViews (storage/channel_views.py)."""

    async def view(self, channel_id: int, user_id: int, ids: Iterable[int], *,
                   increment: bool = True) -> dict[int, int]:
        """{id: views} of those of these messages that exist; with increment, the user's
        first view of each counts one, later ones nothing."""


class Discussions(Protocol):
    """Discussion groups and comment threads (storage/discussions.py)."""

    async def link(self, channel_id: int, group_id: int | None) -> list[ChannelRecord]:
        """Links the broadcast channel and the supergroup to each other (group_id None:
        unlinks the channel); whatever either was linked to before is unlinked. Returns
        every channel whose link changed, as it is after; ChatNotModified when the channel
        is linked so already; ChannelNotFound for a channel that is not there."""

    async def copy_post(self, post: ChannelMessageRecord, group_id: int, *, date: int) -> ChannelSent | None:
        """The post's copy in its channel's discussion group (a "new_message" there, sent by
        no user, shown from the channel with a forward header naming the post), remembered
        as the post's thread; None if the group is gone or no longer linked."""

    async def of_posts(self, channel_id: int, post_ids: Iterable[int]) -> dict[int, DiscussionRecord]:
        """The threads of those of these posts that have one, with their counts."""

    async def of_root(self, group_id: int, root_id: int) -> DiscussionRecord | None:
        """The post whose copy is this message of a discussion group, if it is one."""

    async def threads(self, channel_id: int, top_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """{top id: (replies, newest reply's id)} for those of these messages that have replies."""


class ChannelDialogs(Protocol):
    """A member's channel dialogs and read state (storage/channel_dialogs.py)."""

    async def dialogs(self, user_id: int, *, offset_date: int = 0, offset_channel_id: int = 0, limit: int = 100,
                      exclude_pinned: bool = False) -> tuple[list[ChannelDialogRecord], int]:
        """(the channels the user is a member of or banned from (as Telegram lists them:
        their dialog ends at the ban, nothing unread), newest top message first (date,
        then channel id), total count (pinned ones included)). Offset: those before
        (offset_date, offset_channel_id). limit at most 100."""

    async def dialog(self, user_id: int, channel_id: int) -> ChannelDialogRecord | None:
        """None unless the user is a member."""

    async def read_history(self, channel_id: int, user_id: int, max_id: int) -> ChannelReadRecord:
        """channels.readHistory: the member's read_inbox_max_id rises to max_id (capped at
        the last message; 0: all), and the channel's outbox mark to the newest message up to
        it that they did not send. NotParticipant unless a member."""


class ChannelLog(Protocol):
    """Each channel's update log (storage/channel_log.py)."""

    async def difference(self, channel_id: int, pts: int, limit: int = 1000) -> ChannelDifferenceRecord | None:
        """The updates after pts, ascending, at most limit, and the channel's pts now;
        too_long if some were pruned. None for no channel."""

    async def row(self, channel_id: int, pts: int) -> ChannelUpdateRecord | None:
        """The update that moved the channel to `pts`; None if there is none (or it was
        pruned). One statement: what a live push of that update reads."""

    async def prune_before(self, date: int) -> int:
        """Forgets every channel's updates logged before `date`; returns how many."""

    async def rows(self) -> int:
        """Rows in every channel's log (for metrics; an estimate for big PostgreSQL tables)."""


class ChannelInvites(Protocol):
    """Channels' invite links (storage/channel_invites.py)."""

    async def create(self, channel_id: int, admin_id: int, *, date: int, expire_date: int | None = None,
                     usage_limit: int | None = None, title: str | None = None, permanent: bool = False,
                     request_needed: bool = False) -> ChannelInviteRecord:
        """A new link; a permanent one revokes the previous permanent one."""

    async def get(self, hash: str) -> ChannelInviteRecord | None: ...
    async def list(self, channel_id: int, *, admin_id: int | None = None, revoked: bool = False,
                   limit: int = 100) -> list[ChannelInviteRecord]:
        """Newest first."""

    async def edit(self, hash: str, *, expire_date: int | None = None, usage_limit: int | None = None,
                   title: str | None = None, request_needed: bool | None = None,
                   revoked: bool | None = None) -> ChannelInviteRecord | None: ...
    async def delete(self, hash: str) -> bool: ...
    async def join(self, hash: str, user_id: int, *, date: int,
                   limit: int | None = None) -> tuple[ChannelParticipantChange, ChannelInviteRecord]:
        """ChannelParticipants.add by the link's admin, counted as one use of the link and
        kept as one of its importers (ChannelJoins.importers). InviteInvalid, InviteExpired,
        and add's errors."""


class ChannelJoins(Protocol):
    """Joining channels through invite links: pending join requests and who joined by
    which link (storage/channel_joins.py)."""

    async def request(self, channel_id: int, user_id: int, *, date: int, invite_hash: str | None = None,
                      about: str | None = None) -> ChannelJoinRequestRecord:
        """The user asks to join (again: the request is renewed). ChannelNotFound,
        AlreadyParticipant for a member, UserKicked for a kicked user."""

    async def requests(self, channel_id: int, *, invite_hash: str | None = None, query: str = "",
                       offset_date: int = 0, offset_user_id: int = 0,
                       limit: int = 100) -> tuple[list[ChannelJoinRequestRecord], int]:
        """Pending requests, newest first (date, then user id), those before the offset
        pair when offset_date is given; invite_hash: through that link only; query: part
        of the name or the start of the username. (the page, the count of all that match)"""

    async def pending(self, channel_id: int, invite_hashes: Iterable[str] = ()) -> dict[str | None, int]:
        """How many requests are pending: {None: in all} plus one entry per hash asked."""

    async def approve(self, channel_id: int, user_id: int, *, approved_by: int, date: int,
                      limit: int | None = None) -> ChannelParticipantChange:
        """The request is granted: the user becomes a member invited by approved_by (an
        importer of the link asked through, one more use of it). JoinRequestMissing, and
        ChannelParticipants.add's errors."""

    async def decline(self, channel_id: int, user_id: int) -> bool:
        """The request is dropped; False if there was none."""

    async def pending_request(self, channel_id: int, user_id: int) -> ChannelJoinRequestRecord | None:
        """The user's request to join the channel, if one is pending."""

    async def importers(self, channel_id: int, *, invite_hash: str | None = None, query: str = "",
                        offset_date: int = 0, offset_user_id: int = 0,
                        limit: int = 100) -> tuple[list[ChannelInviteImporterRecord], int]:
        """Who joined through the channel's links (invite_hash: that one), newest first;
        paged and searched as `requests`."""


class ChannelAdminLog(Protocol):
    """Channels' admin logs (storage/channel_admin_log.py)."""

    async def add(self, channel_id: int, user_id: int, *, date: int, category: str, data: dict[str, Any],
                  search_text: str = "") -> int:
        """Logs one event of `user_id` in the channel; returns its id (ascending)."""

    async def events(self, channel_id: int, *, categories: Iterable[str] | None = None,
                     user_ids: Iterable[int] | None = None, query: str = "", max_id: int = 0, min_id: int = 0,
                     since: int = 0, limit: int = 100) -> list[ChannelAdminLogRecord]:
        """Newest first: those of these categories (None: any), by these actors (None: anyone),
        whose search text holds `query` (any case), with min_id < id < max_id (0: no bound),
        logged at `since` or later; limit at most 100."""

    async def prune_before(self, date: int) -> int:
        """Forgets every channel's events logged before `date`; returns how many."""


class Storage(Protocol):
    backend: str  # "sqlite" or "postgres"
    schema_version: int | None  # set by migrate()
    auth_keys: AuthKeys
    users: Users
    passwords: Passwords
    privacy: Privacy
    authorizations: Authorizations
    codes: PhoneCodes
    exported_authorizations: ExportedAuthorizations
    login_tokens: LoginTokens
    email_codes: EmailCodes
    login_emails: LoginEmails
    contacts: Contacts
    blocked: Blocked
    updates: UpdateStates
    messages: Messages
    chat_history: ChatHistory
    forwards: Forwards
    pinned_messages: PinnedMessages
    pinned_dialogs: PinnedDialogs
    drafts: Drafts
    notify_settings: NotifySettings
    unread_marks: UnreadMarks
    search: MessageSearch
    chats: Chats
    chat_migrations: ChatMigrations
    invites: Invites
    secrets: ServerSecrets
    media: Media
    usernames: Usernames
    channels: Channels
    channel_participants: ChannelParticipants
    channel_messages: ChannelMessages
    channel_views: ChannelViews
    channel_dialogs: ChannelDialogs
    channel_log: ChannelLog
    channel_invites: ChannelInvites
    channel_joins: ChannelJoins
    discussions: Discussions
    channel_admin_log: ChannelAdminLog
    forum_topics: ForumTopics

    async def migrate(self) -> int:
        """Apply pending migrations (numbered SQL files) in one transaction; returns the
        schema version now recorded."""

    async def ping(self) -> None:
        """One round trip to the database (for health checks); raises if it fails."""

    async def close(self) -> None: ...
