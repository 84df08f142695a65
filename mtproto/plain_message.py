"""Unencrypted MTProto messages: the envelope of the auth key handshake.

    auth_key_id:long(=0) message_id:long message_data_length:int message_data:bytes

(https://core.telegram.org/mtproto/description, "Unencrypted Message").
"""

from __future__ import annotations

import struct

_HEAD = struct.Struct("<qqi")
HEADER_SIZE = _HEAD.size  # 20


class PlainMessageError(ValueError):
    """Not a well-formed unencrypted message."""


def parse_plain(payload: bytes) -> tuple[int, bytes]:
    """(message_id, message_data) of an unencrypted message."""
    if len(payload) < HEADER_SIZE:
        raise PlainMessageError(f"unencrypted message of {len(payload)} bytes is shorter than its header")
    auth_key_id, msg_id, length = _HEAD.unpack_from(payload)
    if auth_key_id != 0:
        raise PlainMessageError("auth_key_id of an unencrypted message must be 0")
    if length < 4 or length > len(payload) - HEADER_SIZE:
        raise PlainMessageError(f"message_data_length {length} does not fit the {len(payload)}-byte packet")
    return msg_id, payload[HEADER_SIZE : HEADER_SIZE + length]


def build_plain(msg_id: int, data: bytes) -> bytes:
    return _HEAD.pack(0, msg_id, len(data)) + data


def server_msg_id(now: float, last: int, response: bool = True) -> int:
    """A server message id: ≈ unixtime·2^32, ≡1 mod 4 for responses (3 otherwise),
    and greater than `last` (PROTOCOL.md rule 1)."""
    msg_id = int(now * 2**32) & ~3 | (1 if response else 3)
    if msg_id <= last:
        msg_id = (last + 4) & ~3 | (1 if response else 3)
    return msg_id
