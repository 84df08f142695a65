"""JavaScript clients, unmodified: GramJS 2.26.22 (npm `telegram`, layer 198) signs up,
mtcute 0.30.3 (@mtcute/node, layer 227, RSA_PAD in its handshake) logs in.

GramJS always dials port 80 (443 with WSS), whatever port its session names, so these
servers listen on port 80 of a loopback address of their own (127.0.x.y): that needs
root, as CI and this project's machines have. The scripts in tests/e2e/js/ add our RSA
key and address through each library's own hooks at run time.
"""

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from .server_process import ServerProcess

JS = Path(__file__).resolve().parent / "js"
CODE = "12345"


def need(package: str) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (JS / "node_modules" / package).exists():
        pytest.skip(f"run `npm ci --prefix tests/e2e/js` (CI does) to test {package}")


def run_node(script: str, *args: str, env: dict | None = None) -> dict:
    """Runs a node script; `env` adds variables to this process's environment."""
    result = subprocess.run(["node", str(JS / script), *args], cwd=JS, capture_output=True, text=True, timeout=120,
                            env=None if env is None else {**os.environ, **env})
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def server_on_port_80(tmp_path):
    need("telegram")
    if os.geteuid() != 0:
        pytest.skip("GramJS only dials port 80, which needs root")
    host = f"127.0.{random.randint(1, 250)}.{random.randint(2, 250)}"
    proc = ServerProcess(tmp_path / "data", port=80, env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}"})
    proc.host = host
    proc.start()
    yield proc
    proc.stop()


def test_gramjs_signs_up_and_gets_config(server_on_port_80, tmp_path):
    pem_file = tmp_path / "server.pem"
    pem_file.write_text(server_on_port_80.public_key()[0])
    me = run_node("gramjs_login.js", server_on_port_80.host, "80", str(pem_file), "+15559990001", CODE)
    assert me["first_name"] == "Gram" and me["phone"] == "15559990001"
    assert me["this_dc"] == 2 and me["pts"] >= 1
    assert '"handshake_done"' in server_on_port_80.log()


def test_mtcute_logs_in_to_an_account(tmp_path):
    from .server_process import mtserver

    need("@mtcute/node")
    server = ServerProcess(tmp_path / "data", env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}"}).start()
    try:
        # mtcute will not sign up ("no longer supported for non-official clients"):
        # the operator creates the account.
        created = mtserver("admin", "--data-dir", str(server.data_dir), "users", "create", "+15559990002", "Mt")
        assert created.returncode == 0, created.stderr
        pem_file = tmp_path / "server.pem"
        pem_file.write_text(server.public_key()[0])
        me = run_node("mtcute_login.mjs", server.host, str(server.port), str(pem_file), "+15559990002", CODE)
        assert me["first_name"] == "Mt" and me["this_dc"] == 2 and me["pts"] >= 1
        assert '"bad_msg"' not in server.log()
    finally:
        server.stop()


def telethon_peer(server, pem: str, phone: str):
    """A Telethon account on `server` (whose host may be a private loopback address)."""
    import asyncio

    from .test_accounts import sign_up

    runner = asyncio.Runner()
    client, user = runner.run(sign_up(server, pem, phone, "Peer"))
    return runner, client, user


def close_peer(runner, client) -> None:
    async def disconnect():
        await client.disconnect()

    runner.run(disconnect())
    runner.close()


def test_gramjs_messages_a_telethon_user(server_on_port_80, tmp_path):
    pem = server_on_port_80.public_key()[0]
    pem_file = tmp_path / "server.pem"
    pem_file.write_text(pem)
    runner, peer, peer_user = telethon_peer(server_on_port_80, pem, "+15559990011")
    try:
        out = run_node("gramjs_messages.js", server_on_port_80.host, "80", str(pem_file), "+15559990012", CODE,
                       "+15559990011")
        assert out["peer_id"] == str(peer_user.id)
        texts = [(text, is_out) for text, is_out, _ in out["history"]]
        assert texts == [("second", True), ("from GramJS, edited", True)]
        assert out["history"][0][2] is not None  # the reply header, in layer 198's shape
        assert out["dialogs"][0] == str(peer_user.id)
        assert out["difference"] == "updates.Difference" and out["new_messages"] == ["from GramJS, edited", "second"]
        dialogs = runner.run(peer.get_dialogs())
        gram = [d for d in dialogs if d.name.startswith("Gram")][0]
        assert [m.message for m in runner.run(peer.get_messages(gram.entity, limit=5))] == [
            "second", "from GramJS, edited"]
    finally:
        close_peer(runner, peer)


def test_mtcute_reads_replies_and_edits_with_a_telethon_user(tmp_path):
    from telethon import functions, types

    from .server_process import mtserver

    need("@mtcute/node")
    server = ServerProcess(tmp_path / "data", env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}"}).start()
    try:
        created = mtserver("admin", "--data-dir", str(server.data_dir), "users", "create", "+15559990022", "Mt")
        assert created.returncode == 0, created.stderr
        pem = server.public_key()[0]
        pem_file = tmp_path / "server.pem"
        pem_file.write_text(pem)
        runner, peer, peer_user = telethon_peer(server, pem, "+15559990021")
        try:
            imported = runner.run(peer(functions.contacts.ImportContactsRequest(
                [types.InputPhoneContact(client_id=1, phone="+15559990022", first_name="Mt", last_name="")])))
            mt_user = imported.users[0]
            runner.run(peer.send_message(types.InputPeerUser(mt_user.id, mt_user.access_hash), "hi mtcute"))
            out = run_node("mtcute_messages.mjs", server.host, str(server.port), str(pem_file), "+15559990022", CODE,
                           "+15559990021")
            assert out["peer_id"] == peer_user.id
            assert [h[:2] for h in out["history"]] == [["from mtcute, edited", True], ["hi mtcute", False]]
            assert out["history"][0][2] is not None and out["dialogs"][0] == peer_user.id
            mine = runner.run(peer.get_messages(types.InputPeerUser(mt_user.id, mt_user.access_hash), limit=5))
            assert [(m.message, m.out) for m in mine] == [("from mtcute, edited", False), ("hi mtcute", True)]
            assert mine[0].reply_to.reply_to_msg_id == mine[1].id
            assert '"bad_msg"' not in server.log()
        finally:
            close_peer(runner, peer)
    finally:
        server.stop()
