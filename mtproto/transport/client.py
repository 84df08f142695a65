"""The client end of every transport: frames client packets, reads server packets.

The server never needs this module; our tests and load generator do, to speak each transport
exactly as real clients do (https://core.telegram.org/mtproto/mtproto-transports). Each client
codec has ``encode(payload, quick_ack=False)`` -- the bytes to send, with the transport marker or
obfuscated2 init header prepended to the first packet -- and ``feed(data)``, which returns
``Packet``, ``QuickAck``, ``RemoteTransportError`` or (for bytes the server should never send)
``TransportError`` events.

Server payloads shorter than 16 bytes are transport errors (an int32) or, in padded intermediate,
framed quick ACKs (int32 -1 then the token); no MTProto message is that short. tdlib uses the
same rule (Transport.cpp, Transport::read).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..crypto.aes_ctr import AesCtr
from . import abridged, full, intermediate, obfuscated, padded
from .codec import DEFAULT_MAX_PACKET_SIZE, StreamDecoder, check_frame_payload
from .events import Event, Packet, QuickAck, RemoteTransportError, TransportError

CONTROL_PAYLOAD_LIMIT = 16


def classify_server_payload(payload: bytes) -> Event:
    """A server payload as a Packet, or, if shorter than 16 bytes, as an error or quick ACK."""
    if len(payload) >= CONTROL_PAYLOAD_LIMIT:
        return Packet(payload)
    code = int.from_bytes(payload[:4], "little", signed=True)
    if payload[:4] == padded.QUICK_ACK_MARK and len(payload) >= 8:
        return QuickAck(int.from_bytes(payload[4:8], "little"))
    return RemoteTransportError(code)


class ClientCodec(StreamDecoder):
    """Shared by the plain transports: the marker goes out once, before the first packet."""

    marker = b""

    def __init__(self, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> None:
        super().__init__(max_packet_size)
        self._marker_sent = False

    def encode(self, payload: bytes, quick_ack: bool = False) -> bytes:
        framed = self.frame(payload, quick_ack)
        if not self._marker_sent:
            self._marker_sent = True
            framed = self.marker + framed
        return framed

    def frame(self, payload: bytes, quick_ack: bool = False) -> bytes:
        """One packet without the marker (what obfuscated2 encrypts)."""
        raise NotImplementedError


class AbridgedClient(ClientCodec):
    transport_name = "abridged"
    marker = abridged.MARKER
    obfuscated_tag = abridged.OBFUSCATED_TAG

    def frame(self, payload: bytes, quick_ack: bool = False) -> bytes:
        check_frame_payload(payload, self.transport_name)
        return abridged.encode_header(len(payload), quick_ack) + payload

    def _parse(self) -> Event | None:
        if not self._buffer:
            return None
        if self._buffer[0] & abridged.QUICK_ACK_BIT:
            # A byte-swapped token, 4 bytes, no length (see abridged.encode_quick_ack).
            if len(self._buffer) < 4:
                return None
            return QuickAck(int.from_bytes(self._take(0, 4), "big"))
        header = abridged.decode_header(self._buffer)
        if header is None:
            return None
        header_size, size = header
        self._check_size(size)
        if len(self._buffer) < header_size + size:
            return None
        return classify_server_payload(self._take(header_size, header_size + size))


class IntermediateClient(ClientCodec):
    transport_name = "intermediate"
    marker = intermediate.MARKER
    obfuscated_tag = intermediate.OBFUSCATED_TAG
    _padded = False

    def frame(self, payload: bytes, quick_ack: bool = False) -> bytes:
        check_frame_payload(payload, self.transport_name)
        return intermediate.encode_header(len(payload), quick_ack) + payload

    def _parse(self) -> Event | None:
        if len(self._buffer) < intermediate.HEADER_SIZE:
            return None
        word = int.from_bytes(self._buffer[: intermediate.HEADER_SIZE], "little")
        if word & intermediate.QUICK_ACK_BIT:
            # The bare token; tdlib accepts this form in padded intermediate too.
            del self._buffer[: intermediate.HEADER_SIZE]
            return QuickAck(word)
        self._check_size(word, aligned=not self._padded)
        end = intermediate.HEADER_SIZE + word
        if len(self._buffer) < end:
            return None
        body = self._take(intermediate.HEADER_SIZE, end)
        event = classify_server_payload(body)
        if self._padded and isinstance(event, Packet):
            event = Packet(padded.strip_padding(body))
        return event


class PaddedIntermediateClient(IntermediateClient):
    """Pads with 0-15 random bytes, as tdlib does (the page's full range)."""

    transport_name = "padded_intermediate"
    marker = padded.MARKER
    obfuscated_tag = padded.OBFUSCATED_TAG
    _padded = True

    def __init__(
        self,
        max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
        *,
        max_padding: int = padded.MAX_PADDING,
        randbytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        super().__init__(max_packet_size)
        self.max_padding = max_padding
        self._randbytes = randbytes

    def frame(self, payload: bytes, quick_ack: bool = False) -> bytes:
        check_frame_payload(payload, self.transport_name)
        return padded.padded_frame(payload, self.max_padding, self._randbytes, quick_ack)


class FullClient(ClientCodec, full.FullDecoder):
    transport_name = "full"

    def __init__(self, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> None:
        super().__init__(max_packet_size)
        self._send_seqno = 0

    def frame(self, payload: bytes, quick_ack: bool = False) -> bytes:
        if quick_ack:
            raise ValueError("full: the transport has no quick ACK")
        check_frame_payload(payload, self.transport_name)
        framed = full.encode_frame(payload, self._send_seqno)
        self._send_seqno += 1
        return framed

    def _parse(self) -> Event | None:
        payload = self._read_frame()
        return None if payload is None else classify_server_payload(payload)


CLIENT_CODECS: dict[str, type[ClientCodec]] = {
    "abridged": AbridgedClient,
    "intermediate": IntermediateClient,
    "padded_intermediate": PaddedIntermediateClient,
    "full": FullClient,
}


def make_init_header(
    tag: bytes,
    *,
    dc_id: int | None = None,
    secret: bytes | None = None,
    randbytes: Callable[[int], bytes] = os.urandom,
) -> tuple[bytes, AesCtr, AesCtr]:
    """A fresh obfuscated2 init header and the (encrypt, decrypt) streams that go with it.

    The encrypt stream has already consumed the header's 64 bytes of keystream, as the page
    requires ("The first thing that must be encrypted using the encryption key is the
    initialization payload itself").
    """
    while obfuscated.header_is_reserved(header := bytearray(randbytes(obfuscated.HEADER_SIZE))):
        pass
    header[obfuscated.TAG] = tag
    if dc_id is not None:
        header[obfuscated.DC_ID] = dc_id.to_bytes(2, "little", signed=True)
    upstream, downstream = obfuscated.stream_keys(header, secret)
    encrypt = AesCtr(*upstream)
    encrypted = encrypt.update(bytes(header))
    header[obfuscated.ENCRYPTED_TAIL] = encrypted[obfuscated.ENCRYPTED_TAIL]
    return bytes(header), encrypt, AesCtr(*downstream)


class ObfuscatedClient:
    """Obfuscated2 over abridged, intermediate or padded intermediate (full has no tag).

    ``dc_id`` is written at offset 60 when given (MTProxy needs it; tdlib always sends it);
    otherwise those bytes stay random, as with Telethon.
    """

    def __init__(
        self,
        inner: str = "abridged",
        *,
        dc_id: int | None = None,
        secret: bytes | None = None,
        max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
        randbytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        codec = CLIENT_CODECS.get(inner)
        if codec is None or codec is FullClient:
            raise ValueError(f"obfuscated2 cannot carry the {inner!r} transport")
        if codec is PaddedIntermediateClient:
            self._inner: ClientCodec = codec(max_packet_size, randbytes=randbytes)
        else:
            self._inner = codec(max_packet_size)
        self.header, self._encrypt, self._decrypt = make_init_header(
            codec.obfuscated_tag, dc_id=dc_id, secret=secret, randbytes=randbytes
        )
        self._header_sent = False

    @property
    def transport_name(self) -> str:
        return f"obfuscated2/{self._inner.transport_name}"

    @property
    def error(self) -> TransportError | None:
        return self._inner.error

    def encode(self, payload: bytes, quick_ack: bool = False) -> bytes:
        data = self._encrypt.update(self._inner.frame(payload, quick_ack))
        if not self._header_sent:
            self._header_sent = True
            data = self.header + data
        return data

    def feed(self, data: bytes) -> list[Event]:
        if self._inner.error is not None:
            return []
        return self._inner.feed(self._decrypt.update(data))

    def end_of_stream(self) -> list[Event]:
        return self._inner.end_of_stream()


__all__ = [
    "AbridgedClient",
    "CLIENT_CODECS",
    "ClientCodec",
    "FullClient",
    "IntermediateClient",
    "ObfuscatedClient",
    "PaddedIntermediateClient",
    "classify_server_payload",
    "make_init_header",
]
