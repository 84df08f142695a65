"""Bus topic names. A process subscribes only to the topics of the users (and keys)
it holds sessions of; a channel's topic (`channel:<id>`) joins these with channels."""

from __future__ import annotations


def user_topic(user_id: int) -> str:
    return f"user:{user_id}"


def key_topic(auth_key_id: int) -> str:
    """An auth key that is not logged in yet (updateLoginToken)."""
    return f"key:{auth_key_id}"
