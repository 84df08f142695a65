"""RPC errors as Telegram names them.

A handler raises `RpcError(400, E.PHONE_CODE_INVALID)`; the dispatcher turns it into
rpc_error. `E` holds every name the server answers: Telegram's (rpc/error_names.py,
generated from Telegram's list by `python -m tools.catalogue`) and, below, the few the
server uses that the list lacks, each with the reason. Names with an X carry a number:
`numbered(E.FILE_PART_X_MISSING, 3)` → FILE_PART_3_MISSING, `flood_wait(30)` → FLOOD_WAIT_30.
tests/rpc/test_error_names.py fails on a name written as a string in rpc/.
"""

from __future__ import annotations

from .error_names import TelegramErrors


class E(TelegramErrors):
    # Newer than the list (it is from the layer-190 era): Telegram answers
    # account.sendVerifyEmailCode / account.verifyEmail with these for a login email
    # that is not allowed or not set up.
    EMAIL_NOT_ALLOWED = "EMAIL_NOT_ALLOWED"
    EMAIL_NOT_SETUP = "EMAIL_NOT_SETUP"
    # Newer than the list: Telegram's answer to text sent by a supergroup member whose
    # send_plain right is banned (chatBannedRights.send_plain, layer 150).
    CHAT_SEND_PLAIN_FORBIDDEN = "CHAT_SEND_PLAIN_FORBIDDEN"
    # Newer than the list: Telegram's answers to the forum topic methods
    # (core.telegram.org/method/messages.createForumTopic, editForumTopic, sendMessage):
    # an empty title, a topic that is not there, an edit that changes nothing, a post
    # into a closed topic by a non-admin, getForumTopicsByID with no ids.
    TOPIC_TITLE_EMPTY = "TOPIC_TITLE_EMPTY"
    TOPIC_ID_INVALID = "TOPIC_ID_INVALID"
    TOPIC_NOT_MODIFIED = "TOPIC_NOT_MODIFIED"
    TOPIC_CLOSED = "TOPIC_CLOSED"
    TOPICS_EMPTY = "TOPICS_EMPTY"
    # The server's own: a result this server could not encode in the caller's layer
    # (Telegram's list has only specific INTERNAL-ish names), and errors.internal()'s
    # default.
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    INTERNAL = "INTERNAL"
    # A method that exists in the schema but that this server does not implement (yet).
    # Telegram has no name for this; this one says exactly what happened, and every
    # occurrence is counted (rpc.dispatch.UNIMPLEMENTED) to show what clients ask for.
    METHOD_NOT_IMPLEMENTED = "METHOD_NOT_IMPLEMENTED"


def numbered(template: str, number: int) -> str:
    """A name with an X part (FLOOD_WAIT_X, FILE_PART_X_MISSING) with the number in it."""
    parts = template.split("_")
    if "X" not in parts:
        raise ValueError(f"{template} carries no number")
    parts[parts.index("X")] = str(number)
    return "_".join(parts)


class RpcError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


def bad_request(name: str) -> RpcError:
    return RpcError(400, name)


def unauthorized(name: str = E.AUTH_KEY_UNREGISTERED) -> RpcError:
    return RpcError(401, name)


def flood_wait(seconds: int) -> RpcError:
    return RpcError(420, numbered(E.FLOOD_WAIT_X, max(1, int(seconds))))


def internal(name: str = E.INTERNAL) -> RpcError:
    return RpcError(500, name)


NOT_IMPLEMENTED = E.METHOD_NOT_IMPLEMENTED
