"""The admin API (server/admin_api.py) of a real server process, with tokens from the
real `mtserver admin token` command and unmodified Telethon clients as the users:
every call is authenticated (401 without or with a wrong token, 403 revoked), a ban
logs the user's devices out (AUTH_KEY_UNREGISTERED on their next request), reports
filed with messages.report / account.reportPeer reach the queue and a moderator's
delete removes the message for its recipient."""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest

from .admin_http import admin_cli, call, create_token, start_admin_server
from .test_accounts import new_phone, second_device, sign_up
from .test_messages import pair

SERVICE_USER_ID = 777000


async def next_request(client):
    """A request that needs a login (Telethon's get_me() hides AUTH_KEY_UNREGISTERED)."""
    from telethon import functions

    return await client(functions.updates.GetStateRequest())


@pytest.fixture(scope="module")
def admin(tmp_path_factory):
    """(server, pem, token, revoked token)."""
    server = start_admin_server(tmp_path_factory.mktemp("admin_api") / "data")
    try:
        token = create_token(server, "moderator")
        done = admin_cli(server, "token", "create", "--name", "former")
        revoked = done.stdout.strip()
        token_id = re.search(r"admin token (\d+)", done.stderr).group(1)
        assert admin_cli(server, "token", "revoke", token_id).returncode == 0
        listed = admin_cli(server, "token", "list").stdout
        assert "moderator" in listed and re.search(rf"^{token_id}\s+former\s.*revoked", listed, re.M)
        assert token not in listed and revoked not in listed  # shown once, never again
        yield server, server.public_key()[0], token, revoked
    finally:
        server.stop()


def test_every_call_needs_a_valid_token(admin):
    server, _, token, revoked = admin
    status, body, headers = call(server, "GET", "/admin/api/me")
    assert status == 401 and headers["www-authenticate"].startswith("Bearer") and "token" in body["error"]
    assert call(server, "GET", "/admin/api/users?q=1", token="mta_wrong")[0] == 401
    assert call(server, "GET", "/admin/api/me", headers={"Authorization": f"Basic {token}"})[0] == 401
    status, body, _ = call(server, "POST", "/admin/api/broadcast", {"text": "no"}, token=revoked)
    assert status == 403 and "revoked" in body["error"]
    status, body, _ = call(server, "GET", "/admin/api/me", token=token)
    assert status == 200 and body["name"] == "moderator" and "token_hash" not in body
    # The console page itself holds no data and needs no token.
    status, page, headers = call(server, "GET", "/admin")  # redirected to /admin/
    assert status == 200 and "<title>mtserver admin</title>" in page["text"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_bodies_methods_and_paths_are_checked(admin):
    server, _, token, _ = admin
    status, body, _ = call(server, "POST", "/admin/api/broadcast", raw=b"x" * 70_000, token=token)
    assert status == 413 and "at most" in body["error"]
    assert call(server, "POST", "/admin/api/broadcast", raw=b'{"text":', token=token)[0] == 400
    assert call(server, "POST", "/admin/api/broadcast", {"text": "hi", "extra": 1}, token=token)[0] == 400
    assert call(server, "POST", "/admin/api/broadcast", {"text": " "}, token=token)[0] == 400
    assert call(server, "DELETE", "/admin/api/stats", token=token)[0] == 405
    assert call(server, "GET", "/admin/api/nothing-here", token=token)[0] == 404
    assert call(server, "GET", "/admin/api/users?q=", token=token)[0] == 400
    assert call(server, "GET", "/admin/api/users/123", token=token)[0] == 404
    assert call(server, "GET", "/admin/api/users/99999999999999999999", token=token)[0] == 404
    assert call(server, "DELETE", "/admin/api/users/1/sessions/9223372036854775808", token=token)[0] == 404
    assert call(server, "POST", "/admin/api/broadcast", {"text": "x", "to": [2**64]}, token=token)[0] == 400
    # The other endpoints of the listener still answer as before.
    assert call(server, "GET", "/readyz")[0] == 200
    assert call(server, "POST", "/metrics")[0] == 405


def test_a_user_banned_through_the_api_is_logged_out(admin, run):
    from telethon import errors

    server, pem, token, _ = admin
    phone = new_phone()

    async def scenario():
        client, user = await sign_up(server, pem, phone, "Mallory", "Spam")
        other, _ = await second_device(server, pem, phone)
        try:
            status, found, _ = call(server, "GET", f"/admin/api/users?q=%2B{phone[1:]}", token=token)
            assert status == 200 and [u["id"] for u in found["users"]] == [user.id]
            assert [u["id"] for u in call(server, "GET", "/admin/api/users?q=Mallory", token=token)[1]["users"]] \
                == [user.id]
            assert call(server, "GET", f"/admin/api/users?q={user.id}", token=token)[1]["users"][0]["phone"] \
                == phone[1:]
            status, sessions, _ = call(server, "GET", f"/admin/api/users/{user.id}/sessions", token=token)
            assert status == 200 and len(sessions["sessions"]) == 2
            assert all(isinstance(s["hash"], str) for s in sessions["sessions"])
            status, body, _ = call(server, "POST", f"/admin/api/users/{user.id}/ban", token=token)
            assert status == 200 and body == {"user_id": user.id, "banned": True, "logged_out": 2}
            for device in (client, other):
                with pytest.raises(errors.AuthKeyUnregisteredError):
                    await next_request(device)
            viewed = call(server, "GET", f"/admin/api/users/{user.id}", token=token)[1]
            assert viewed["banned"] is True and viewed["sessions"] == 0
            assert call(server, "POST", f"/admin/api/users/{user.id}/unban", token=token)[1]["banned"] is False
            assert call(server, "GET", f"/admin/api/users/{user.id}", token=token)[1]["banned"] is False
        finally:
            for device in (client, other):
                await device.disconnect()

    run(scenario())


def test_sessions_are_listed_and_revoked_one_or_all(admin, run):
    from telethon import errors

    server, pem, token, _ = admin
    phone = new_phone()

    async def scenario():
        first, user = await sign_up(server, pem, phone, "Dana")
        second, _ = await second_device(server, pem, phone)
        try:
            sessions = call(server, "GET", f"/admin/api/users/{user.id}/sessions", token=token)[1]["sessions"]
            newest = sessions[0]["hash"]  # most recently active first: either will do
            status, body, _ = call(server, "DELETE", f"/admin/api/users/{user.id}/sessions/{newest}", token=token)
            assert status == 200 and body["logged_out"] == 1
            assert call(server, "DELETE", f"/admin/api/users/{user.id}/sessions/{newest}", token=token)[0] == 404
            outcomes = []
            for device in (first, second):
                try:
                    await next_request(device)
                    outcomes.append("in")
                except errors.AuthKeyUnregisteredError:
                    outcomes.append("out")
            assert sorted(outcomes) == ["in", "out"]
            status, body, _ = call(server, "POST", f"/admin/api/users/{user.id}/logout", token=token)
            assert status == 200 and body["logged_out"] == 1
            for device in (first, second):
                with pytest.raises(errors.AuthKeyUnregisteredError):
                    await next_request(device)
            assert call(server, "GET", f"/admin/api/users/{user.id}/sessions", token=token)[1]["sessions"] == []
        finally:
            for device in (first, second):
                await device.disconnect()

    run(scenario())


def test_reports_reach_the_queue_and_a_moderator_deletes_or_bans(admin, run):
    from telethon import errors, events, functions, types

    server, pem, token, _ = admin

    async def scenario():
        _, alice, alice_user, bob, bob_user = await pair(server)  # in each other's contacts
        try:
            deleted = asyncio.Queue()

            async def on_deleted(event):
                deleted.put_nowait(event.deleted_ids)

            bob.add_event_handler(on_deleted, events.MessageDeleted())
            await bob.get_dialogs()  # Bob's session asks for updates
            sent = await alice.send_message(bob_user.id, "buy cheap stuff")
            kept = await alice.send_message(bob_user.id, "an innocent message")
            bobs = {m.message: m.id for m in await bob.get_messages(alice_user.id, limit=10)}
            peer = await bob.get_input_entity(alice_user.id)

            menu = await bob(functions.messages.ReportRequest(peer=peer, id=[bobs["buy cheap stuff"]], option=b"",
                                                              message=""))
            assert isinstance(menu, types.ReportResultChooseOption) and menu.options
            spam = next(o.option for o in menu.options if o.text == "Spam")
            other = next(o.option for o in menu.options if o.text == "Other")
            asked = await bob(functions.messages.ReportRequest(peer=peer, id=[bobs["buy cheap stuff"]], option=other,
                                                               message=""))
            assert isinstance(asked, types.ReportResultAddComment) and asked.option == other
            done = await bob(functions.messages.ReportRequest(peer=peer, id=[bobs["buy cheap stuff"]], option=spam,
                                                              message="they keep sending this"))
            assert isinstance(done, types.ReportResultReported)
            with pytest.raises(errors.OptionInvalidError):
                await bob(functions.messages.ReportRequest(peer=peer, id=[1], option=b"nonsense", message=""))
            with pytest.raises(errors.MessageIdInvalidError):
                await bob(functions.messages.ReportRequest(peer=peer, id=[99999], option=spam, message=""))
            assert await bob(functions.account.ReportPeerRequest(
                peer=peer, reason=types.InputReportReasonFake(), message="not who they say")) is True

            status, queue, _ = call(server, "GET", "/admin/api/reports", token=token)
            assert status == 200 and queue["open"] == 2
            by_reason = {r["reason"]: r for r in queue["reports"]}
            message_report, peer_report = by_reason["spam"], by_reason["fake"]
            assert message_report["reporter"]["id"] == bob_user.id and message_report["peer_id"] == alice_user.id
            assert message_report["comment"] == "they keep sending this"
            assert [(m["text"], m["from"]["id"]) for m in message_report["messages"]] == \
                [("buy cheap stuff", alice_user.id)]
            assert peer_report["messages"] == [] and peer_report["comment"] == "not who they say"

            # Delete for everyone: gone from Bob's box (live) and from Alice's.
            status, resolved, _ = call(server, "POST", f"/admin/api/reports/{message_report['id']}/delete",
                                       token=token)
            assert status == 200 and resolved["resolution"] == "deleted" and resolved["resolved_by"] == "moderator"
            assert await asyncio.wait_for(deleted.get(), 5) == [bobs["buy cheap stuff"]]
            assert [m.message for m in await bob.get_messages(alice_user.id, limit=10)] == ["an innocent message"]
            assert [m.id for m in await alice.get_messages(bob_user.id, limit=10)] == [kept.id]
            assert sent.id not in [m.id for m in await alice.get_messages(bob_user.id, limit=10)]
            assert call(server, "POST", f"/admin/api/reports/{message_report['id']}/delete", token=token)[0] == 409

            # Ban the reported user: logged out.
            status, resolved, _ = call(server, "POST", f"/admin/api/reports/{peer_report['id']}/ban", token=token)
            assert status == 200 and resolved["resolution"] == "banned"
            with pytest.raises(errors.AuthKeyUnregisteredError):
                await next_request(alice)
            assert call(server, "GET", "/admin/api/reports", token=token)[1]["open"] == 0
            closed = call(server, "GET", "/admin/api/reports?state=resolved", token=token)[1]["reports"]
            assert {r["id"] for r in closed} >= {message_report["id"], peer_report["id"]}
        finally:
            for c in (alice, bob):
                await c.disconnect()

    run(scenario())


def test_invites_registration_broadcast_and_statistics(admin, run):
    server, pem, token, _ = admin

    async def scenario():
        client, user = await sign_up(server, pem, new_phone(), "Reader")
        try:
            status, made, _ = call(server, "POST", "/admin/api/invites", {"count": 2}, token=token)
            assert status == 201 and len(made["codes"]) == 2
            listed = {i["code"] for i in call(server, "GET", "/admin/api/invites", token=token)[1]["invites"]}
            assert set(made["codes"]) <= listed
            assert call(server, "POST", "/admin/api/invites", {"count": 1000}, token=token)[0] == 400
            registration = call(server, "GET", "/admin/api/registration", token=token)[1]
            assert registration["policy"] == "open" and registration["invites_unused"] >= 2

            status, body, _ = call(server, "POST", "/admin/api/broadcast", {"text": "Maintenance at noon",
                                                                            "to": [user.id]}, token=token)
            assert status == 202 and body == {"recipients": 1}
            assert call(server, "POST", "/admin/api/broadcast", {"text": "x", "to": [5]}, token=token)[0] == 404
            deadline = time.monotonic() + 10
            while True:
                texts = [d.message.message for d in await client.get_dialogs() if d.entity.id == SERVICE_USER_ID]
                if "Maintenance at noon" in texts or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert "Maintenance at noon" in texts

            status, stats, _ = call(server, "GET", "/admin/api/stats", token=token)
            assert status == 200
            assert stats["users"]["total"] >= 1 and stats["active_users"]["1d"] >= 1 and stats["sessions"] >= 1
            today = time.strftime("%Y-%m-%d", time.gmtime())
            assert stats["messages"]["per_day"][-1]["day"] == today
            assert stats["messages"]["per_day"][-1]["messages"] >= 1 and stats["messages"]["total"] >= 1
            assert {"groups", "storage", "reports_open", "connections"} <= set(stats)
            assert set(stats["storage"]) == {"files", "file_bytes", "pending_upload_bytes"}
        finally:
            await client.disconnect()

    run(scenario())


def test_changes_are_logged_by_token_name_without_secrets(admin):
    """Runs last: the log now holds the other tests' actions."""
    server, _, token, revoked = admin
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    actions = [line for line in lines if line.get("event") == "admin_action"]
    assert {a["action"] for a in actions} >= {"ban", "unban", "log_out", "log_out_everywhere", "report_deleted",
                                             "report_banned", "broadcast", "create_invites"}
    assert all(a["by"] == "moderator" for a in actions)
    assert any(line.get("event") == "admin_auth_failed" for line in lines)
    text = server.log()
    assert token not in text and revoked not in text
    assert "buy cheap stuff" not in text and "Maintenance at noon" not in text


def test_capture_is_switched_at_run_time(tmp_path):
    from .server_process import ServerProcess, free_port

    http_port = free_port()
    server = ServerProcess(tmp_path / "data", env={"MTSERVER_HTTP": f"127.0.0.1:{http_port}",
                                                   "MTSERVER_CAPTURE_DIR": str(tmp_path / "capture")})
    server.http_port = http_port
    server.start()
    try:
        token = create_token(server, "ops")
        status, body, _ = call(server, "GET", "/admin/api/capture", token=token)
        assert status == 200 and body["configured"] and body["enabled"]
        status, body, _ = call(server, "PUT", "/admin/api/capture", {"enabled": False, "methods": ["messages.*"]},
                               token=token)
        assert status == 200 and body["enabled"] is False and body["methods"] == ["messages.*"]
        assert call(server, "GET", "/admin/api/capture", token=token)[1]["enabled"] is False
        assert call(server, "PUT", "/admin/api/capture", {"enabled": "yes"}, token=token)[0] == 400
        assert '"capture_control"' in server.log()
    finally:
        server.stop()
    # Without a capture directory there is nothing to switch.
    plain = start_admin_server(tmp_path / "plain")
    try:
        token = create_token(plain, "ops")
        assert call(plain, "GET", "/admin/api/capture", token=token)[1]["configured"] is False
        assert call(plain, "PUT", "/admin/api/capture", {"enabled": True}, token=token)[0] == 409
    finally:
        plain.stop()


def test_settings_change_at_run_time(admin, run):
    from telethon import errors

    from .test_accounts import CODE, connect

    server, pem, token, _ = admin
    status, shown, _ = call(server, "GET", "/admin/api/settings", token=token)
    assert status == 200 and shown["settings"]["registration"] == "open" and shown["settings"]["log_level"] == "info"
    assert shown["fields"]["max_connections_per_address"]["env"] == "MTSERVER_MAX_CONNECTIONS_PER_ADDRESS"
    assert "restart" in shown["applies_to"]

    # Refused, naming the problem; nothing changes.
    for body, says in (({"port": 1}, "not changeable at run time"), ({"log_level": "loud"}, "log_level"),
                       ({"max_connections": -5}, "max_connections"), ({}, "JSON object")):
        status, answer, _ = call(server, "PUT", "/admin/api/settings", body, token=token)
        assert status == 400 and says in answer["error"], answer
    assert call(server, "PUT", "/admin/api/settings", raw=b"{", token=token)[0] == 400

    async def new_number_signs_up() -> bool:
        client = await connect(server, pem)
        try:
            phone = new_phone()
            sent = await client.send_code_request(phone)
            try:
                await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
            except errors.PhoneNumberUnoccupiedError:
                return True  # the code was good: sign-up may follow
            except errors.PhoneCodeInvalidError:
                return False  # invite only: the login code is no invite
            raise AssertionError("a new number logged in")
        finally:
            await client.disconnect()

    try:
        status, answer, _ = call(server, "PUT", "/admin/api/settings",
                                 {"registration": "invite", "log_level": "warning"}, token=token)
        assert status == 200 and answer["settings"]["registration"] == "invite"
        assert answer["published_to_other_processes"] is True
        assert call(server, "GET", "/admin/api/registration", token=token)[1]["policy"] == "invite"
        written = len(server.log())
        assert not run(new_number_signs_up())  # at once, no restart
        # Its info events (rpc_error PHONE_CODE_INVALID, ...) are no longer written.
        assert '"level": "info"' not in server.log()[written:]
        assert call(server, "PUT", "/admin/api/settings", {"registration": "open", "log_level": "info"},
                    token=token)[0] == 200
        assert run(new_number_signs_up())
        assert re.search(r'"action": "settings".*"registration": "invite", "log_level": "warning"', server.log())
        assert re.search(r'"action": "settings".*"registration": "open"', server.log())
    finally:
        call(server, "PUT", "/admin/api/settings", {"registration": "open", "log_level": "info"}, token=token)
    assert call(server, "GET", "/admin/api/settings", token=token)[1]["settings"]["log_level"] == "info"
