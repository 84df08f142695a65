"""Where the server's CPU goes, from a py-spy raw profile: shares by part of the code and
the largest functions by self time.

    py-spy record -p <server pid> -d 12 -r 100 -f raw -o prof.txt --nonblocking
    python bench/profile_shares.py prof.txt [--top 10]

A sample is charged to the innermost frame of the project (or of a library it wraps)
that belongs to one of the parts below; frames of no part (contextlib, the standard
library) go to their caller's part. Trio's own frames inside that innermost frame are
charged to trio, except under the storage path: trio's socket calls made for a
PostgreSQL statement count as the storage path, those made for a client's bytes as trio.
Prints markdown tables.

    python bench/profile_shares.py prof.txt --without-system-calls

leaves out the samples whose innermost frame is a system call's wrapper (a socket's
send or receive, a log line's write, trio's epoll wait): py-spy counts a thread as busy
while it is runnable, so a send that woke PostgreSQL and was preempted by it on the same
core is charged the time PostgreSQL ran. `perf record -e cpu-clock -p <pid>` counts the
kernel's real share (11.7% of the server's CPU under delivery load, where py-spy put
18–28% in send_all alone); the rest is then the Python shown.
"""

from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

# (part, pattern of the frame's file), innermost match wins; order breaks no ties.
PARTS = [
    ("the storage path: storage/ (pgwire, statements, caches' loads)", re.compile(r"\((storage/|asyncpg/|sqlite3)")),
    ("crypto: AES-IGE, SHA-1/256, RSA, DH", re.compile(r"\((mtproto/crypto/|tgcrypto|cryptography/|hmac\.py|hashlib)")),
    ("TL encoding and decoding", re.compile(r"\((tl/)")),
    ("mtproto/: sessions and transport framing", re.compile(r"\((mtproto/)")),
    ("rpc/: handlers, user views, the updates engine", re.compile(r"\((rpc/)")),
    ("metrics and logging", re.compile(r"\((server/metrics\.py|server/logging\.py|server/log_redaction\.py|prometheus_client/|structlog/)")),
    ("server/: connections, push feeds, caches", re.compile(r"\((server/)")),
    ("trio: scheduler, cancel scopes, sockets, epoll", re.compile(r"\((trio/|outcome/|sniffio/)")),
]
OTHER = "other (interpreter start, standard library at top level)"
# Innermost frames that are a system call's Python wrapper (--without-system-calls).
SYSTEM_CALLS = re.compile(r"^(PlainSocket\.send_all|PlainSocket\.receive_some|_write_now|_SocketType\._nonblocking_helper"
                          r"|EpollIOManager\.get_events|EpollIOManager\._epoll_wait|_NamedPrintLogger\.msg) \(")
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*):(?P<line>\d+)\)$")


STORAGE, TRIO = PARTS[0][0], PARTS[-1][0]


def part_of(frames: list[str]) -> str:
    inside_trio = False
    for frame in reversed(frames):
        name = next((name for name, pattern in PARTS if pattern.search(frame)), None)
        if name == TRIO:
            inside_trio = True
        elif name is not None:
            return name if name == STORAGE or not inside_trio else TRIO
    return TRIO if inside_trio else OTHER


def function_of(frame: str) -> str:
    found = FRAME.match(frame)
    return f"{found['function']} ({found['file']})" if found else frame


def read(path: Path) -> list[tuple[list[str], int]]:
    samples = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples.append((stack.split(";"), int(count)))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path, help="py-spy record -f raw output")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--without-system-calls", action="store_true",
                        help="leave out samples inside a system call's wrapper (see the module docstring)")
    args = parser.parse_args()
    samples = read(args.profile)
    if args.without_system_calls:
        samples = [(frames, count) for frames, count in samples if not SYSTEM_CALLS.match(frames[-1])]
    total = sum(count for _, count in samples)
    parts: collections.Counter[str] = collections.Counter()
    functions: collections.Counter[str] = collections.Counter()
    for frames, count in samples:
        parts[part_of(frames)] += count
        functions[function_of(frames[-1])] += count
    print(f"{total:,} samples\n")
    print("| where | share of server CPU |\n|---|---:|")
    for name, count in parts.most_common():
        print(f"| {name} | {100 * count / total:.1f}% |")
    print(f"\n| the {args.top} largest functions (self time) | share |\n|---|---:|")
    for name, count in functions.most_common(args.top):
        print(f"| `{name}` | {100 * count / total:.1f}% |")


if __name__ == "__main__":
    main()
