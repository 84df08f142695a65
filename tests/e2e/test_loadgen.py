"""The load generator and the delivery benchmark keep working: each runs for about a second
against a real server process (SQLite, a few clients) and must deliver without errors."""

import subprocess
import sys

import pytest

from tools.cli import main
from tools.loadgen.cli import markdown_row
from tools.loadgen.delivery import DeliveryResult

from .server_process import ROOT, mtserver


def test_loadgen_delivers_messages_to_live_recipients(server):
    # Open loop here (--rate); the benchmark test below runs the closed loop.
    run = mtserver("loadgen", "--data-dir", str(server.data_dir), "--port", str(server.port), "--clients", "4",
                   "--seconds", "1", "--rate", "20", "--markdown", "--server-pid", str(server.proc.pid))
    assert run.returncode == 0, run.stdout + run.stderr
    summary, header, _, row = run.stdout.splitlines()
    assert "4 clients" in summary and "errors: 0" in summary
    assert header.startswith("| clients | delivered msg/s |")
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[0] == "4" and int(cells[1]) > 0 and 10 <= int(cells[5]) <= 30 and cells[6] == "0"
    assert cells[7].endswith("%") and float(cells[8]) > 0  # the server's CPU, read from /proc


def test_loadgen_rejects_an_odd_client_count(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["loadgen", "--clients", "3"])
    assert exit.value.code == 2 and "even number" in capsys.readouterr().err


def test_bench_delivery_prints_a_markdown_row(tmp_path):
    run = subprocess.run([sys.executable, "bench/bench_delivery.py", "--clients", "2", "--seconds", "1",
                          "--database", "sqlite"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("| database | load | clients |") and len(lines) == 3
    assert lines[2].startswith("| sqlite | closed, 1/sender | 2 | ")


def test_result_percentiles_and_row():
    result = DeliveryResult(clients=4, seconds=2.0, sent=5, delivered=4, latencies=[0.004, 0.001, 0.003, 0.002],
                            client_cpu=0.5)
    result.errors["NOT_DELIVERED"] += 1
    assert result.rate == 2
    assert (result.percentile(50), result.percentile(99), result.percentile(100)) == (2.0, 4.0, 4.0)
    assert markdown_row(result, "postgres") == "| postgres | 4 | 2 | 2.0 | 4.0 | 4.0 | 5 | NOT_DELIVERED 1 | – | – | 25% |"
    result.server_cpu = 0.02
    assert markdown_row(result).endswith("| 1% | 5.0 | 25% |")


def test_bench_media_loadgen_mode_moves_files_both_ways():
    # Two clients, 2 MB each (4 parts of 512 KB), against this tree as "before"
    # and "after": the sha256 is checked inside, the statement counts come from /metrics.
    run = subprocess.run([sys.executable, "bench/bench_media.py", "--size-mb", "2", "--clients", "2",
                          "--before", str(ROOT)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = [line for line in run.stdout.splitlines() if line.startswith("| before |") or line.startswith("| after |")]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1:3] == ["2", "4"] and float(cells[3]) > 0 and float(cells[4]) > 0
        assert float(cells[7]) >= 4 and float(cells[8]) >= 3  # SQL statements per part / per chunk
