"""What a transport codec can report after being fed bytes.

Codecs never raise on bad input: they return these events, in the order the bytes arrived.
This module only defines the events; it does not know how any transport frames them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The transport error code to send when the client's bytes cannot be parsed.
#: https://core.telegram.org/mtproto/mtproto-transports#transport-errors: 404 covers
#: "MTProto fields are incorrect (i.e. the packet length is bigger than the transport-specified
#: packet length, and so on)".
MALFORMED = -404


@dataclass(frozen=True, slots=True)
class Packet:
    """One complete MTProto payload, with the transport envelope removed.

    ``quick_ack`` is True when the sender set the quick-ACK bit in the envelope; the receiver
    should answer with ``frame_quick_ack(token)`` once the payload has been decrypted and accepted
    (https://core.telegram.org/mtproto/mtproto-transports#quick-ack).
    """

    payload: bytes
    quick_ack: bool = False

    def __repr__(self) -> str:  # payloads can be megabytes; keep reprs readable
        return f"Packet(len={len(self.payload)}, quick_ack={self.quick_ack})"


@dataclass(frozen=True, slots=True)
class TransportError:
    """The peer's bytes break the transport rules; the connection cannot continue.

    After this event the codec ignores further input. A server should send ``frame_error(code)``
    (it may be empty if no transport was ever recognised) and close the connection; closing
    without a reply is also acceptable, as the peer is misbehaving anyway.
    """

    reason: str
    code: int = MALFORMED


@dataclass(frozen=True, slots=True)
class QuickAck:
    """A quick-ACK token from the server (client side only).

    ``token`` is the little-endian int32 of the first 4 bytes of the msg_key SHA-256, with the
    most significant bit set, whatever byte order the transport used on the wire.
    """

    token: int


@dataclass(frozen=True, slots=True)
class RemoteTransportError:
    """The server sent a transport error code such as -404 or -429 (client side only)."""

    code: int


Event = Packet | TransportError | QuickAck | RemoteTransportError
