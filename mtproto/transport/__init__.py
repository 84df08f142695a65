"""Sans-IO MTProto transports (https://core.telegram.org/mtproto/mtproto-transports).

Feed received bytes in, get events out; ask for the bytes to send. No sockets, clocks or
threads: the trio server (and our tests) own those. The server uses ``ServerTransport``, which
recognises the client's transport from its first bytes; ``client.py`` speaks each transport from
the other end for tests and load generation.

Modules, one concept each: events (what can happen), codec (the shared decode loop and
interface), abridged / intermediate / padded / full (one envelope each), obfuscated (obfuscated2
key schedule and header rules), detect (choosing a transport), client (the client role).
"""

from .abridged import AbridgedCodec
from .client import (
    CLIENT_CODECS,
    AbridgedClient,
    ClientCodec,
    FullClient,
    IntermediateClient,
    ObfuscatedClient,
    PaddedIntermediateClient,
)
from .codec import DEFAULT_MAX_PACKET_SIZE, ServerCodec, error_payload
from .detect import ServerTransport
from .events import MALFORMED, Event, Packet, QuickAck, RemoteTransportError, TransportError
from .full import FullCodec
from .intermediate import IntermediateCodec
from .obfuscated import ObfuscatedCodec
from .padded import PaddedIntermediateCodec

__all__ = [
    "AbridgedClient",
    "AbridgedCodec",
    "CLIENT_CODECS",
    "ClientCodec",
    "DEFAULT_MAX_PACKET_SIZE",
    "Event",
    "FullClient",
    "FullCodec",
    "IntermediateClient",
    "IntermediateCodec",
    "MALFORMED",
    "ObfuscatedClient",
    "ObfuscatedCodec",
    "Packet",
    "PaddedIntermediateClient",
    "PaddedIntermediateCodec",
    "QuickAck",
    "RemoteTransportError",
    "ServerCodec",
    "ServerTransport",
    "TransportError",
    "error_payload",
]
