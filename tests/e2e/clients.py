"""Point unmodified client libraries at our server through their own hooks.

Both libraries hard-code Telegram's addresses and RSA keys:
- Telethon: `telethon.crypto.rsa.add_key(pem)` registers our key, and the session's
  `set_dc(dc, host, port)` names our address (both public APIs).
- Pyrogram: keys live in the dict `pyrogram.crypto.rsa.server_public_keys` (signed
  fingerprint → (n, e)); the address comes from `DataCenter(dc, test, ipv6, media)`,
  which the fixture replaces with a function returning our host and port. This is
  the documented monkeypatch; the installed package is never edited.
"""

from __future__ import annotations

from contextlib import contextmanager

from cryptography.hazmat.primitives.serialization import load_pem_public_key


def telethon_client(pem: str, port: int, connection=None, session=None, receive_updates: bool = False,
                    host: str = "127.0.0.1", **options):
    from telethon import TelegramClient
    from telethon.crypto import rsa
    from telethon.network import ConnectionTcpFull
    from telethon.sessions import MemorySession

    rsa.add_key(pem, old=False)
    if session is None:
        session = MemorySession()
        session.set_dc(2, host, port)
    return TelegramClient(session, api_id=1, api_hash="0" * 32, connection=connection or ConnectionTcpFull,
                          **{"receive_updates": receive_updates, "connection_retries": 1, "retry_delay": 0.2,
                             "request_retries": 1, "flood_sleep_threshold": 0, **options})


@contextmanager
def pyrogram_pointed_at(pem: str, port: int):
    from pyrogram.crypto import rsa
    from pyrogram.session.internals import data_center

    numbers = load_pem_public_key(pem.encode()).public_numbers()
    from mtproto.crypto import rsa_fingerprint

    fingerprint = rsa_fingerprint(numbers.n, numbers.e)
    rsa.server_public_keys[fingerprint] = rsa.PublicKey(numbers.n, numbers.e)
    original = data_center.DataCenter.__new__
    data_center.DataCenter.__new__ = staticmethod(lambda cls, dc_id, test_mode, ipv6, media: ("127.0.0.1", port))
    try:
        yield
    finally:
        data_center.DataCenter.__new__ = original
        rsa.server_public_keys.pop(fingerprint, None)
