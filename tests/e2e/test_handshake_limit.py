"""Anybody can make auth keys, and each costs the server an RSA decryption and two
2048-bit powers: one address gets MTSERVER_AUTH_KEYS_PER_MINUTE of them, then -429."""

from __future__ import annotations

import pytest

from .clients import telethon_client
from .server_process import ServerProcess


def test_new_auth_keys_per_address_are_limited(tmp_path, run):
    from telethon.tl.functions.help import GetConfigRequest

    server = ServerProcess(tmp_path / "data", env={"MTSERVER_AUTH_KEYS_PER_MINUTE": "3"}).start()
    try:
        pem = server.public_key()[0]

        async def new_key() -> None:
            client = telethon_client(pem, server.port)  # a fresh session: a new auth key
            try:
                await client.connect()
                await client(GetConfigRequest())
            finally:
                await client.disconnect()

        for _ in range(3):
            run(new_key())
        with pytest.raises(Exception):
            run(new_key())
        log = server.log()
        assert log.count('"handshake_done"') == 3 and '"handshake_refused"' in log
    finally:
        server.stop()
