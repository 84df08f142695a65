"""Supergroups and broadcast channels (channels.* and the messages.* methods on them)."""
