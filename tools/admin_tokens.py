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


def add_token_parser(areas) -> None:
    token = areas.add_parser("token", help="admin API tokens").add_subparsers(dest="action", required=True)
    create = token.add_parser("create", help="make a token (shown once)")
    create.add_argument("--name", default="admin", help="who or what uses it (default: admin)")
    token.add_parser("list", help="list tokens")
    token.add_parser("revoke", help="revoke a token by id").add_argument("id", type=int)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _when(stamp: int | None) -> str:
    return "-" if stamp is None else time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp))


async def run_token(storage, args, out, error) -> int:
    now = int(time.time())
    if args.action == "create":
        name = args.name.strip()
        if not name or len(name) > NAME_MAX or not name.isprintable():
            raise error(f"the name must have 1 to {NAME_MAX} printable characters")
        token = new_token()
        record = await storage.admin_tokens.create(name, token, now)
        print(token, file=out)
        print(f"admin token {record.id} ({name}): shown once, keep it secret; "
              f"send it as 'Authorization: Bearer <token>'", file=sys.stderr)
    elif args.action == "list":
        for t in await storage.admin_tokens.list():
            state = f"revoked {_when(t.revoked_at)}" if t.revoked_at is not None else "active"
            print(f"{t.id}\t{t.name}\tcreated {_when(t.created_at)}\tlast used {_when(t.last_used_at)}\t{state}",
                  file=out)
    else:
        if not await storage.admin_tokens.revoke(args.id, now):
            raise error(f"no active token {args.id}")
        print(f"revoked admin token {args.id}", file=out)
    return 0
