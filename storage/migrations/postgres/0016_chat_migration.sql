-- A basic group upgraded to a supergroup (messages.migrateChat, storage/chat_migration.py):
-- the group is deactivated and names the channel that continues it.
ALTER TABLE chats ADD COLUMN migrated_to BIGINT;
