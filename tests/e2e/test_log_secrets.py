"""Issue 12.12 end to end: the server's log never carries secrets or user content.

The main error paths of a real server process, then a grep of its log: the S3 store
failing (wrong credentials, on a moto server that checks them; the S3 secret key is in
the media URL) with the user's file part in hand, a bad login
code, a message sent. None of the secret strings may appear in any log line.
"""

import pytest

from tests.s3_server import moto_s3

from .server_process import ServerProcess
from .test_accounts import CODE, new_phone, sign_up

ACCESS = "AKIALOGLEAKCHECK0001"
SECRET = "LogLeakSecretKey-9f8e7d6c5b4a39281706f5e4"
WRONG_CODE = "97531"
TEXT = "my-private-message-4417"
FILE = b"\x89PNG private-file-bytes-5521 " * 200


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("INITIAL_NO_AUTH_ACTION_COUNT", "0")  # moto checks credentials
    with moto_s3() as url:
        url = url.replace("test:test@", f"{ACCESS}:{SECRET}@")
        proc = ServerProcess(tmp_path / "data", env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}",
                                                     "MTSERVER_MEDIA_URL": url}).start()
        yield proc
        proc.stop()


def test_error_paths_leave_no_secret_in_the_log(server, run):
    from telethon import errors

    pem, _ = server.public_key()

    async def scenario():
        phone = new_phone()
        client, _ = await sign_up(server, pem, phone)
        try:
            await client.send_message("me", TEXT)
            with pytest.raises((errors.RPCError, ValueError)):  # Telethon: "Request was unsuccessful"
                await client.upload_file(FILE, file_name="x.png")
        finally:
            await client.disconnect()
        other, _ = await sign_up(server, pem, new_phone())
        await other.disconnect()
        from .test_accounts import connect

        third = await connect(server, pem)
        try:
            sent = await third.send_code_request(phone)
            with pytest.raises(errors.PhoneCodeInvalidError):
                await third.sign_in(phone, WRONG_CODE, phone_code_hash=sent.phone_code_hash)
        finally:
            await third.disconnect()

    run(scenario())
    log = server.log()
    # The S3 failure was logged: the store's failure once, the call's answer.
    assert '"object_store_unavailable"' in log and "InvalidAccessKeyId" in log
    assert "upload.saveFilePart" in log and "STORAGE_CHECK_FAILED" in log
    assert "PHONE_CODE_INVALID" in log
    for leak in (SECRET, "private-file-bytes", TEXT, WRONG_CODE):
        assert leak not in log, leak
    for line in log.splitlines():
        assert len(line) < 20_000
        if "Signature=" in line:
            assert all(part.startswith("***") for part in line.split("Signature=")[1:]), line
