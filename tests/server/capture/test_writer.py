"""The capture writer: files rotated by size, filters, switched at run time, never blocking."""

import json
import time

import trio

import tl
from server.capture import CONTROL_FILE, Capture, CaptureControl
from server.capture.control import Selection
from server.capture.files import CaptureFiles
from server.capture import writer
from server.config import Config
from tl import functions as F, types as T

from .test_records import capturing_session


def read_records(directory):
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.read_text().splitlines()]


def test_files_rotate_by_size_and_keep_at_most_n(tmp_path):
    files = CaptureFiles(tmp_path, "day", rotate_bytes=1024, keep_files=3)
    for i in range(40):
        files.write(1, 0.0, b'{"n": %d, "pad": "%s"}\n' % (i, b"x" * 90))
    files.close()
    names = sorted(p.name for p in tmp_path.glob("*.jsonl"))
    assert names == ["capture-1970-01-01.002.jsonl", "capture-1970-01-01.003.jsonl", "capture-1970-01-01.004.jsonl"]
    assert all(p.stat().st_size <= 1024 for p in tmp_path.glob("*.jsonl"))
    assert oct(next(tmp_path.glob("*.jsonl")).stat().st_mode & 0o777) == "0o600"
    # A restart appends to the newest file while it has room.
    again = CaptureFiles(tmp_path, "day", rotate_bytes=1024, keep_files=3)
    again.write(1, 0.0, b"{}\n")
    assert again.paths()[0].name == "capture-1970-01-01.004.jsonl"
    again.close()


def test_files_split_by_auth_key(tmp_path):
    files = CaptureFiles(tmp_path, "auth_key")
    files.write(-2, 0.0, b"{}\n")
    files.write(5, 0.0, b"{}\n")
    files.close()
    assert sorted(p.name for p in tmp_path.glob("*.jsonl")) == ["key-0000000000000005.000.jsonl",
                                                                 "key-fffffffffffffffe.000.jsonl"]


def test_control_file_keys_override_the_settings_and_bad_ones_are_refused():
    base = CaptureControl(methods=["auth.*"])
    changed = base.with_file(b'{"enabled": false, "users": [7]}')
    assert changed == CaptureControl(enabled=False, users=[7], methods=["auth.*"])
    for bad in (b"[1]", b'{"enabled": "yes"}', b'{"colour": 1}', b"{"):
        try:
            base.with_file(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_selection_matches_users_keys_phones_and_method_patterns():
    request = {"auth_key_id": 9, "kind": "request", "method": "auth.sendCode",
               "obj": {"_": "invokeWithLayer", "query": {"_": "auth.sendCode", "phone_number": "+1 555 0001"}}}
    by_phone = Selection(CaptureControl(phones=["15550001"]))
    assert by_phone.may_want(9, None) and not by_phone.may_want(9, 3)
    assert by_phone.keep(request, None)
    assert by_phone.keep({"auth_key_id": 9, "kind": "service", "method": "ping"}, None)  # the key is followed now
    assert not by_phone.keep({"auth_key_id": 8, "kind": "service", "method": "ping"}, None)
    by_user = Selection(CaptureControl(users=[3], methods=["messages.*"]))
    assert by_user.keep({"auth_key_id": 1, "method": "messages.sendMessage"}, 3)
    assert not by_user.keep({"auth_key_id": 1, "method": "help.getConfig"}, 3)
    assert not by_user.keep({"auth_key_id": 1, "method": "messages.sendMessage"}, 4)
    assert Selection(CaptureControl(auth_keys=[1])).keep({"auth_key_id": 1}, None)


def config(tmp_path, **kw):
    return Config(capture_dir=str(tmp_path), **kw)


async def test_capture_writes_records_and_follows_the_control_file(tmp_path):
    capture = Capture(config(tmp_path))
    client, server, _ = capturing_session()
    server.observer = capture.observe
    async with trio.open_nursery() as nursery:
        await nursery.start(capture.run)
        msg_id = client.msg_id()
        server.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id), time.time())
        server.result(client.session_id, msg_id, tl.encode(T.NearestDc(country="US", this_dc=2, nearest_dc=2)),
                      time.time())
        await wait_for(lambda: capture.written >= 3)
        # Off at run time: nothing more is queued.
        (tmp_path / CONTROL_FILE).write_bytes(b'{"enabled": false}')
        await wait_for(lambda: not capture.enabled)
        server.receive(client.request(F.Ping(ping_id=1)), time.time())
        assert not capture.queued
        # On again, for help.* only.
        (tmp_path / CONTROL_FILE).write_bytes(b'{"enabled": true, "methods": ["help.*"]}')
        await wait_for(lambda: capture.enabled)
        server.receive(client.request(F.Ping(ping_id=2)), time.time())
        server.receive(client.request(F.help.GetConfig()), time.time())
        await wait_for(lambda: not capture.queued)
        # A broken file changes nothing; removing it goes back to the settings.
        (tmp_path / CONTROL_FILE).write_bytes(b"{not json")
        await trio.sleep(1.5)
        assert capture.control.methods == ["help.*"]
        (tmp_path / CONTROL_FILE).unlink()
        await wait_for(lambda: capture.control == CaptureControl())
        nursery.cancel_scope.cancel()
    records = read_records(tmp_path)
    assert [r.get("method") for r in records] == ["help.getNearestDc", "new_session_created", "help.getNearestDc",
                                                  "help.getConfig"]


async def test_a_full_queue_drops_and_counts_instead_of_waiting(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "MAX_QUEUED", 50)
    capture = Capture(config(tmp_path))
    client, server, _ = capturing_session()
    server.observer = capture.observe
    for i in range(55):  # the writer task is not running: nothing drains
        server.receive(client.request(F.Ping(ping_id=i)), time.time())
    assert capture.dropped > 5 and len(capture.queued) == 50
    capture.queued.clear()
    capture.write_batch([])
    capture.files.close()
    [dropped] = read_records(tmp_path)
    assert dropped["kind"] == "dropped" and dropped["count"] == capture.dropped


async def wait_for(condition, seconds=5.0):
    with trio.fail_after(seconds):
        while not condition():
            await trio.sleep(0.02)


def test_a_control_file_left_from_the_last_run_applies_from_the_start(tmp_path):
    (tmp_path / CONTROL_FILE).write_bytes(b'{"enabled": false}')
    capture = Capture(config(tmp_path))
    assert not capture.enabled
    capture.files.close()
