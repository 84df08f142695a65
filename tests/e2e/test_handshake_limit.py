"""Anybody can make auth keys, and each costs the server an RSA decryption and two
2048-bit powers: one address gets MTSERVER_AUTH_KEYS_PER_MINUTE of them, then -429."""

from __future__ import annotations

import pytest

from .clients import telethon_client
from .server_process import ServerProcess


def test_new_auth_keys_per_address_are_limited(tmp_path, run):
    from telethon.tl.functions.help import GetConfigRequest

    # The test connects from loopback, which is exempt by default: nothing is.
    server = ServerProcess(tmp_path / "data", env={"MTSERVER_AUTH_KEYS_PER_MINUTE": "3",
                                                   "MTSERVER_LIMITS_EXEMPT": ""}).start()
    try:
        pem = server.public_key()[0]

        async def new_key() -> None:
            client = telethon_client(pem, server.port)  # a fresh session: a new auth key
            try:
                await client.connect()
                await client(GetConfigRequest())
            finally:
                await client.disconnect()

        # Telethon keeps g_ab without its leading zero bytes, so about one key in 256
        # fails its own new_nonce_hash check and it makes another: the server counts
        # both. Hence count what the server did, not how many connects succeeded.
        connected = 0
        with pytest.raises(Exception):
            for _ in range(4):
                run(new_key())
                connected += 1
        assert 1 <= connected <= 3
        log = server.log()
        assert log.count('"handshake_done"') == 3 and '"handshake_refused"' in log
    finally:
        server.stop()


def test_loopback_is_exempt_by_default():
    from server.config import Config

    config = Config()
    assert not config.limits_apply_to("127.0.0.1") and not config.limits_apply_to("::1")
    assert config.limits_apply_to("203.0.113.9") and config.limits_apply_to("2001:db8::1")
    assert Config(limits_exempt=[]).limits_apply_to("127.0.0.1")
    assert not Config(limits_exempt=["10.0.0.0/8"]).limits_apply_to("10.1.2.3")
