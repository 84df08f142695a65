"""`mtserver loadgen` (or `python -m tools.loadgen`): load a running server with message
delivery and print what it sustained.

    mtserver loadgen --port 8443 --clients 100 --seconds 10 [--database URL | --data-dir D]
                     [--host 127.0.0.1] [--window 1 | --rate R] [--timeout 60] [--markdown]

It creates ``--clients`` logged-in accounts in the server's storage (the one --database /
the data dir names, as `mtserver admin` does; see tools/loadgen/accounts.py), connects them
to ``--host:--port`` and runs tools/loadgen/delivery.py. Raise the open-file limit
(`ulimit -n`) above the client count for large runs; the server's ``max_connections``
(default 10,000) bounds how many it accepts.

Exit status: 0 when every message was delivered without errors, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .delivery import DeliveryResult

# The rest (trio, the TL classes, storage) is imported when the command runs: every other
# `mtserver` command builds this parser too and should not pay for them.

_COLUMNS = ("clients", "delivered msg/s", "p50 ms", "p99 ms", "max ms", "sent", "errors", "server CPU",
            "server CPU ms/msg", "client CPU")


def add_loadgen_parser(commands) -> None:
    parser = commands.add_parser("loadgen", help="measure message delivery against a running server")
    add_arguments(parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (for the storage and port)")
    parser.add_argument("--data-dir", help="the server's data directory (default ./data)")
    parser.add_argument("--database", metavar="URL", help="the server's storage URL (default: SQLite in the data dir)")
    parser.add_argument("--host", default="127.0.0.1", help="server address (default 127.0.0.1)")
    parser.add_argument("--port", help="server port (default: the configured port)")
    parser.add_argument("--clients", type=_positive_even, default=100,
                        help="connections; half send, each to its own recipient (default 100)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window (default 10)")
    parser.add_argument("--window", type=int, default=1, help="messages in flight per sender (default 1)")
    parser.add_argument("--rate", type=float,
                        help="open loop: messages per second, all senders together (default: closed loop)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds from sending to arrival before a message is lost (default 60)")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table row too")
    parser.add_argument("--server-pid", type=int, help="the server's process id, to report its CPU time (Linux)")


def _positive_even(text: str) -> int:
    value = int(text)
    if value < 2 or value % 2:
        raise argparse.ArgumentTypeError(f"expected an even number >= 2, got {text}")
    return value


def run_loadgen(args: argparse.Namespace, config, out=None) -> int:
    import trio

    out = out or sys.stdout
    port = int(args.port) if args.port else config.port
    result = trio.run(measure, config.database, config.data_dir, args.host, port, args.clients, args.seconds,
                      args.window, args.timeout, args.server_pid, args.rate)
    print(result.summary(), file=out)
    if args.markdown:
        print(markdown_header(), file=out)
        print(markdown_row(result), file=out)
    return 0 if not result.errors and result.delivered > 0 else 1


async def measure(database: str | None, data_dir: str, host: str, port: int, clients: int, seconds: float,
                  window: int = 1, timeout: float = 60.0, server_pid: int | None = None,
                  rate: float | None = None) -> DeliveryResult:
    """Accounts in the server's storage, then the delivery run against host:port."""
    from .delivery import run_delivery

    accounts = await prepare_accounts(database, data_dir, clients)
    return await run_delivery(host, port, accounts, seconds=seconds, window=window, rate=rate, timeout=timeout,
                              server_pid=server_pid)


async def prepare_accounts(database: str | None, data_dir: str, count: int):

    from storage import open_storage

    from .accounts import create_accounts

    storage = await open_storage(database, data_dir)
    try:
        return await create_accounts(storage, count)
    finally:
        await storage.close()


def raise_file_limit(clients: int, who: str = "loadgen") -> None:
    """Each client is a socket here and one in a server started from here (which inherits
    this limit): raise the soft limit of open files to fit, or exit saying why not."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = clients + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            sys.exit(f"{who}: {clients} clients need {wanted} open files, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def markdown_header(*leading: str) -> str:
    """The table header for :func:`markdown_row`, with ``leading`` extra columns first."""
    names = [*leading, *_COLUMNS]
    aligns = ["---"] * len(leading) + ["---:"] * 6 + ["---", "---:", "---:", "---:"]
    return "| " + " | ".join(names) + " |\n|" + "|".join(aligns) + "|"


def markdown_row(result: DeliveryResult, *leading: str) -> str:
    """CPU is a share of one core over the window (100% = one core busy); per message, the
    server's CPU time in the window over the messages delivered in it."""
    server_cpu, per_message = "–", "–"
    if result.server_cpu is not None:
        server_cpu = f"{result.server_cpu / result.seconds:.0%}"
        if result.delivered:
            per_message = f"{result.server_cpu / result.delivered * 1000:.1f}"
    cells = [*leading, str(result.clients), f"{result.rate:.0f}", f"{result.percentile(50):.1f}",
             f"{result.percentile(99):.1f}", f"{result.percentile(100):.1f}", str(result.sent), result.errors_text(),
             server_cpu, per_message, f"{result.client_cpu / result.seconds:.0%}"]
    return "| " + " | ".join(cells) + " |"


__all__ = ["add_arguments", "add_loadgen_parser", "markdown_header", "markdown_row", "measure", "prepare_accounts",
           "raise_file_limit", "run_loadgen"]
