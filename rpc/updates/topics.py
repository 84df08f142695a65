"""Bus topic names. A process subscribes only to the topics of the users (and keys) it
holds sessions of, and of the channels those users are members of."""

from __future__ import annotations


def user_topic(user_id: int) -> str:
    return f"user:{user_id}"


def key_topic(auth_key_id: int) -> str:
    """An auth key that is not logged in yet (updateLoginToken)."""
    return f"key:{auth_key_id}"


def channel_topic(channel_id: int) -> str:
    """A channel's changes, for its members' live sessions (one publish per change,
    however many members)."""
    return f"channel:{channel_id}"
