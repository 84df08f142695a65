"""`mtserver admin token ...`: bearer tokens for the admin API (server/admin_api.py).

    mtserver admin token create [--name NAME]   prints a new token, once
    mtserver admin token list                    id, name, created, last used, revoked
    mtserver admin token revoke ID               its next API call gets 403

A token is 32 random bytes (URL-safe base64, prefixed ``mta_`` so that it is
recognisable in a secret scanner); the database keeps only its SHA-256.
"""

from __future__ import annotations

import secrets
import sys
import time

TOKEN_PREFIX = "mta_"
NAME_MAX = 64


def add_token_parser(areas, leaf) -> None:
    """`leaf(group, name)` makes a subcommand with the admin commands' shared options."""
    token = areas.add_parser("token", help="admin API tokens").add_subparsers(dest="action", required=True)
    create = leaf(token, "create", help="make a token (shown once)")
    create.add_argument("--name", default="admin", help="who or what uses it (default: admin)")
    leaf(token, "list", help="list tokens")
    leaf(token, "revoke", help="revoke a token by id").add_argument("id", type=int)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _when(stamp: int | None) -> str:
    return "-" if stamp is None else time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp))


async def run_token(storage, args, out, error) -> int:
    """`out` is tools.admin.Printer: a table or a message, or JSON with --json."""
    now = int(time.time())
    if args.action == "create":
        name = args.name.strip()
        if not name or len(name) > NAME_MAX or not name.isprintable():
            raise error(f"the name must have 1 to {NAME_MAX} printable characters")
        token = new_token()
        record = await storage.admin_tokens.create(name, token, now)
        out.result(token, id=record.id, name=name, token=token)
        print(f"admin token {record.id} ({name}): shown once, keep it secret; "
              f"send it as 'Authorization: Bearer <token>'", file=sys.stderr)
    elif args.action == "list":
        out.table(["ID", "NAME", "CREATED", "LAST_USED", "STATE"], [
            {"id": t.id, "name": t.name, "created": _when(t.created_at), "last_used": _when(t.last_used_at),
             "state": f"revoked {_when(t.revoked_at)}" if t.revoked_at is not None else "active"}
            for t in await storage.admin_tokens.list()])
    else:
        if not await storage.admin_tokens.revoke(args.id, now):
            raise error(f"no active token {args.id}")
        out.result(f"revoked admin token {args.id}", id=args.id, revoked=True)
    return 0
