"""The media store down while the server runs (server/health.py, storage/objects/observed.py,
rpc/dispatch.py): a real server process whose S3 store (a moto server) is not there at
start-up starts anyway, warns with what to check, reports the store failing on /healthz,
answers uploads and downloads with 500 STORAGE_CHECK_FAILED while messages keep working,
and serves files once the store comes up."""

from __future__ import annotations

import json
import time

from tests.s3_server import moto_s3

from .server_process import ServerProcess, free_port
from .test_accounts import CODE, new_phone, sign_up
from .test_ops_http import get


def test_a_store_that_comes_up_after_the_server(tmp_path, run):
    from telethon import errors

    s3_port, http_port = free_port(), free_port()
    server = ServerProcess(tmp_path / "data", env={
        "MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_HTTP": f"127.0.0.1:{http_port}",
        "MTSERVER_MEDIA_URL": f"s3://test:test@127.0.0.1:{s3_port}/media"}).start()
    pem = server.public_key()[0]
    try:
        # Started, and said what to check.
        assert get(http_port, "/readyz")[0] == 200
        deadline = time.monotonic() + 20
        while '"object_store_unreachable"' not in server.log():
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
        [warning] = [json.loads(line) for line in server.log().splitlines()
                     if '"object_store_unreachable"' in line]
        assert warning["level"] == "warning" and "MTSERVER_MEDIA_URL" in warning["fix"]
        assert "test:test" not in server.log()  # the credentials stay out of the log
        status, body = get(http_port, "/healthz")
        health = json.loads(body)
        assert status == 503 and health["failed"] == ["objects"] and health["checks"]["database"] == "ok"
        assert "ConnectionError" in health["checks"]["objects"] or "refused" in health["checks"]["objects"]

        photo = tmp_path / "photo.bin"
        photo.write_bytes(b"not really a photo" * 100)

        async def while_down():
            from telethon import types

            alice, alice_user = await sign_up(server, pem, new_phone(), "Alice", raise_last_call_error=True)
            bob, bob_user = await sign_up(server, pem, new_phone(), "Bob")
            try:
                # Messages need no store...
                await alice.send_message(types.InputPeerUser(bob_user.id, bob_user.access_hash), "text still works")
                [got] = await bob.get_messages(types.InputPeerUser(alice_user.id, alice_user.access_hash), limit=1)
                assert got.message == "text still works"
                # ...files do: a clear 500 the client may retry.
                try:
                    await alice.upload_file(str(photo))
                    raise AssertionError("the upload should have failed")
                except errors.StorageCheckFailedError as exc:
                    assert exc.code == 500
            finally:
                await alice.disconnect()
                await bob.disconnect()

        run(while_down())
        assert "STORAGE_CHECK_FAILED" in server.log()

        with moto_s3("media", port=s3_port):
            deadline = time.monotonic() + 20
            while get(http_port, "/healthz")[0] != 200:
                assert time.monotonic() < deadline, get(http_port, "/healthz")
                time.sleep(0.3)

            async def once_up():
                from telethon import types

                alice, alice_user = await sign_up(server, pem, new_phone(), "Alice")
                bob, bob_user = await sign_up(server, pem, new_phone(), "Bob")
                try:
                    await alice.send_file(types.InputPeerUser(bob_user.id, bob_user.access_hash), str(photo),
                                          force_document=True)
                    [got] = await bob.get_messages(types.InputPeerUser(alice_user.id, alice_user.access_hash), limit=1)
                    assert await bob.download_media(got, file=bytes) == photo.read_bytes()
                finally:
                    await alice.disconnect()
                    await bob.disconnect()

            run(once_up())
        assert '"object_store_back"' in server.log()
    finally:
        server.stop()
