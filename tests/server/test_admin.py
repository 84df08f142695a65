"""`mtserver admin`: users, sessions and invites in the server's storage."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trio
import trio_asyncio

from storage import open_storage
from storage.models import AuthorizationRecord
from storage.peer import Peer
from tools.cli import main


def admin(tmp_path, capsys, *args):
    code = main(["admin", "--data-dir", str(tmp_path), *args], env={})
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(out):
    """A table's header and rows, split on runs of two or more spaces."""
    import re

    lines = out.splitlines()
    return [re.split(r"\s{2,}", line.strip()) for line in lines]


def admin_json(tmp_path, capsys, *args):
    code, out, err = admin(tmp_path, capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def add_session(tmp_path, user_id, key_id, hash_):
    async def go():
        async with trio_asyncio.open_loop():
            storage = await open_storage(None, str(tmp_path))
            now = int(time.time())
            await storage.authorizations.add(AuthorizationRecord(auth_key_id=key_id, user_id=user_id, hash=hash_,
                                                                 created_at=now, active_at=now, device_model="Phone"))
            await storage.close()

    trio.run(go)


def test_users_create_list_and_ban(tmp_path, capsys):
    code, out, _ = admin(tmp_path, capsys, "users", "create", "+1 555 000 1111", "Ann", "Lee")
    assert code == 0 and "+15550001111" in out
    user_id = int(out.split()[2])
    code, _, err = admin(tmp_path, capsys, "users", "create", "+15550001111", "Dup")
    assert code == 1 and "already has an account" in err
    code, _, err = admin(tmp_path, capsys, "users", "create", "12", "Bad")
    assert code == 1 and "invalid phone" in err
    code, out, _ = admin(tmp_path, capsys, "users", "list")
    header, *table = rows(out)
    assert header == ["ID", "PHONE", "NAME", "USERNAME", "BANNED", "DELETED", "CREATED"]
    assert [r[:3] for r in table] == [[str(user_id), "+15550001111", "Ann Lee"]]
    add_session(tmp_path, user_id, 77, 501)
    code, out, _ = admin(tmp_path, capsys, "users", "ban", "+15550001111")
    assert code == 0 and "banned" in out
    [user] = admin_json(tmp_path, capsys, "users", "list")
    assert (user["id"], user["phone"], user["name"], user["banned"]) == (user_id, "+15550001111", "Ann Lee", True)
    assert admin_json(tmp_path, capsys, "sessions", "list", str(user_id)) == []  # a ban ends every session


def test_users_delete_removes_the_account_and_frees_its_number(tmp_path, capsys):
    _, out, _ = admin(tmp_path, capsys, "users", "create", "15550004444", "Del")
    user_id = int(out.split()[2])
    add_session(tmp_path, user_id, 21, 2001)
    with pytest.raises(SystemExit) as refused:  # not without saying so
        admin(tmp_path, capsys, "users", "delete", "15550004444")
    assert refused.value.code == 2 and "--yes" in capsys.readouterr().err
    done = admin_json(tmp_path, capsys, "users", "delete", "15550004444", "--yes")
    assert done["id"] == user_id and done["devices_logged_out"] == 1 and done["groups_left"] == 0
    [user] = admin_json(tmp_path, capsys, "users", "list")
    assert (user["id"], user["phone"], user["name"], user["deleted"]) == (user_id, None, "", True)
    code, _, err = admin(tmp_path, capsys, "users", "delete", "15550004444", "--yes")
    assert code == 1 and "no user" in err  # the number names nobody now
    code, out, _ = admin(tmp_path, capsys, "users", "create", "15550004444", "New")
    assert code == 0 and int(out.split()[2]) != user_id
    code, _, err = admin(tmp_path, capsys, "users", "delete", "777000", "--yes")
    assert code == 1


def test_sessions_list_and_revoke(tmp_path, capsys):
    _, out, _ = admin(tmp_path, capsys, "users", "create", "15550002222", "Bo")
    user_id = int(out.split()[2])
    add_session(tmp_path, user_id, 11, 1001)
    add_session(tmp_path, user_id, 12, 1002)
    _, out, _ = admin(tmp_path, capsys, "sessions", "list", "15550002222")
    header, *table = rows(out)
    assert header[:2] == ["HASH", "DEVICE"] and sorted(r[:2] for r in table) == [["1001", "Phone"], ["1002", "Phone"]]
    assert sorted(s["hash"] for s in admin_json(tmp_path, capsys, "sessions", "list", "15550002222")) == [1001, 1002]
    code, out, _ = admin(tmp_path, capsys, "sessions", "revoke", "15550002222", "--hash", "1001")
    assert code == 0 and "revoked 1" in out
    code, _, err = admin(tmp_path, capsys, "sessions", "revoke", "15550002222", "--hash", "1001")
    assert code == 1 and "no session" in err
    code, out, _ = admin(tmp_path, capsys, "sessions", "revoke", str(user_id), "--all")
    assert "revoked 1" in out


def test_invites_create_and_list(tmp_path, capsys):
    code, out, _ = admin(tmp_path, capsys, "invites", "create", "--count", "3")
    codes = out.split()
    assert code == 0 and len(set(codes)) == 3
    _, out, _ = admin(tmp_path, capsys, "invites", "list")
    header, *table = rows(out)
    assert header == ["CODE", "CREATED", "USED_BY", "USED_AT"]
    assert sorted(r[0] for r in table) == sorted(codes) and all(len(r) == 2 for r in table)  # unused
    listed = admin_json(tmp_path, capsys, "invites", "list")
    assert sorted(i["code"] for i in listed) == sorted(codes) and {i["used_by"] for i in listed} == {None}
    assert len(admin_json(tmp_path, capsys, "invites", "create", "--count", "2")["codes"]) == 2


def read_box(tmp_path, user_id):
    async def go():
        async with trio_asyncio.open_loop():
            storage = await open_storage(None, str(tmp_path))
            try:
                messages, _ = await storage.messages.history(user_id, Peer.user(777000))
                sender = await storage.users.get(777000)
                return messages, sender
            finally:
                await storage.close()

    return trio.run(go)


def test_broadcast_reaches_every_user_from_the_service_account(tmp_path, capsys):
    ids = [int(admin(tmp_path, capsys, "users", "create", f"1555000333{i}", f"U{i}")[1].split()[2]) for i in range(3)]
    code, out, _ = admin(tmp_path, capsys, "broadcast", "Maintenance at 22:00")
    assert code == 0 and "sent to 3 user(s)" in out
    for user_id in ids:
        messages, sender = read_box(tmp_path, user_id)
        assert [(m.message, m.from_id, m.out) for m in messages] == [("Maintenance at 22:00", 777000, False)]
        assert sender.first_name == "Notifications"
    code, out, _ = admin(tmp_path, capsys, "broadcast", "just you", "--to", str(ids[0]))
    assert code == 0 and "sent to 1 user(s)" in out
    assert len(read_box(tmp_path, ids[0])[0]) == 2 and len(read_box(tmp_path, ids[1])[0]) == 1
    code, _, err = admin(tmp_path, capsys, "broadcast", "   ")
    assert code == 1 and "1 to 4096" in err
    code, out, _ = admin(tmp_path, capsys, "broadcast", "x", "--to", "15559999999")
    assert code == 1


def test_updates_prune_forgets_old_log_rows(tmp_path, capsys):
    admin(tmp_path, capsys, "users", "create", "15550004444", "Old")
    admin(tmp_path, capsys, "broadcast", "hello")
    code, out, _ = admin(tmp_path, capsys, "updates", "prune")
    assert code == 0 and "removed 0 logged update(s) older than 30 day(s)" in out
    code, out, _ = admin(tmp_path, capsys, "updates", "prune", "--days", "-1")
    assert code == 0 and "removed 2 logged update(s)" in out  # the user's copy and the service account's


def test_options_are_accepted_after_the_subcommand(tmp_path, capsys):
    config = tmp_path / "admin.toml"
    config.write_text(f'data_dir = "{tmp_path / "from-config"}"\n')
    code, out, _ = admin(tmp_path, capsys, "users", "create", "15550005555", "Cy", "--data-dir", str(tmp_path / "after"))
    assert code == 0
    # --data-dir after the subcommand beats the one main() put before it.
    assert [u["phone"] for u in admin_json(tmp_path / "after", capsys, "users", "list")] == ["+15550005555"]
    assert main(["admin", "users", "create", "15550006666", "Di", "--config", str(config)], env={}) == 0
    capsys.readouterr()
    assert main(["admin", "users", "list", "--json", "--config", str(config)], env={}) == 0
    assert [u["phone"] for u in json.loads(capsys.readouterr().out)] == ["+15550006666"]
    assert main(["admin", "--config", str(config), "--json", "users", "list"], env={}) == 0  # and before it
    assert [u["phone"] for u in json.loads(capsys.readouterr().out)] == ["+15550006666"]


def test_results_are_json_objects_with_json(tmp_path, capsys):
    created = admin_json(tmp_path, capsys, "users", "create", "15550007777", "Ed")
    assert created["phone"] == "+15550007777" and isinstance(created["id"], int)
    assert admin_json(tmp_path, capsys, "users", "ban", str(created["id"])) == {
        "id": created["id"], "banned": True, "sessions_revoked": 0}
    assert admin_json(tmp_path, capsys, "updates", "prune") == {"removed": 0, "days": 30}


def test_listing_users_does_not_import_the_tl_classes(tmp_path):
    """What makes `mtserver admin users list` start in a fraction of a second (bench/README.md)."""
    root = Path(__file__).resolve().parents[2]
    probe = ("import sys; from tools.cli import main; code = main(['admin', '--data-dir', sys.argv[1], "
             "'users', 'list']); print(sorted(m for m in sys.modules if m == 'tl.generated' or m == 'rpc'))")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
