"""TL codec throughput: ours against Telethon's, same objects, same run.

    python bench/bench_tl.py [--seconds 1.0]

Payloads: a messages.messages with 100 text messages (entities, replies), 20 users and
5 chats; and an `updates` with one new message, its user and chat. Reported as ops/s
for encode and decode on each side and the ratio (ours / Telethon). Layer 158 rows show
the cost of serving an older layer through the per-layer tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telethon.extensions import BinaryReader  # noqa: E402

import tl  # noqa: E402
from tl import types as T  # noqa: E402


def user(i: int):
    return T.User(id=1000 + i, access_hash=i * 7919, first_name=f"User {i}", last_name="Example",
                  username=f"user{i}", phone=f"1555000{i:04d}", contact=i % 2 == 0,
                  status=T.UserStatusRecently(), photo=T.UserProfilePhoto(photo_id=i, dc_id=1, stripped_thumb=b"\x01" * 40))


def chat(i: int):
    if i % 2:
        return T.Chat(id=2000 + i, title=f"Group {i}", photo=T.ChatPhotoEmpty(), participants_count=10, date=1700000000, version=3)
    return T.Channel(id=3000 + i, title=f"Channel {i}", photo=T.ChatPhotoEmpty(), date=1700000000, access_hash=i,
                     megagroup=True, username=f"chan{i}", participants_count=100)


def message(i: int):
    return T.Message(id=i + 1, peer_id=T.PeerUser(user_id=1000 + i % 20), from_id=T.PeerUser(user_id=1000 + (i + 1) % 20),
                     date=1700000000 + i, message=f"Message number {i}: the quick brown fox jumps over the lazy dog",
                     out=i % 3 == 0, entities=[T.MessageEntityBold(offset=0, length=7)] if i % 4 == 0 else None,
                     reply_to=T.MessageReplyHeader(reply_to_msg_id=i) if i % 5 == 0 and i else None)


def history():
    return T.messages.Messages(messages=[message(i) for i in range(100)], topics=[],
                               chats=[chat(i) for i in range(5)], users=[user(i) for i in range(20)])


def updates():
    return T.Updates(updates=[T.UpdateNewMessage(message=message(7), pts=100, pts_count=1)],
                     users=[user(1)], chats=[chat(1)], date=1700000000, seq=0)


def rate(fn, seconds: float) -> float:
    n, start = 0, time.perf_counter()
    batch = 1
    while True:
        for _ in range(batch):
            fn()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed
        batch = min(batch * 2, 1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    rows = []
    for name, obj in (("messages.messages (100 msgs, 20 users, 5 chats)", history()), ("updates (1 message)", updates())):
        data = tl.encode(obj)
        theirs = BinaryReader(data).tgread_object()
        assert bytes(theirs) == data, "Telethon disagrees with our bytes"
        ours_enc = rate(lambda: tl.encode(obj), args.seconds)
        theirs_enc = rate(lambda: bytes(theirs), args.seconds)
        ours_dec = rate(lambda: tl.decode(data), args.seconds)
        theirs_dec = rate(lambda: BinaryReader(data).tgread_object(), args.seconds)
        data158 = tl.encode(obj, 158)
        old_enc = rate(lambda: tl.encode(obj, 158), args.seconds)
        old_dec = rate(lambda: tl.decode(data158, 158), args.seconds)
        rows.append((name, len(data), "encode", ours_enc, theirs_enc, old_enc))
        rows.append((name, len(data), "decode", ours_dec, theirs_dec, old_dec))
    print(f"{'payload':50} {'bytes':>6} {'op':7} {'ours/s':>10} {'telethon/s':>11} {'ratio':>6} {'ours@158/s':>11}")
    for name, size, op, ours, theirs, old in rows:
        print(f"{name:50} {size:6} {op:7} {ours:10.0f} {theirs:11.0f} {ours / theirs:5.2f}x {old:11.0f}")


if __name__ == "__main__":
    main()
