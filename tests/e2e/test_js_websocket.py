"""GramJS 2.26.22 as it runs in browsers: obfuscated2 inside a WebSocket to
ws://HOST:80/apiws (its PromisedWebSockets over the `websocket` package), on the same
port as the TCP transports, signs up and chats with a Telethon user who is on TCP.

GramJS dials port 80 whatever its session says (see test_js_clients.py): the server
listens on port 80 of a loopback address of its own, which needs root.
"""

from .test_js_clients import CODE, close_peer, run_node, server_on_port_80, telethon_peer  # noqa: F401  (fixture)


def test_gramjs_over_websocket_messages_a_telethon_user(server_on_port_80, tmp_path):  # noqa: F811
    server = server_on_port_80
    pem = server.public_key()[0]
    pem_file = tmp_path / "server.pem"
    pem_file.write_text(pem)
    runner, peer, peer_user = telethon_peer(server, pem, "+15559990031")
    try:
        out = run_node("gramjs_messages.js", server.host, "80", str(pem_file), "+15559990032", CODE,
                       "+15559990031", env={"E2E_TRANSPORT": "websocket"})
        assert out["peer_id"] == str(peer_user.id)
        assert [(text, is_out) for text, is_out, _ in out["history"]] == [
            ("second", True), ("from GramJS, edited", True)]
        assert out["difference"] == "updates.Difference"
        dialogs = runner.run(peer.get_dialogs())
        gram = [d for d in dialogs if d.name.startswith("Gram")][0]
        assert [m.message for m in runner.run(peer.get_messages(gram.entity, limit=5))] == [
            "second", "from GramJS, edited"]
    finally:
        close_peer(runner, peer)
    log = server.log()
    assert '"peer": "' in log and ' ws"' in log  # the GramJS connection was a WebSocket
    assert "obfuscated2/abridged" in log and '"websocket_error"' not in log
