"""TDLib, the library inside Telegram's official apps, against the server: it logs in
(signs up), finds a Telethon user by username, and the two exchange messages and files
both ways, live. TDLib is the strictest client there is: an even-seqno service message
refused with error 35, a this_dc that differs from the DC it dialled, or a start-up call
without a valid answer kept it from ever reaching its chat list."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os

import pytest

from . import tdlib
from .server_process import ServerProcess
from .test_accounts import CODE, new_phone, sign_up

pytestmark = pytest.mark.skipif(not tdlib.available(), reason="tdjson (TDLib) is not installed")


# TDLib dials its built-in address of DC 1 first (patched from 149.154.175.50), on port
# 443; from then on it uses help.getConfig's addresses, all this one.
TDLIB_DC1 = "127.154.175.50"


@pytest.fixture(scope="module")
def server_on_443(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("TDLib dials port 443, which needs root")
    proc = ServerProcess(tmp_path_factory.mktemp("tdlib") / "data", port=443,
                         env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_PUBLIC_HOST": TDLIB_DC1})
    proc.host = TDLIB_DC1
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def library(server_on_443, tmp_path_factory):
    return tdlib.patched_tdjson(tmp_path_factory.mktemp("tdjson"), server_on_443.public_key()[0])


def td_login(client: tdlib.TdClient, database: str, phone: str) -> dict:
    """Through TDLib's authorization states to a logged-in (signed-up) account."""
    start = 0
    while True:
        state, start = client.authorization_state(60, start)
        if state == "authorizationStateWaitTdlibParameters":
            client.send({"@type": "setTdlibParameters", "use_test_dc": False, "database_directory": database,
                         "use_message_database": True, "use_secret_chats": False, "api_id": 1, "api_hash": "0" * 32,
                         "system_language_code": "en", "device_model": "pytest", "application_version": "1.0"})
        elif state == "authorizationStateWaitPhoneNumber":
            client.send({"@type": "setAuthenticationPhoneNumber", "phone_number": phone})
        elif state == "authorizationStateWaitCode":
            client.send({"@type": "checkAuthenticationCode", "code": CODE})
        elif state == "authorizationStateWaitRegistration":
            client.send({"@type": "registerUser", "first_name": "Td", "last_name": "Lib"})
        elif state == "authorizationStateReady":
            return client.call({"@type": "getMe"})
        elif state in ("authorizationStateClosing", "authorizationStateClosed", "authorizationStateLoggingOut"):
            raise AssertionError(f"TDLib stopped logging in: {state}")


def text_of(message: dict) -> str | None:
    content = message.get("content", {})
    return content.get("text", {}).get("text") if content.get("@type") == "messageText" else None


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_tdlib_signs_up_and_chats_and_swaps_files_with_a_telethon_user(server_on_443, library, tmp_path, run):
    pem = server_on_443.public_key()[0]
    td = tdlib.TdClient(library, tmp_path / "tdlib.log", verbosity=int(os.environ.get("TEST_TDLIB_VERBOSITY", "2")))
    log_start = len(server_on_443.log())

    async def scenario():
        from telethon import events, functions

        bob, bob_user = await sign_up(server_on_443, pem, new_phone(), "Bob", receive_updates=True)
        await bob(functions.account.UpdateUsernameRequest("bob_meets_tdlib"))
        await bob.get_dialogs()
        inbox = asyncio.Queue()

        async def on_message(event):
            inbox.put_nowait(event.message)

        bob.add_event_handler(on_message, events.NewMessage(incoming=True))

        me = await asyncio.to_thread(td_login, td, str(tmp_path / "td-db"), new_phone())
        assert me["first_name"] == "Td"
        chat = await asyncio.to_thread(td.call, {"@type": "searchPublicChat", "username": "bob_meets_tdlib"})
        assert chat["type"]["user_id"] == bob_user.id

        # TDLib -> Telethon, text.
        mark = len(td.events)
        sent_td = await asyncio.to_thread(td.call, {
            "@type": "sendMessage", "chat_id": chat["id"],
            "input_message_content": {"@type": "inputMessageText",
                                      "text": {"@type": "formattedText", "text": "hello from tdlib"}}})
        await asyncio.to_thread(td.wait_for, lambda e: e.get("@type") == "updateMessageSendSucceeded"
                                and e["old_message_id"] == sent_td["id"], 30, mark)
        got = await asyncio.wait_for(inbox.get(), 30)
        assert got.message == "hello from tdlib" and got.sender_id == me["id"]

        # Telethon -> TDLib, text, live.
        mark = len(td.events)
        await bob.send_message(me["id"], "hi tdlib", reply_to=got.id)
        update = await asyncio.to_thread(td.wait_for, lambda e: e.get("@type") == "updateNewMessage"
                                         and text_of(e["message"]) == "hi tdlib", 30, mark)
        assert update["message"]["chat_id"] == chat["id"]

        # Telethon -> TDLib, a file TDLib downloads.
        payload = os.urandom(300_000)
        (tmp_path / "from_bob.bin").write_bytes(payload)
        mark = len(td.events)
        await bob.send_file(me["id"], str(tmp_path / "from_bob.bin"), force_document=True)
        update = await asyncio.to_thread(td.wait_for, lambda e: e.get("@type") == "updateNewMessage"
                                         and e["message"]["content"]["@type"] == "messageDocument", 30, mark)
        file_id = update["message"]["content"]["document"]["document"]["id"]
        downloaded = await asyncio.to_thread(td.call, {"@type": "downloadFile", "file_id": file_id, "priority": 1,
                                                       "offset": 0, "limit": 0, "synchronous": True}, 60)
        assert downloaded["local"]["is_downloading_completed"]
        with open(downloaded["local"]["path"], "rb") as file:
            assert sha(file.read()) == sha(payload)

        # TDLib -> Telethon, a file Telethon downloads.
        upload = os.urandom(700_000)
        (tmp_path / "from_td.bin").write_bytes(upload)
        mark = len(td.events)
        sent_td = await asyncio.to_thread(td.call, {
            "@type": "sendMessage", "chat_id": chat["id"],
            # (TDLib 1.8.67 wraps the file in an inputDocument.)
            "input_message_content": {"@type": "inputMessageDocument", "document": {
                "@type": "inputDocument", "document": {"@type": "inputFileLocal", "path": str(tmp_path / "from_td.bin")}}}})
        await asyncio.to_thread(td.wait_for, lambda e: e.get("@type") == "updateMessageSendSucceeded"
                                and e["old_message_id"] == sent_td["id"], 60, mark)
        got = await asyncio.wait_for(inbox.get(), 30)
        assert sha(await bob.download_media(got, file=bytes)) == sha(upload)

        # History as TDLib reloads it.
        history = await asyncio.to_thread(td.call, {"@type": "getChatHistory", "chat_id": chat["id"],
                                                    "from_message_id": 0, "offset": 0, "limit": 10,
                                                    "only_local": False})
        assert history["total_count"] >= 1
        await bob.disconnect()

    try:
        run(scenario())
    finally:
        td.close()
    log = [json.loads(line) for line in server_on_443.log()[log_start:].splitlines() if line.startswith("{")]
    # No session errors (TDLib closes its session on any) and no reconnect loop.
    assert [e for e in log if e.get("event") == "bad_msg"] == []
    assert sum(e.get("event") == "connection_open" for e in log) < 30
    assert [e for e in log if e.get("event") in ("rpc_crashed", "connection_crashed")] == []
