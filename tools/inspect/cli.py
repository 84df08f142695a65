"""The `mtserver inspect` command (also `python -m tools.inspect`).

    mtserver inspect PATH...                 timeline of capture files / directories
                     [--method PATTERN] [--user ID] [--auth-key ID] [--errors]
                     [--no-service] [--full] [--ids] [--color auto|always|never]
                     [--follow]              keep reading as the capture grows
                     [--stats]               per-method counts and latency percentiles
    mtserver inspect --decode PAYLOAD [--layer N]    a hex/base64 TL payload, read

Exit codes: 0, 1 when a payload does not decode or a path is missing, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .filters import Filter, parse_auth_key


def add_inspect_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser("inspect", help="read protocol captures (mtserver run --capture) or decode a payload",
                                 description="Read protocol captures: a timeline, filters, statistics; or decode "
                                             "a raw TL payload for a layer.")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="capture files or capture directories")
    parser.add_argument("--method", action="append", default=[], metavar="PATTERN",
                        help="only these methods (fnmatch: messages.*); repeatable")
    parser.add_argument("--user", action="append", default=[], type=int, metavar="ID", help="only this user id")
    parser.add_argument("--auth-key", action="append", default=[], type=parse_auth_key, metavar="ID",
                        help="only this auth key: decimal as in the records, or key-HEX as in file names")
    parser.add_argument("--errors", action="store_true",
                        help="only RPC errors, bad_msg_notification/bad_server_salt and undecodable messages")
    parser.add_argument("--no-service", action="store_true", help="leave out acks, pings, containers")
    parser.add_argument("--full", action="store_true", help="print each TL object in full (JSON)")
    parser.add_argument("--ids", action="store_true", help="show msg_ids instead of short #numbers")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing what is appended")
    parser.add_argument("--stats", action="store_true", help="per-method calls, errors and latency percentiles")
    parser.add_argument("--json", action="store_true", help="print the selected records as JSON lines")
    parser.add_argument("--decode", metavar="PAYLOAD", help="decode a hex or base64 TL payload instead")
    parser.add_argument("--layer", type=int, metavar="N", help="the layer of --decode's payload (default: newest)")


def run_inspect(args: argparse.Namespace, out=None) -> int:
    out = out or sys.stdout
    if args.decode is not None:
        return _decode(args, out)
    if not args.paths:
        print("mtserver inspect: give capture files or directories, or --decode PAYLOAD", file=sys.stderr)
        return 2
    from .reader import Reader
    from .stats import Stats
    from .timeline import Timeline

    chosen = Filter(methods=args.method, users=set(args.user), auth_keys=set(args.auth_key), errors=args.errors)
    color = args.color == "always" or (args.color == "auto" and out.isatty() and not os.environ.get("NO_COLOR"))
    reader = Reader()
    try:
        records = reader.follow(args.paths) if args.follow else reader.records(args.paths)
        if args.stats and not args.follow:
            stats = Stats()
            for record in records:
                if chosen(record):
                    stats.add(record)
            print(stats.table(), file=out)
        else:
            timeline = Timeline(color=color, full=args.full, ids=args.ids, service=not args.no_service)
            for record in records:
                if not chosen(record):
                    continue
                line = json.dumps(record, ensure_ascii=False) if args.json else timeline.line(record)
                if line is not None:
                    print(line, file=out, flush=args.follow)
    except FileNotFoundError as exc:
        print(f"mtserver inspect: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, BrokenPipeError):
        return 0
    if reader.bad_lines:
        print(f"mtserver inspect: {reader.bad_lines} lines were not records (skipped)", file=sys.stderr)
    return 0


def _decode(args: argparse.Namespace, out) -> int:
    import tl

    from .decode import DecodeFailure, decode_payload, payload_bytes

    layer = args.layer
    if layer is not None and layer not in tl.SHIPPED_LAYERS:
        layer = tl.serving_layer(layer)
    try:
        value = decode_payload(payload_bytes(args.decode), layer)
    except DecodeFailure as exc:
        print(f"mtserver inspect: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(value, indent=2, ensure_ascii=False), file=out)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.inspect", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_inspect(parser.parse_args(argv))


__all__ = ["add_inspect_parser", "run_inspect", "main"]
