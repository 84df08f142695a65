"""SqlStorage: the storage.interface.Storage both backends are, repositories over one
database driver (storage/sqlite.py or storage/postgres.py)."""

from __future__ import annotations

from . import migrations
from .account import SqlAuthorizations, SqlPasswords, SqlPrivacy
from .admin_tokens import SqlAdminTokens
from .auth_keys import SqlAuthKeys
from .channel_admin_log import SqlChannelAdminLog
from .channel_dialogs import SqlChannelDialogs
from .channel_invites import SqlChannelInvites
from .channel_joins import SqlChannelJoins
from .channel_log import SqlChannelLog
from .channel_messages import SqlChannelMessages
from .channel_participants import SqlChannelParticipants
from .channel_views import SqlChannelViews
from .forum_topics import SqlForumTopics
from .channels import SqlChannels
from .chat_history import SqlChatHistory
from .chat_migration import SqlChatMigrations
from .chats import SqlChats
from .contacts import SqlBlocked, SqlContacts
from .db import Database
from .discussions import SqlDiscussions
from .drafts import SqlDrafts
from .exported_authorizations import SqlExportedAuthorizations
from .emails import SqlEmailCodes, SqlLoginEmails
from .forwards import SqlForwards
from .login import SqlInvites, SqlPhoneCodes
from .login_tokens import SqlLoginTokens
from .media import SqlMedia
from .messages import SqlMessages
from .notify_settings import SqlNotifySettings
from .pinned_dialogs import SqlPinnedDialogs
from .pinned_messages import SqlPinnedMessages
from .reports import SqlReports
from .search import SqlMessageSearch
from .secrets import SqlServerSecrets
from .statistics import SqlStatistics
from .unread_marks import SqlUnreadMarks
from .updates import SqlUpdateStates
from .usernames import SqlUsernames
from .users import SqlUsers


class SqlStorage:
    def __init__(self, db: Database):
        self.db = db
        self.auth_keys = SqlAuthKeys(db)
        self.users = SqlUsers(db)
        self.passwords = SqlPasswords(db)
        self.privacy = SqlPrivacy(db)
        self.authorizations = SqlAuthorizations(db)
        self.codes = SqlPhoneCodes(db)
        self.exported_authorizations = SqlExportedAuthorizations(db)
        self.login_tokens = SqlLoginTokens(db)
        self.email_codes = SqlEmailCodes(db)
        self.login_emails = SqlLoginEmails(db)
        self.contacts = SqlContacts(db)
        self.blocked = SqlBlocked(db)
        self.updates = SqlUpdateStates(db)
        self.messages = SqlMessages(db)
        self.chat_history = SqlChatHistory(db)
        self.forwards = SqlForwards(db)
        self.pinned_messages = SqlPinnedMessages(db)
        self.pinned_dialogs = SqlPinnedDialogs(db)
        self.drafts = SqlDrafts(db)
        self.notify_settings = SqlNotifySettings(db)
        self.unread_marks = SqlUnreadMarks(db)
        self.search = SqlMessageSearch(db)
        self.chats = SqlChats(db)
        self.chat_migrations = SqlChatMigrations(db)
        self.invites = SqlInvites(db)
        self.secrets = SqlServerSecrets(db)
        self.media = SqlMedia(db)
        self.admin_tokens = SqlAdminTokens(db)
        self.reports = SqlReports(db)
        self.statistics = SqlStatistics(db)
        self.usernames = SqlUsernames(db)
        self.channels = SqlChannels(db)
        self.channel_participants = SqlChannelParticipants(db)
        self.channel_messages = SqlChannelMessages(db)
        self.channel_views = SqlChannelViews(db)
        self.channel_dialogs = SqlChannelDialogs(db)
        self.channel_log = SqlChannelLog(db)
        self.channel_invites = SqlChannelInvites(db)
        self.channel_joins = SqlChannelJoins(db)
        self.discussions = SqlDiscussions(db)
        self.channel_admin_log = SqlChannelAdminLog(db)
        self.forum_topics = SqlForumTopics(db)
        self.schema_version: int | None = None  # known after migrate()

    @property
    def backend(self) -> str:
        """"sqlite" or "postgres"."""
        return self.db.dialect

    async def migrate(self) -> int:
        self.schema_version = await migrations.apply(self.db)
        return self.schema_version

    async def ping(self) -> None:
        await self.db.fetchval("SELECT 1")

    async def close(self) -> None:
        await self.db.close()

    async def __aenter__(self) -> SqlStorage:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"SqlStorage({self.db!r})"
