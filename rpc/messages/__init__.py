"""messages.* on private chats and basic groups: sending (messages.py, media.py,
forward.py), history and dialogs, reading, editing, deleting, pins, drafts, search,
typing, reports.

Importing the package registers its handlers."""

from . import delete_history, dialog_pins, drafts, forward, media, messages, peer_dialogs, pins, reports, search, search_global, typing, unread_marks  # noqa: F401
