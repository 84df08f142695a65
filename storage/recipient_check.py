"""The recipient check of a private send (Messages.send_private's recipient_access_hash):
the user an InputPeerUser names exists and the hash is theirs, their account is not
deleted, the sender has not blocked them.

It used to be two reads of its own before the send's transaction (the user row, then
storage.blocked.send_obstacles); now its columns ride on a statement the transaction
makes anyway (storage/message_boxes.py: the box lock on PostgreSQL, the retry lookup on
SQLite), so a sendMessage pays no statement for it. Every statement through
trio-asyncio costs ~0.15 ms of server CPU, and each SQLite one is a thread hop.
"""

from __future__ import annotations

from .interface import RecipientBlocked, RecipientDeleted, RecipientInvalid

# Four columns: the recipient's id (NULL: no such user), access hash, deleted, and
# whether the sender ($2) blocked the recipient ($3), for a FROM that has `LEFT JOIN
# users u ON u.id = $3`.
COLUMNS = "u.id, u.access_hash, u.deleted, EXISTS (SELECT 1 FROM blocked WHERE owner_id = $2 AND user_id = $3)"
FROM = "FROM (SELECT 1) AS one LEFT JOIN users u ON u.id = $3"


def refuse_unless_may_send(sender: int, recipient: int, access_hash: int, row) -> None:
    """Raises what the check's four columns refuse, in the order the handler checked them:
    the peer first (the sender's own id needs no hash), then, to someone else, a
    deleted account before a block."""
    found, their_hash, deleted, blocked = row
    if found is None or (their_hash != access_hash and recipient != sender):
        raise RecipientInvalid(f"user {recipient}")
    if recipient == sender:
        return
    if deleted:
        raise RecipientDeleted(f"user {recipient}")
    if blocked:
        raise RecipientBlocked(f"user {recipient}")
