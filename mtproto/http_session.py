"""The encrypted session for the HTTP transport: messages wait, numbered, for a request.

Over TCP every answer is encrypted and sent at once. Over HTTP
(https://core.telegram.org/mtproto/transports#http) the server can only answer
requests: the response to one POST is one packet, carrying everything queued for
that session by then (a container when several), or an empty container when
``http_wait``'s max_wait runs out. So here messages are numbered as usual (msg_id,
seqno, and kept for re-sending until acked: session.py's rules, unchanged) but not
encrypted: ``_seal`` returns an ``Unsealed`` batch, which the server queues
(server/http_outbox.py), and ``seal`` makes the response packet from the batches a
request takes. It also remembers the ``http_wait`` the last packet carried, and has
no quick acks (the HTTP transport has none). No I/O, the clock is an argument.
"""

from __future__ import annotations

from dataclasses import dataclass

from tl import types as T

from .session import EncryptedSession, SessionState


@dataclass(frozen=True, slots=True)
class Unsealed:
    """Messages of one session, numbered, waiting for an HTTP response to carry them."""

    session_id: int
    messages: tuple  # (msg_id, seqno, body) each
    # The state of a session the server did not keep (a first message refused by the
    # salt or time checks): its answer, such as bad_server_salt, is sealed with it.
    unkept: SessionState | None = None

    @property
    def size(self) -> int:
        return sum(len(body) + 16 for _, _, body in self.messages)


class HttpEncryptedSession(EncryptedSession):
    http_wait: T.HttpWait | None = None

    def receive(self, payload: bytes, now: float, quick_ack: bool = False) -> list:
        self.http_wait = None
        return super().receive(payload, now, False)

    def _dispatch(self, session, msg_id, obj, now, out, events) -> None:
        if isinstance(obj, T.HttpWait):
            self.http_wait = obj
        super()._dispatch(session, msg_id, obj, now, out, events)

    def _seal(self, session, numbered: list, now: float) -> Unsealed:
        unkept = None if session.session_id in self.sessions else session
        return Unsealed(session.session_id, tuple(numbered), unkept)

    def resend_pending(self, session_id: int, now: float) -> Unsealed | None:
        session = self.sessions.get(session_id)
        if session is None or not session.pending:
            return None
        return Unsealed(session_id, tuple((m, s, b) for m, (s, b) in session.pending.items()))

    def seal(self, session_id: int, batches: list[Unsealed], now: float) -> bytes | None:
        """One encrypted packet with every message of ``batches`` (an empty container when
        there are none); None if the session is gone."""
        session = self.sessions.get(session_id) or next((b.unkept for b in batches if b.unkept is not None), None)
        if session is None:
            return None
        messages = [message for batch in batches for message in batch.messages]
        return super()._seal(session, messages, now)


__all__ = ["HttpEncryptedSession", "Unsealed"]
