"""Padded intermediate transport: intermediate framing plus 0-15 random bytes after the payload.

https://core.telegram.org/mtproto/mtproto-transports#padded-intermediate
The length field counts payload + padding, so the receiver has to work out where the payload
ends. We strip the padding here, using the MTProto packet layout
(https://core.telegram.org/mtproto/description), so that callers always receive exact payloads:

* unencrypted (auth_key_id == 0): auth_key_id(8) + msg_id(8) + message_data_length(4) + data,
  so the payload is 20 + message_data_length bytes;
* encrypted: auth_key_id(8) + msg_key(16) + AES-IGE ciphertext (a multiple of 16 bytes), so the
  payload is the longest 24 + 16·k that fits.

Whatever is left over must be at most 15 bytes, as the page allows, or the packet is malformed.
Payloads shorter than 16 bytes are transport errors or quick ACKs and are classified by the
client before stripping (see client.py).

The 0xdddddddd marker is consumed by detect.py (or carried in the obfuscated2 header).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .codec import DEFAULT_MAX_PACKET_SIZE, MalformedInput, check_frame_payload, error_payload
from .intermediate import IntermediateCodec, encode_header
from .intermediate import encode_quick_ack as encode_bare_quick_ack

MARKER = b"\xdd\xdd\xdd\xdd"
OBFUSCATED_TAG = MARKER

MAX_PADDING = 15
#: What we append by default. Telethon's RandomizedIntermediatePacketCodec strips only
#: ``len % 4`` trailing bytes, so any padding of 4 or more would reach its decryptor; 0-3 bytes is
#: within the page's 0-15 and safe for every client we know of.
DEFAULT_SERVER_PADDING = 3

#: A padded quick ACK is framed: an int32 -1, then the token.
#: https://core.telegram.org/mtproto/mtproto-transports#padded-intermediate
QUICK_ACK_MARK = b"\xff\xff\xff\xff"
#: tdlib (Transport.cpp, Transport::read) treats a payload as a transport error or quick ACK only
#: when it is shorter than 16 bytes, although the page says quick ACK packets may be 16 bytes
#: long; we keep every control packet under 16 bytes.
CONTROL_PACKET_LIMIT = 15

_UNENCRYPTED_HEADER = 8 + 8 + 4
_ENCRYPTED_HEADER = 8 + 16


def mtproto_payload_length(body: bytes) -> int:
    """How many leading bytes of a padded body are the MTProto payload (raises MalformedInput)."""
    if len(body) < 8:
        raise MalformedInput(f"{len(body)}-byte packet is too short for an auth_key_id")
    if not any(body[:8]):
        if len(body) < _UNENCRYPTED_HEADER:
            raise MalformedInput(f"{len(body)}-byte unencrypted packet has no message_data_length")
        end = _UNENCRYPTED_HEADER + int.from_bytes(body[16:20], "little")
        if end > len(body):
            raise MalformedInput(
                f"unencrypted message_data_length needs {end} bytes but the packet holds {len(body)}"
            )
    else:
        if len(body) < _ENCRYPTED_HEADER:
            raise MalformedInput(f"{len(body)}-byte encrypted packet has no msg_key")
        end = _ENCRYPTED_HEADER + (len(body) - _ENCRYPTED_HEADER) // 16 * 16
    if len(body) - end > MAX_PADDING:
        raise MalformedInput(f"{len(body) - end} bytes of padding exceed {MAX_PADDING}")
    return end


def strip_padding(body: bytes) -> bytes:
    return body[: mtproto_payload_length(body)]


def padded_frame(
    body: bytes, max_padding: int, randbytes: Callable[[int], bytes], quick_ack: bool = False
) -> bytes:
    """Length + body + 0..max_padding random bytes (padding length chosen uniformly)."""
    padding = randbytes(randbytes(1)[0] % (max_padding + 1)) if max_padding else b""
    return encode_header(len(body) + len(padding), quick_ack) + body + padding


class PaddedIntermediateCodec(IntermediateCodec):
    """Server side of padded intermediate: reads and strips client packets, pads server packets."""

    transport_name = "padded_intermediate"
    _padded = True

    def __init__(
        self,
        max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
        *,
        max_padding: int = DEFAULT_SERVER_PADDING,
        randbytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        super().__init__(max_packet_size)
        if not 0 <= max_padding <= MAX_PADDING:
            raise ValueError(f"padded_intermediate: padding must be 0..{MAX_PADDING}, not {max_padding}")
        self.max_padding = max_padding
        self._randbytes = randbytes

    def _unwrap(self, body: bytes) -> bytes:
        return strip_padding(body)

    def frame(self, payload: bytes) -> bytes:
        check_frame_payload(payload, self.transport_name)
        return padded_frame(payload, self.max_padding, self._randbytes)

    def _frame_control(self, body: bytes) -> bytes:
        room = CONTROL_PACKET_LIMIT - len(body)
        return padded_frame(body, min(self.max_padding, room), self._randbytes)

    def frame_quick_ack(self, token: int) -> bytes:
        # The page's framed form; tdlib also accepts the bare intermediate form, but a framed
        # packet with padding hides the ACK's fixed 4-byte size from observers.
        return self._frame_control(QUICK_ACK_MARK + encode_bare_quick_ack(token))

    def frame_error(self, code: int) -> bytes:
        return self._frame_control(error_payload(code))
