"""Supergroups and broadcast channels (channels.* and the messages.* methods on them)."""

from . import admins, invites, join_requests, members, participants, settings, usernames  # noqa: F401  (membership and administration)
