"""Issue 14.1 end to end: a real Telethon client logs in and chats with capture on, and
the capture says what it did, without its secrets; then the capture is switched and
filtered at run time, and `mtserver inspect` reads it.

One server for the module (capture files rotated small, so there are several); the
scenario runs once and the tests check its capture from different sides.
"""

import asyncio
import base64
import json
import re
import time

import pytest

import tl

from .clients import telethon_client
from .server_process import ServerProcess, mtserver

CODE = "73519"
PASSWORD = "capture horse battery"
TEXT = "hello from the capture test"
EDITED = "hello, edited"
FILE = b"capture-file-secret-0123456789/" * 700  # one part, 21 KB
PHONES = ("+15557010001", "+15557010002")


@pytest.fixture(scope="module")
def capture_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("capture") / "capture"


@pytest.fixture(scope="module")
def server(tmp_path_factory, capture_dir):
    proc = ServerProcess(tmp_path_factory.mktemp("capture_server") / "data", env={
        "MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_CAPTURE_DIR": str(capture_dir),
        "MTSERVER_CAPTURE_ROTATE_BYTES": "16384"}).start()
    yield proc
    proc.stop()


async def connect(server, pem, receive_updates=False):
    client = telethon_client(pem, server.port, receive_updates=receive_updates, host=server.host)
    await client.connect()
    return client


async def sign_up(server, pem, phone, name):
    from telethon import errors, functions

    client = await connect(server, pem, receive_updates=True)
    sent = await client.send_code_request(phone)
    with pytest.raises(errors.PhoneNumberUnoccupiedError):
        await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
    result = await client(functions.auth.SignUpRequest(phone_number=phone, phone_code_hash=sent.phone_code_hash,
                                                       first_name=name, last_name=""))
    await client._on_login(result.user)
    return client, result.user


def read_capture(directory):
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.read_text().splitlines()]


async def wait_until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
def scenario(server, capture_dir):
    """Alice and Bob sign up, Alice sets a password, they chat (send, receive, edit, a
    file), Alice logs in on a second device (code from the service account, password),
    one bad code; then the capture is switched off, and on again for Bob's messages.* only."""
    from telethon import errors, events, functions, types

    pem = server.public_key()[0]
    facts = {}

    async def run():
        alice, alice_user = await sign_up(server, pem, PHONES[0], "Alice")
        bob, bob_user = await sign_up(server, pem, PHONES[1], "Bob")
        facts.update(alice=alice_user.id, bob=bob_user.id)
        for me, phone, name in ((alice, PHONES[1], "Bob"), (bob, PHONES[0], "Alice")):
            await me(functions.contacts.ImportContactsRequest([types.InputPhoneContact(1, phone, name, "")]))
        assert await alice.edit_2fa(new_password=PASSWORD, hint="horse")
        got = asyncio.Queue()

        async def heard(event):
            got.put_nowait(event)

        bob.add_event_handler(heard, events.NewMessage(incoming=True))
        bob.add_event_handler(heard, events.MessageEdited(incoming=True))
        await bob.get_dialogs()
        await alice.get_dialogs()  # Alice's session receives updates (the service account's code)
        sent = await alice.send_message(bob_user.id, TEXT)
        assert (await asyncio.wait_for(got.get(), 10)).message.message == TEXT
        await alice.edit_message(bob_user.id, sent.id, EDITED)
        assert (await asyncio.wait_for(got.get(), 10)).message.message == EDITED
        await alice.send_file(bob_user.id, FILE, force_document=True, file_name="secret.bin")
        doc = (await asyncio.wait_for(got.get(), 10)).message
        assert await bob.download_media(doc, file=bytes) == FILE
        # A second device: the code goes to Alice's first device from user 777000.
        second = await connect(server, pem)
        await second.send_code_request(PHONES[0])
        with pytest.raises(errors.PhoneCodeInvalidError):
            await second.sign_in(PHONES[0], "11111")
        with pytest.raises(errors.SessionPasswordNeededError):
            await second.sign_in(PHONES[0], CODE)
        await second.sign_in(password=PASSWORD)
        assert (await second.get_me()).id == alice_user.id
        await second.disconnect()
        await asyncio.sleep(0.5)
        facts["first_part_end"] = time.time()

        # Off at run time, then on for Bob's messages.* only.
        (capture_dir / "control.json").write_text('{"enabled": false}')
        await asyncio.sleep(2.5)
        facts["off_from"] = time.time()
        await alice.get_me()
        await alice.send_message(bob_user.id, "while off")
        await bob.get_messages(alice_user.id, limit=5)
        facts["off_until"] = time.time()
        (capture_dir / "control.json").write_text(json.dumps({"users": [bob_user.id], "methods": ["messages.*"]}))
        await asyncio.sleep(2.5)
        facts["filtered_from"] = time.time()
        await alice.send_message(bob_user.id, "while filtered")
        await bob.get_messages(alice_user.id, limit=5)
        await bob.get_me()
        await asyncio.sleep(1.5)
        for client in (alice, bob):
            await client.disconnect()

    with asyncio.Runner() as runner:
        runner.run(asyncio.wait_for(run(), 120))
    server.stop()  # everything queued is written
    return facts


def test_the_capture_holds_alices_requests_in_order_with_their_answers(scenario, capture_dir):
    records = [r for r in read_capture(capture_dir) if r["time"] < scenario["first_part_end"]]
    alice_keys = {r["auth_key_id"] for r in records if r.get("user_id") == scenario["alice"]}
    first_key = min(alice_keys, key=lambda k: min(r["time"] for r in records if r["auth_key_id"] == k))
    mine = [r for r in records if r["auth_key_id"] == first_key]
    methods = [r["method"] for r in mine if r["kind"] == "request"]
    expected = ["auth.sendCode", "auth.signIn", "auth.signUp", "contacts.importContacts", "account.getPassword",
                "account.updatePasswordSettings", "messages.sendMessage", "messages.editMessage",
                "upload.saveFilePart", "messages.sendMedia"]
    positions = [methods.index(m) for m in expected]
    assert positions == sorted(positions), methods
    assert all(r["layer"] == 229 and r["direction"] == "in" for r in mine if r["kind"] == "request")
    answers = {(r["session_id"], r["req_msg_id"]): r for r in mine if r["kind"] in ("result", "error")}
    # A first message with the handshake's salt may get bad_server_salt instead (sent again).
    refused = {(r["session_id"], r["req_msg_id"]) for r in mine if r["kind"] == "service"
               and r["obj"]["_"] in ("bad_server_salt", "bad_msg_notification")}
    for request in (r for r in mine if r["kind"] == "request"):
        answer = answers.get((request["session_id"], request["msg_id"]))
        if answer is None:
            assert (request["session_id"], request["msg_id"]) in refused, request
            continue
        assert answer["method"] == request["method"] and answer["latency_ms"] >= 0
    errors = {(a["method"], a["error"]["code"], a["error"]["message"])
              for a in answers.values() if a["kind"] == "error"}
    assert ("users.getUsers", 401, "AUTH_KEY_UNREGISTERED") in errors  # Telethon's "am I logged in?"
    signed_in = next(a for a in answers.values() if a["method"] == "auth.signIn")
    assert signed_in["obj"] == {"_": "auth.authorizationSignUpRequired"}
    sent = next(r for r in mine if r.get("method") == "messages.sendMessage" and r["kind"] == "request")
    assert sent["obj"]["_"] == "messages.sendMessage" and sent["obj"]["message"] == TEXT
    # Service messages are there too: the session's creation, acks, the answers' containers.
    kinds = {r["obj"]["_"] for r in mine if r["kind"] == "service"}
    assert {"new_session_created", "msgs_ack"} <= kinds
    # Bob heard the message as an update, and his user id is on his records.
    bobs = [r for r in records if r.get("user_id") == scenario["bob"]]
    assert any(r["kind"] == "update" and TEXT in json.dumps(r["obj"]) for r in bobs)


def test_no_login_code_password_or_file_bytes_is_in_the_capture(scenario, capture_dir):
    text = "\n".join(p.read_text() for p in capture_dir.glob("*.jsonl"))
    assert not re.search(rf"(?<![0-9]){CODE}(?![0-9])", text)
    assert PASSWORD not in text
    for shift in range(3):  # the file's bytes, base64 at any alignment
        assert base64.b64encode(FILE[shift:shift + 60]).decode()[4:40] not in text
    records = read_capture(capture_dir)

    def objects(method, kind="request"):
        return [r["obj"] for r in records if r.get("method") == method and r["kind"] == kind]

    assert all(json.dumps(o).count("[redacted]") >= 2 for o in objects("auth.checkPassword"))  # A and M1
    assert objects("auth.checkPassword") and objects("account.updatePasswordSettings")
    assert all('"new_settings": "[redacted]"' in json.dumps(o) for o in objects("account.updatePasswordSettings"))
    assert all(re.search(r'"bytes": "\[\d+ bytes\]"', json.dumps(o)) for o in objects("upload.saveFilePart"))
    assert all(re.search(r'"bytes": "\[\d+ bytes\]"', json.dumps(o)) for o in objects("upload.getFile", "result"))
    assert objects("upload.getFile", "result")
    # The service account's login code message reached Alice's first device, without its text.
    service = [r for r in records if r["direction"] == "out" and '"user_id": 777000' in json.dumps(r.get("obj"))]
    assert service and "Login code" not in json.dumps(service)


def test_capture_files_rotate_by_size(scenario, capture_dir):
    files = sorted(capture_dir.glob("capture-*.jsonl"))
    assert len(files) >= 2
    assert all(p.stat().st_size <= 16384 + 20000 for p in files)  # the last record may cross the limit


def test_capture_is_switched_off_and_filtered_at_run_time(scenario, capture_dir):
    records = read_capture(capture_dir)
    assert not [r for r in records if scenario["off_from"] <= r["time"] <= scenario["off_until"]]
    filtered = [r for r in records if r["time"] >= scenario["filtered_from"]]
    assert filtered
    assert all(r.get("user_id") == scenario["bob"] and r["method"].startswith("messages.") for r in filtered)
    assert {"messages.getHistory"} <= {r["method"] for r in filtered if r["kind"] == "request"}
    assert any(r["kind"] == "result" and r["method"] == "messages.getHistory" for r in filtered)
    assert "while filtered" in json.dumps(filtered)  # Bob's history holds Alice's message


def test_inspect_shows_a_timeline_errors_and_stats(scenario, capture_dir):
    timeline = mtserver("inspect", str(capture_dir), "--color", "never")
    assert timeline.returncode == 0, timeline.stderr
    lines = timeline.stdout.splitlines()
    request = next(line for line in lines if "→ messages.sendMessage" in line)
    number = re.search(r"→ messages\.sendMessage (#\d+)", request).group(1)
    assert re.search(rf"← messages\.sendMessage {number} ok \d+\.\d ms", timeline.stdout)
    assert "ERROR 400 PHONE_CODE_INVALID" in timeline.stdout

    errors = mtserver("inspect", str(capture_dir), "--errors", "--color", "never").stdout.splitlines()
    assert errors and all("ERROR" in line or "bad_" in line or "UNDECODABLE" in line for line in errors)
    assert any("PHONE_CODE_INVALID" in line for line in errors)

    only = mtserver("inspect", str(capture_dir), "--method", "messages.edit*", "--user", str(scenario["alice"]),
                    "--color", "never").stdout.splitlines()
    assert only and all("messages.editMessage" in line and f"u{scenario['alice']}" in line for line in only)

    stats = mtserver("inspect", str(capture_dir), "--stats").stdout
    header = stats.splitlines()[0].split()
    assert header == ["method", "calls", "errors", "p50", "ms", "p90", "ms", "p99", "ms", "max", "ms"]
    row = next(line.split() for line in stats.splitlines() if line.startswith("messages.sendMessage "))
    assert int(row[1]) >= 1 and float(row[3]) >= 0
    assert re.search(r"auth\.signIn: .*PHONE_CODE_INVALID", stats)


def test_inspect_decodes_a_payload_for_a_layer(scenario, capture_dir):
    sent = next(r for r in read_capture(capture_dir) if r.get("method") == "messages.sendMessage"
                and r["kind"] == "request" and r["obj"]["_"] == "messages.sendMessage")
    payload = tl.encode(tl.from_dict(sent["obj"]), 158)
    for text in (payload.hex(), base64.b64encode(payload).decode()):
        decoded = mtserver("inspect", "--decode", text, "--layer", "158")
        assert decoded.returncode == 0, decoded.stderr
        assert json.loads(decoded.stdout) == sent["obj"]
    broken = mtserver("inspect", "--decode", payload[:10].hex(), "--layer", "158")
    assert broken.returncode == 1 and "does not read in layer 158" in broken.stderr
