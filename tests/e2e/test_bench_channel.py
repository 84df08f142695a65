"""The channel benchmark (bench/bench_channel.py, tools/loadgen/channel.py) keeps working:
a tiny run against a real server process (SQLite) posts to a channel, every connected
member gets every post, a post adds one row to the messages and one to the channel's log,
and a member catches up on the missed posts in as many calls as the limit says."""

import subprocess
import sys

from tools.loadgen.channel import ChannelResult

from .server_process import ROOT


def _table(lines: list[str]) -> list[dict[str, str]]:
    """The data rows of a markdown table, by column name."""
    header, *rows = ([cell.strip() for cell in line.strip("|").split("|")] for line in lines if "---" not in line)
    return [dict(zip(header, row)) for row in rows]


def test_bench_channel_prints_its_three_tables():
    run = subprocess.run([sys.executable, "bench/bench_channel.py", "--database", "sqlite", "--members", "8",
                          "--connected", "3", "--rate", "10", "--seconds", "1", "--behind", "25", "--limit", "10",
                          "1000"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    load, catch_up, tables = (block.splitlines() for block in run.stdout.strip().split("\n\n"))
    (row,) = _table(load)
    assert [row[c] for c in ("database", "kind", "members", "connected", "posts/s", "errors")] == [
        "sqlite", "supergroup", "8", "3", "10", "0"], run.stdout + run.stderr
    assert 8 <= int(row["posts"]) <= 12 and float(row["server ms/push"]) > 0
    assert row["rows/post"] == "2.00" and row["database ms/push"] == "–"  # the message and its log row; no PostgreSQL
    by_10, by_1000 = _table(catch_up)
    assert [by_10[c] for c in ("behind", "limit", "calls", "messages", "errors")] == ["25", "10", "3", "25", "0"]
    assert [by_1000[c] for c in ("behind", "limit", "calls", "messages", "errors")] == ["25", "1000", "1", "25", "0"]
    assert {r["table"]: r["rows/post"] for r in _table(tables)} == {"channel_messages": "1.00",
                                                                    "channel_update_log": "1.00"}


def test_rows_per_post_are_the_tables_a_post_changed():
    result = ChannelResult(members=10, connected=2, seconds=1.0, rate=2.0, posts=2)
    result.counts_before = {"channel_messages": (5, 10), "channels": (1, 3), "users": (10, 10)}
    result.counts_after = {"channel_messages": (7, 12), "channels": (1, 5), "users": (10, 10)}
    assert result.per_post() == {"channel_messages": (1.0, 1.0), "channels": (0.0, 1.0)}
