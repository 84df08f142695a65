"""Which DCs this server claims to be, and which one a client is talking to.

The server is one process group at one public address, but clients think in Telegram's
five data centres: they start at a DC of their own choosing (TDLib and Web K at 1, most
libraries at 2), fetch files from the DC a file names, and export their login to
"other" DCs before downloading. So every id 1-5 (plus the configured one) is listed at
the public address, and `this_dc` is the DC the client dialled: TDLib asks for the
config again in a tight loop when this_dc differs from the DC it connected to.
"""

from __future__ import annotations

from tl import types as T

STANDARD_DC_IDS = (1, 2, 3, 4, 5)
# MTProxy's convention, which TDLib follows: a test-server DC is dialled as 10000 + id.
_TEST_DC_OFFSET = 10000


def listed_dc_ids(config) -> tuple[int, ...]:
    return tuple(sorted({*STANDARD_DC_IDS, config.dc_id}))


def dc_options(config) -> list:
    """Every listed DC at the public address, each also as a media-only option (clients
    that keep separate media connections look for one)."""
    host, port = config.public_host, config.public_port
    ipv6 = ":" in host
    options = []
    for dc in listed_dc_ids(config):
        options.append(T.DcOption(id=dc, ip_address=host, port=port, ipv6=ipv6))
        options.append(T.DcOption(id=dc, ip_address=host, port=port, ipv6=ipv6, media_only=True))
    return options


def this_dc(config, dialled: int | None) -> int:
    """The DC the client dialled (the obfuscated2 header's signed id: negative for a
    media connection), when it is one we list; otherwise the configured id."""
    if dialled is not None:
        dc = abs(dialled)
        if dc > _TEST_DC_OFFSET:
            dc -= _TEST_DC_OFFSET
        if dc in listed_dc_ids(config):
            return dc
    return config.dc_id


def is_listed(config, dc_id: int) -> bool:
    return dc_id in listed_dc_ids(config)
