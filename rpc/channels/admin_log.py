"""A channel's admin log (channels.getAdminLog): what its admins did and who came and
went, recorded where it happens through one function, `record`.

Each event is one typed action below, kept by storage as it is (its msgspec form,
storage/channel_admin_log.py) with its category (the channelAdminLogEventsFilter flag
that selects it) and the words `q` finds it by. Actions keep what the event showed at
the time (the message before and after an edit, the participant row before and after a
ban), since the rows themselves change or go; admin_log_view.py renders them for the
reader. Storage keeps 48 hours of them, as Telegram (server/maintenance.py).

Which message changes are logged: those made by an admin (an edit of their own post in
a broadcast channel, a deletion of anyone's message, a pin), as Telegram's log is of
admins' actions; a member editing or deleting their own message in a supergroup is not.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import msgspec

from storage.models import ChannelInviteRecord, ChannelMessageRecord, ChannelParticipantRecord

from .rights import banned_bit, is_admin


class Action(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    category: ClassVar[str] = ""

    def filter_flag(self) -> str:
        """The channelAdminLogEventsFilter flag that selects this event."""
        return self.category

    def words(self) -> str:
        """What `q` finds the event by."""
        return ""


# -- the channel's info and settings ----------------------------------------------------------

class _TextChange(Action, frozen=True, kw_only=True):
    """A text of the channel's info, before and after."""

    category = "info"
    prev: str
    new: str

    def words(self) -> str:
        return f"{self.prev}\n{self.new}"


class ChangeTitle(_TextChange, tag="change_title"):
    pass


class ChangeAbout(_TextChange, tag="change_about"):
    pass


class ChangeUsername(_TextChange, tag="change_username"):
    pass


class ChangePhoto(Action, tag="change_photo"):
    category = "info"
    prev: dict[str, Any] | None  # Photo TL dicts; None: no photo
    new: dict[str, Any] | None


class ToggleSignatures(Action, tag="toggle_signatures"):
    category = "settings"
    new: bool


class TogglePreHistoryHidden(Action, tag="toggle_pre_history_hidden"):
    category = "settings"
    new: bool


class DefaultBannedRights(Action, tag="default_banned_rights"):
    category = "settings"
    prev: int  # chatBannedRights flags
    new: int


class ToggleSlowMode(Action, tag="toggle_slow_mode"):
    category = "settings"
    prev: int
    new: int


# -- messages -----------------------------------------------------------------------------------

class EditMessage(Action, tag="edit_message"):
    category = "edit"
    prev: ChannelMessageRecord
    new: ChannelMessageRecord

    def words(self) -> str:
        return f"{self.prev.message}\n{self.new.message}"


class DeleteMessage(Action, tag="delete_message"):
    category = "delete"
    message: ChannelMessageRecord

    def words(self) -> str:
        return self.message.message


class UpdatePinned(Action, tag="update_pinned"):
    category = "pinned"
    message: ChannelMessageRecord  # as it is after the pin or unpin

    def words(self) -> str:
        return self.message.message


# -- members --------------------------------------------------------------------------------------

class ParticipantJoin(Action, tag="join"):
    category = "join"


class ParticipantLeave(Action, tag="leave"):
    category = "leave"


class ParticipantInvite(Action, tag="invite"):
    category = "invite"
    participant: ChannelParticipantRecord


class ParticipantJoinByInvite(Action, tag="join_by_invite"):
    category = "join"
    invite: ChannelInviteRecord


class ParticipantJoinByRequest(Action, tag="join_by_request"):
    category = "join"
    invite: ChannelInviteRecord | None  # None: asked through the public group's join_request
    approved_by: int


class ParticipantToggleBan(Action, tag="toggle_ban"):
    prev: ChannelParticipantRecord | None  # None: was never a participant
    new: ChannelParticipantRecord

    def filter_flag(self) -> str:
        """Telegram's four: kick (banned from the group: view_messages), unkick (a ban
        lifted), ban (restricted in some rights), unban (the restriction lifted)."""
        def shut_out(p):
            return p is not None and p.role == "kicked" and bool(p.banned_rights & banned_bit("view_messages"))

        if shut_out(self.new):
            return "kick"
        if shut_out(self.prev):
            return "unkick"
        return "ban" if self.new.role in ("restricted", "kicked") else "unban"


class ParticipantToggleAdmin(Action, tag="toggle_admin"):
    prev: ChannelParticipantRecord | None
    new: ChannelParticipantRecord

    def filter_flag(self) -> str:
        return "promote" if is_admin(self.new) else "demote"


# -- invite links ---------------------------------------------------------------------------------

class ExportedInviteEdit(Action, tag="invite_edit"):
    category = "invites"
    prev: ChannelInviteRecord
    new: ChannelInviteRecord


class ExportedInviteRevoke(Action, tag="invite_revoke"):
    category = "invites"
    invite: ChannelInviteRecord


class ExportedInviteDelete(Action, tag="invite_delete"):
    category = "invites"
    invite: ChannelInviteRecord


AnyAction = (ChangeTitle | ChangeAbout | ChangeUsername | ChangePhoto | ToggleSignatures | TogglePreHistoryHidden
             | DefaultBannedRights | ToggleSlowMode | EditMessage | DeleteMessage | UpdatePinned | ParticipantJoin
             | ParticipantLeave | ParticipantInvite | ParticipantJoinByInvite | ParticipantJoinByRequest
             | ParticipantToggleBan | ParticipantToggleAdmin | ExportedInviteEdit | ExportedInviteRevoke
             | ExportedInviteDelete)

FILTER_FLAGS = ("join", "leave", "invite", "ban", "unban", "kick", "unkick", "promote", "demote", "info",
                "settings", "pinned", "edit", "delete", "invites")


async def record(ctx, channel_id: int, *actions: Action, user_id: int | None = None) -> None:
    """Logs these actions in the channel's admin log, done by `user_id` (the caller by
    default). Called after the change is stored: a failed change logs nothing."""
    log = ctx.services.storage.channel_admin_log
    actor = ctx.user_id if user_id is None else user_id
    now = int(time.time())
    for action in actions:
        await log.add(channel_id, actor, date=now, category=action.filter_flag(), data=msgspec.to_builtins(action),
                      search_text=action.words())


def admin_message_change(me) -> bool:
    """Whether a change to messages by this participant belongs in the log (module
    docstring)."""
    return is_admin(me)


def decode(data: dict[str, Any]) -> AnyAction | None:
    """The action a stored event holds; None for one this server no longer knows."""
    try:
        return msgspec.convert(data, AnyAction)
    except msgspec.ValidationError:
        return None
