"""The layer diff matches declarations by name and says field by field what changed."""

import pytest

from tl.parser import parse_text
from tools.tlgen.__main__ import load_layer, main, shipped_layers
from tools.tlgen.diff import diff_schemas
from tools.tlgen.report import format_diff
from tools.tlgen.usage import Usage, server_usage

OLD = """
---types---
user#1 flags:# self:flags.10?true id:long name:flags.1?string = User;
chat#2 id:long = Chat;
gone#3 = Gone;
same#4 x:int = Same;
pair#6 a:int b:int = Pair;
---functions---
users.get#10 id:long = User;
msgs.send#11 flags:# silent:flags.5?true peer:long text:string = Updates;
"""

NEW = """
---types---
user#1 flags:# self:flags.10?true contact:flags.11?true id:long name:flags.2?string = User;
chat#22 id:int title:string = Chat;
same#4 x:int = Same;
pair#7 b:int a:int = Pair;
fresh#5 = Fresh;
---functions---
users.get#10 id:long = Vector<User>;
msgs.send#11 flags:# peer:long text:string = Updates;
"""


def tiny_diff():
    old, new = parse_text(OLD), parse_text(NEW)
    old.layer, new.layer = 1, 2
    return diff_schemas(old, new)


def test_added_and_removed_are_matched_by_name():
    d = tiny_diff()
    assert [c.predicate for c in d.added] == ["fresh"]
    assert [c.predicate for c in d.removed] == ["gone"]
    assert [(c.predicate, c.is_function) for c in d.changed] == [
        ("chat", False), ("pair", False), ("user", False), ("msgs.send", True), ("users.get", True)]


def test_a_change_that_keeps_the_id_is_reported():
    # A new `true` flag and a moved optional field: the id (CRC32 without true flags)
    # may stay the same, the meaning of the bits does not.
    user = tiny_diff().change("user")
    assert not user.id_changed
    assert [str(p) for p in user.added] == ["contact:flags.11?true"]
    assert [(str(a), str(b)) for a, b in user.moved] == [("name:flags.1?string", "name:flags.2?string")]
    assert not user.retyped and not user.removed and not user.reordered


def test_fields_retyped_added_removed_reordered_and_results():
    d = tiny_diff()
    chat = d.change("chat")
    assert chat.id_changed and [str(p) for p in chat.added] == ["title:string"]
    assert [(str(a), str(b)) for a, b in chat.retyped] == [("id:long", "id:int")]
    assert d.change("pair").reordered and not d.change("pair").added
    send = d.change("msgs.send", function=True)
    assert [str(p) for p in send.removed] == ["silent:flags.5?true"] and not send.id_changed
    get = d.change("users.get", function=True)
    assert get.result_changed and not get.fields_changed and str(get.new.result) == "Vector<User>"


def test_report_lists_every_detail_and_marks_what_the_server_uses():
    usage = Usage(methods={"msgs.send": "rpc.msgs"}, constructors={"user": ["rpc/a.py"], "gone": ["storage/b.py"]})
    text = format_diff(tiny_diff(), usage)
    assert text.startswith("Layer 1 → 2: 1 added, 1 removed, 5 changed (2 of them used by the server)")
    for line in ["  method      changed msgs.send  handler in rpc.msgs",
                 "  constructor changed user       used in rpc/a.py",
                 "  constructor removed gone       used in storage/b.py",
                 "  constructor gone#00000003 = Gone   [used in storage/b.py]",
                 "  user#00000001 (same id)   [used in rpc/a.py]",
                 "      + contact:flags.11?true",
                 "      ~ flag  name:flags.1?string → name:flags.2?string",
                 "  chat#00000002 → #00000022",
                 "      ~ type  id:long → id:int",
                 "      + title:string",
                 "      ~ field order changed",
                 "  msgs.send#00000011 (same id)   [handler in rpc.msgs]",
                 "      - silent:flags.5?true",
                 "  users.get#00000010 (same id)",
                 "      = result User → Vector<User>"]:
        assert line in text.splitlines(), line
    assert text.index("Changed constructors:") < text.index("Changed methods:")


def test_report_says_when_usage_could_not_be_computed():
    text = format_diff(tiny_diff(), Usage(problems=["methods not marked: `import rpc` failed: boom"]))
    assert "  ! methods not marked: `import rpc` failed: boom" in text


# The real 158 → 229 diff: the declarations every client sends or reads.

@pytest.fixture(scope="module")
def real():
    return diff_schemas(load_layer(158), load_layer(229))


def test_real_user_change_lists_its_new_fields(real):
    user = real.change("user")
    assert (user.old.id, user.new.id) == (0x8F97C628, 0xB1B8CC83)
    added = {p.name: str(p) for p in user.added}
    assert added["stories_max_id"] == "stories_max_id:flags2.5?RecentStory"
    assert added["bot_verification_icon"] == "bot_verification_icon:flags2.14?long"
    assert "close_friend" in added and "send_paid_messages_stars" in added
    assert not user.removed and not user.retyped


def test_real_message_change_lists_its_new_fields(real):
    message = real.change("message")
    assert (message.old.id, message.new.id) == (0x38116EE0, 0x7600B9D3)
    added = {p.name for p in message.added}
    assert {"flags2", "invert_media", "effect", "paid_message_stars", "factcheck", "saved_peer_id"} <= added


def test_real_send_message_change_shows_the_reply_to_rework(real):
    send = real.change("messages.sendMessage", function=True)
    assert (send.old.id, send.new.id) == (0x1CC20387, 0xFEF48F62)
    assert {str(p) for p in send.removed} == {"reply_to_msg_id:flags.0?int", "top_msg_id:flags.9?int"}
    assert "reply_to:flags.0?InputReplyTo" in {str(p) for p in send.added}
    assert not send.result_changed


def test_real_changes_that_keep_their_id_are_found_between_consecutive_layers():
    layers = list(shipped_layers())
    same_id = {}
    for a, b in zip(layers, layers[1:]):
        if b > 229:
            break
        for c in diff_schemas(load_layer(a), load_layer(b)).changed:
            if not c.id_changed:
                same_id.setdefault(c.predicate, []).append((a, b))
    # 84 changes of 64 declarations the id does not show (true flags added, removed, moved).
    assert sum(map(len, same_id.values())) == 84
    assert same_id["message"] == [(158, 167)] and same_id["messages.sendMessage"] == [(190, 198)]
    assert (214, 216) in same_id["user"]


def test_real_report_marks_handlers_and_used_constructors(capsys):
    assert main(["diff", "158", "229"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Layer 158 → 229: 886 added, 40 removed, 192 changed (")
    assert "Server code to revisit" in out
    revisit = lines[:lines.index("Added:") if "Added:" in lines else None]
    assert any(l.split()[:3] == ["method", "changed", "messages.sendMessage"] and "handler in rpc.messages" in l
               for l in revisit)
    assert any(l.split()[:3] == ["constructor", "changed", "user"] for l in revisit)
    assert any(l.startswith("  messages.sendMessage#1cc20387 → #fef48f62   [handler in rpc.") for l in lines)


def test_server_usage_follows_the_handler_table():
    import rpc
    from tl import functions as F

    usage = server_usage()
    assert not usage.problems
    assert set(usage.methods) == {cls.QUALNAME for cls in rpc.ROUTES}
    assert usage.methods[F.messages.SendMessage.QUALNAME] == "rpc.messages.messages"
    assert "user" in usage.constructors and all(f.startswith(("rpc/", "storage/")) for f in usage.constructors["user"])


def test_diff_of_an_unshipped_layer_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        main(["diff", "1", "229"])
    assert "no schema/api-layer-1.tl" in capsys.readouterr().err
