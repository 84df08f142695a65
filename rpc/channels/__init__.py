"""Supergroups and broadcast channels (channels.* and the messages.* methods on them)."""
from . import create, edit, history, info, post, read, sync  # noqa: F401  (registers the handlers)
