"""JavaScript clients, unmodified, in supergroups and channels: GramJS 2.26.22 (layer 198)
makes a megagroup and catches up with updates.getChannelDifference; mtcute 0.30.3
(layer 227) runs a broadcast channel that a Telethon user joins by its username.

Each script prints a JSON line, waits for a line on its stdin while the Telethon user
acts in the channel, then prints the JSON line of what it saw after.
"""

import json
import subprocess

from .server_process import ServerProcess
from .test_js_clients import CODE, JS, close_peer, need, server_on_port_80, telethon_peer  # noqa: F401 (fixture)


class NodeScript:
    """A node script the test talks to: one JSON line out, one line in, and so on."""

    def __init__(self, script: str, *args: str):
        self.proc = subprocess.Popen(["node", str(JS / script), *args], cwd=JS, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def read(self) -> dict:
        """The next JSON line; the libraries print a few words of their own (mtcute's
        "The confirmation code has been sent"), which are passed over."""
        while True:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.wait(timeout=30)
                raise AssertionError(self.proc.stderr.read()[-4000:])
            if line.startswith("{"):
                return json.loads(line)

    def go_on(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def finish(self) -> str:
        """Waits for the end; returns what the script wrote on stderr."""
        errors = self.proc.stderr.read()
        assert self.proc.wait(timeout=60) == 0, errors[-4000:]
        return errors

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def test_gramjs_runs_a_supergroup_with_a_telethon_user(server_on_port_80, tmp_path):
    from telethon import types

    pem = server_on_port_80.public_key()[0]
    pem_file = tmp_path / "server.pem"
    pem_file.write_text(pem)
    runner, peer, peer_user = telethon_peer(server_on_port_80, pem, "+15559990031")
    node = NodeScript("gramjs_channels.js", server_on_port_80.host, "80", str(pem_file), "+15559990032", CODE,
                      "+15559990031")
    try:
        seen = node.read()
        assert seen["megagroup"] is True and seen["peer_id"] == str(peer_user.id)
        texts = [text for kind, text, *_ in seen["history"] if kind == "Message"]
        assert texts == ["hello group, edited"]
        assert [row for row in seen["history"] if row[0] == "Message"][0][2] is True
        assert "MessageActionChannelCreate" in [text for kind, text, *_ in seen["history"] if kind == "MessageService"]
        assert seen["full"]["about"] == "made by GramJS" and seen["full"]["participants"] == 2
        assert seen["dialogs"][0] == ["Channel", seen["channel_id"]]
        assert seen["participants"] == sorted([seen["peer_id"], seen["me"]])
        edited_id = [row for row in seen["history"] if row[0] == "Message"][0][3]
        assert seen["full"]["pinned"] == edited_id and seen["full"]["read_inbox"] >= edited_id

        dialogs = runner.run(peer.get_dialogs())
        group = [d.entity for d in dialogs if isinstance(d.entity, types.Channel)][0]
        assert str(group.id) == seen["channel_id"] and group.megagroup
        read = runner.run(peer.get_messages(group, limit=10))
        assert [m.message for m in read if m.message] == ["hello group, edited"]
        runner.run(peer.send_message(group, "from Telethon"))
        node.go_on()

        caught_up = node.read()
        node.finish()
        assert caught_up["live"] == "from Telethon"
        assert caught_up["difference"] == "updates.ChannelDifference" and caught_up["final"] is True
        assert caught_up["new_messages"] == [["from Telethon", str(peer_user.id)]]
        assert caught_up["pts"] > seen["full"]["pts"]
        assert caught_up["found"] == ["hello group, edited"] and caught_up["by_id"] == ["hello group, edited"]
        assert caught_up["peer_dialog"][0] == "Dialog" and caught_up["peer_dialog"][1] >= caught_up["pts"]
        assert caught_up["forwarded"] == [["hello group, edited", "PeerUser"]]
        assert caught_up["participants_after_kick"] == 1
        assert {"ChannelAdminLogEventActionParticipantInvite", "ChannelAdminLogEventActionEditMessage",
                "ChannelAdminLogEventActionUpdatePinned",
                "ChannelAdminLogEventActionParticipantToggleBan"} <= set(caught_up["log"])
    finally:
        node.kill()
        close_peer(runner, peer)


def test_mtcute_runs_a_channel_a_telethon_user_joins(tmp_path):
    from telethon import functions, types

    from .server_process import mtserver

    need("@mtcute/node")
    server = ServerProcess(tmp_path / "data", env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}"}).start()
    try:
        created = mtserver("admin", "--data-dir", str(server.data_dir), "users", "create", "+15559990042", "Mt")
        assert created.returncode == 0, created.stderr
        pem = server.public_key()[0]
        pem_file = tmp_path / "server.pem"
        pem_file.write_text(pem)
        runner, peer, peer_user = telethon_peer(server, pem, "+15559990041")
        node = NodeScript("mtcute_channels.mjs", server.host, str(server.port), str(pem_file), "+15559990042", CODE,
                          "mtcute_news")
        try:
            posted = node.read()
            assert posted["broadcast"] is True and posted["username"] == "mtcute_news"
            assert posted["link"].startswith("https://t.me/+") or posted["link"].startswith("https://")

            assert [h[0] for h in posted["history"] if not h[2]] == ["first post"]
            assert posted["dialogs"][0] == posted["chat_id_marked"]
            invite = runner.run(peer(functions.messages.CheckChatInviteRequest(posted["link"].rsplit("+", 1)[-1])))
            assert isinstance(invite, types.ChatInvite) and invite.title == "mtcute news" and invite.broadcast

            channel = runner.run(peer.get_entity("mtcute_news"))
            assert isinstance(channel, types.Channel) and channel.broadcast and str(channel.id) == posted["chat_id"]
            runner.run(peer(functions.channels.JoinChannelRequest(channel)))
            read = runner.run(peer.get_messages(channel, limit=10))
            assert [m.message for m in read if m.message] == ["first post"]
            first = [m for m in read if m.message][0]
            assert first.post and first.id == posted["post_id"] and first.pinned
            assert isinstance(read[0].action, types.MessageActionPinMessage)
            node.go_on()

            after = node.read()
            assert node.finish() == ""  # mtcute logs its errors there
            assert after["members"] == 2 and after["admins"] >= 1
            assert sorted(after["member_ids"]) == sorted([str(peer_user.id), posted["me"]])
            assert after["statuses"] == ["creator", "member"] and after["member_status"] == "member"
            assert after["pinned"] == posted["post_id"]
            assert after["edited"] == "first post, edited"
            assert after["title"] == "mtcute daily" and after["about"] == "renamed by mtcute"
            assert {"msg_edited", "msg_deleted", "msg_pinned", "title_changed", "description_changed", "username_changed", "user_joined"} <= set(after["events"])
            left = runner.run(peer.get_messages(channel, limit=10))
            assert [m.message for m in left if m.message] == []
            assert '"bad_msg"' not in server.log()
        finally:
            node.kill()
            close_peer(runner, peer)
    finally:
        server.stop()
