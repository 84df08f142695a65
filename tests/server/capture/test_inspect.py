"""`mtserver inspect` on hand-made captures: order across files, --follow, filters, stats, --decode."""

import io
import json
import struct
import threading
import time

import tl
from tl import functions as F, types as T
from tools.cli import build_parser
from tools.inspect.cli import run_inspect
from tools.inspect.decode import decode_payload, payload_bytes
from tools.inspect.filters import parse_auth_key
from tools.inspect.reader import Reader, capture_files
from tools.inspect.stats import percentile


def write(path, records):
    with open(path, "a") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")


def request(t, msg_id, method="messages.sendMessage", key=1, user=5):
    return {"time": t, "direction": "in", "auth_key_id": key, "session_id": 9, "msg_id": msg_id, "seqno": 1,
            "layer": 229, "size": 40, "kind": "request", "method": method, "user_id": user, "obj": {"_": method}}


def answer(t, msg_id, method="messages.sendMessage", error=None, latency=5.0, key=1, user=5):
    record = {"time": t, "direction": "out", "auth_key_id": key, "session_id": 9, "msg_id": msg_id + 1, "seqno": 1,
              "layer": 229, "size": 40, "req_msg_id": msg_id, "method": method, "latency_ms": latency, "user_id": user}
    if error:
        record.update(kind="error", error={"code": 400, "message": error}, obj={"_": "rpc_error"})
    else:
        record.update(kind="result", obj={"_": "updateShortSentMessage", "id": 1})
    return record


def inspect(*argv):
    out = io.StringIO()
    assert run_inspect(build_parser().parse_args(["inspect", *argv]), out) == 0
    return out.getvalue()


def test_files_are_read_in_time_order_across_rotation_and_auth_keys(tmp_path):
    write(tmp_path / "key-0000000000000001.001.jsonl", [request(3.0, 300)])
    write(tmp_path / "key-0000000000000001.000.jsonl", [request(1.0, 100)])
    write(tmp_path / "key-0000000000000002.000.jsonl", [request(2.0, 200, key=2)])
    (tmp_path / "key-0000000000000002.000.jsonl").open("a").write("{cut short\n")
    assert [p.name for p in capture_files([str(tmp_path)])][:2] == ["key-0000000000000001.000.jsonl",
                                                                    "key-0000000000000001.001.jsonl"]
    reader = Reader()
    assert [r["msg_id"] for r in reader.records([str(tmp_path)])] == [100, 200, 300]
    assert reader.bad_lines == 1


def test_timeline_pairs_answers_with_requests_and_marks_errors(tmp_path):
    path = tmp_path / "c.jsonl"
    write(path, [request(1.0, 100), answer(1.01, 100), request(2.0, 200, "messages.editMessage"),
                 answer(2.003, 200, "messages.editMessage", error="MESSAGE_NOT_MODIFIED", latency=3.0),
                 {"time": 3.0, "kind": "dropped", "count": 4, "auth_key_id": 0}])
    out = inspect(str(path), "--color", "never")
    lines = out.splitlines()
    assert "→ messages.sendMessage #1" in lines[0] and "← messages.sendMessage #1 ok 5.0 ms" in lines[1]
    assert "← messages.editMessage #2 ERROR 400 MESSAGE_NOT_MODIFIED 3.0 ms" in lines[3]
    assert "4 messages not captured" in lines[4]
    assert "\033[31" in inspect(str(path), "--color", "always")
    errors = inspect(str(path), "--errors", "--color", "never").splitlines()
    assert len(errors) == 2 and "MESSAGE_NOT_MODIFIED" in errors[0]
    assert len(inspect(str(path), "--method", "messages.send*").splitlines()) == 2
    assert inspect(str(path), "--user", "6") == ""
    assert len(inspect(str(path), "--auth-key", "key-0000000000000001").splitlines()) == 4
    assert inspect(str(path), "--auth-key", "key-0000000000000010") == ""


def test_stats_count_calls_errors_and_latency_percentiles(tmp_path):
    path = tmp_path / "c.jsonl"
    records = []
    for i in range(100):
        records += [request(i, i * 4), answer(i + 0.5, i * 4, latency=float(i + 1))]
    records += [request(200, 1000, "auth.signIn"), answer(200.1, 1000, "auth.signIn", error="PHONE_CODE_INVALID")]
    write(path, records)
    out = inspect(str(path), "--stats")
    row = next(line.split() for line in out.splitlines() if line.startswith("messages.sendMessage"))
    assert row[1:] == ["100", "0", "50.0", "90.0", "99.0", "100.0"]
    assert "auth.signIn: PHONE_CODE_INVALID ×1" in out
    assert percentile([1.0], 99) == 1.0


def test_follow_prints_records_as_they_are_appended(tmp_path):
    path = tmp_path / "capture-2025-01-01.000.jsonl"
    write(path, [request(1.0, 100)])  # already there: not printed again
    reader = Reader()
    seen = []

    def append_later():
        time.sleep(0.3)
        with open(path, "a") as f:
            f.write(json.dumps(request(2.0, 200))[:20])  # half a line first
            f.flush()
            time.sleep(0.3)
            f.write(json.dumps(request(2.0, 200))[20:] + "\n")
        time.sleep(0.2)
        write(tmp_path / "capture-2025-01-01.001.jsonl", [request(3.0, 300)])  # rotated

    thread = threading.Thread(target=append_later)
    thread.start()
    deadline = time.monotonic() + 5
    for record in reader.follow([str(tmp_path)], poll=0.05, stop=lambda: len(seen) >= 2 or time.monotonic() > deadline):
        seen.append(record["msg_id"])
        if len(seen) >= 2:
            break
    thread.join()
    assert seen == [200, 300]


def test_decode_reads_hex_base64_containers_and_rpc_results():
    body = tl.encode(F.messages.SendMessage(peer=T.InputPeerSelf(), message="hi", random_id=5), 158)
    assert payload_bytes(body.hex()) == body
    assert payload_bytes(" ".join(f"{b:02x}" for b in body)) == body
    import base64

    assert payload_bytes(base64.urlsafe_b64encode(body).decode().rstrip("=")) == body
    container = struct.pack("<Ii", 0x73F1F8DC, 1) + struct.pack("<qii", 4, 1, len(body)) + body
    decoded = decode_payload(container, 158)
    assert decoded["messages"][0]["body"]["message"] == "hi"
    result = struct.pack("<Iq", 0xF35C6D01, 77) + tl.encode(T.RpcError(error_code=400, error_message="X"))
    assert decode_payload(result) == {"_": "rpc_result", "req_msg_id": 77,
                                      "result": {"_": "rpc_error", "error_code": 400, "error_message": "X"}}


def test_auth_keys_are_given_in_decimal_or_as_in_file_names():
    assert parse_auth_key("-5") == -5
    assert parse_auth_key("key-fffffffffffffffb") == -5
    assert parse_auth_key("0x10") == 16 and parse_auth_key("key-0000000000000010") == 16


def test_run_accepts_capture_dir_as_a_flag():
    from tools.cli import _overrides

    args = build_parser().parse_args(["run", "--capture", "/tmp/cap"])
    assert _overrides(args)["capture_dir"] == "/tmp/cap"
