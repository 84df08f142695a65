"""Basic groups (the messages.* methods on chats): create, members, title, photo, admins,
invite links.

Importing the package registers its handlers."""

from . import groups, migrate  # noqa: F401  (registers the handlers)
