"""`mtserver admin ...`: operator commands against the server's storage.

    mtserver admin users list [--limit N]
    mtserver admin users create PHONE FIRST_NAME [LAST_NAME]
    mtserver admin users ban PHONE_OR_ID [--unban]
    mtserver admin sessions list PHONE_OR_ID
    mtserver admin sessions revoke PHONE_OR_ID [--all | --hash HASH]
    mtserver admin invites create [--count N]
    mtserver admin invites list
    mtserver admin broadcast TEXT [--to PHONE_OR_ID ...]
    mtserver admin updates prune [--days N]
    mtserver admin token create|list|revoke    (tools/admin_tokens.py: admin API tokens)

They open the same storage the server uses (--database / MTSERVER_DATABASE, else the
embedded store in the data dir), so they work while the server runs. Revoked sessions
get AUTH_KEY_UNREGISTERED on their next request. A broadcast is a message from the
service account (rpc/services/notifications.py) to every user, or to those named; with
Redis configured the users' live sessions get it at once, otherwise on their next
catch-up (updates.getDifference).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time

import trio
import trio_asyncio

from tools.admin_tokens import add_token_parser, run_token


def add_admin_parser(commands) -> None:
    admin = commands.add_parser("admin", help="manage users, sessions and invites")
    admin.add_argument("--database", help="storage URL (default: the embedded store in the data dir)")
    admin.add_argument("--data-dir", help="data directory (default ./data)")
    admin.add_argument("--config", metavar="FILE", help="TOML settings file")
    areas = admin.add_subparsers(dest="area", required=True)

    users = areas.add_parser("users").add_subparsers(dest="action", required=True)
    lst = users.add_parser("list")
    lst.add_argument("--limit", type=int, default=100)
    create = users.add_parser("create")
    create.add_argument("phone")
    create.add_argument("first_name")
    create.add_argument("last_name", nargs="?", default="")
    ban = users.add_parser("ban")
    ban.add_argument("user", help="phone number or user id")
    ban.add_argument("--unban", action="store_true")

    sessions = areas.add_parser("sessions").add_subparsers(dest="action", required=True)
    sessions.add_parser("list").add_argument("user")
    revoke = sessions.add_parser("revoke")
    revoke.add_argument("user")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true")
    which.add_argument("--hash", type=int)

    invites = areas.add_parser("invites").add_subparsers(dest="action", required=True)
    invites.add_parser("create").add_argument("--count", type=int, default=1)
    invites.add_parser("list")

    broadcast = areas.add_parser("broadcast", help="message every user (or --to) from the service account")
    broadcast.add_argument("text")
    broadcast.add_argument("--to", action="append", metavar="PHONE_OR_ID", help="only these users (repeatable)")

    add_token_parser(areas)

    updates = areas.add_parser("updates").add_subparsers(dest="action", required=True)
    prune = updates.add_parser("prune", help="forget update logs older than --days (default: update_log_days)")
    prune.add_argument("--days", type=float)


def run_admin(args: argparse.Namespace, config, out=None) -> int:
    out = out or sys.stdout

    async def main() -> int:
        from storage import open_storage

        async with trio_asyncio.open_loop():
            storage = await open_storage(config.database, config.data_dir)
            try:
                return await _dispatch(storage, args, out, config)
            finally:
                await storage.close()

    from storage.groups import single_errors

    with single_errors():
        return trio.run(main)


class AdminError(Exception):
    pass


async def _user(storage, ref: str):
    from rpc.services.phones import ascii_digits, normalize_phone

    user = None
    digits = ascii_digits(ref.strip())
    if digits and len(digits) <= 10 and int(digits) >= 1000000:
        user = await storage.users.get(int(digits))
    if user is None:
        try:
            user = await storage.users.by_phone(normalize_phone(ref))
        except Exception:
            user = None
    if user is None:
        raise AdminError(f"no user {ref!r}")
    return user


async def _dispatch(storage, args, out, config) -> int:
    try:
        if args.area == "token":
            return await run_token(storage, args, out, AdminError)
        if args.area == "broadcast":
            return await _broadcast(storage, args, out, config)
        if args.area == "updates":
            days = config.update_log_days if args.days is None else args.days
            removed = await storage.messages.prune_update_logs_before(int(time.time() - days * 86400))
            print(f"removed {removed} logged update(s) older than {days:g} day(s)", file=out)
            return 0
        return await _run(storage, args, out)
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


async def _broadcast(storage, args, out, config) -> int:
    from types import SimpleNamespace

    from rpc.services.notifications import ensure_service_user, notify
    from rpc.services.service_account import SERVICE_USER_ID
    from storage.bus import open_bus
    from storage.bus.prefix import deployment_prefix

    text = args.text.strip()
    if not text or len(text) > 4096:
        raise AdminError("the text must have 1 to 4096 characters")
    if args.to:
        targets = [await _user(storage, ref) for ref in args.to]
    else:
        targets, offset = [], 0
        while page := await storage.users.list(offset, 1000):
            targets += page
            offset += len(page)
    targets = [u for u in targets if not (u.deleted or u.banned) and u.id != SERVICE_USER_ID]
    await ensure_service_user(storage, config.service_name)
    prefix = await deployment_prefix(storage, config.redis_prefix) if config.redis else None
    async with open_bus(config.redis, **({"prefix": prefix} if prefix else {})) as bus:
        services = SimpleNamespace(storage=storage, bus=bus)
        for user in targets:
            await notify(services, user.id, text)
    print(f"sent to {len(targets)} user(s)", file=out)
    return 0


async def _run(storage, args, out) -> int:
    from rpc.services.phones import normalize_phone
    from rpc.errors import RpcError

    now = int(time.time())
    if args.area == "users":
        if args.action == "list":
            for u in await storage.users.list(0, args.limit):
                flags = " banned" if u.banned else ""
                print(f"{u.id}\t+{u.phone}\t{u.first_name} {u.last_name}".rstrip() + f"\t@{u.username or ''}{flags}", file=out)
        elif args.action == "create":
            try:
                phone = normalize_phone(args.phone)
            except RpcError:
                raise AdminError(f"invalid phone number {args.phone!r}") from None
            from storage import AlreadyExists

            try:
                user = await storage.users.create(phone, args.first_name, args.last_name, now=now)
            except AlreadyExists:
                raise AdminError(f"+{phone} already has an account") from None
            print(f"created user {user.id} +{user.phone}", file=out)
        elif args.action == "ban":
            user = await _user(storage, args.user)
            await storage.users.set_banned(user.id, not args.unban)
            if not args.unban:
                # A ban also ends every session of the account.
                for auth in await storage.authorizations.list_for_user(user.id):
                    await storage.authorizations.delete(auth.auth_key_id)
            print(f"{'unbanned' if args.unban else 'banned'} user {user.id}", file=out)
    elif args.area == "sessions":
        user = await _user(storage, args.user)
        auths = await storage.authorizations.list_for_user(user.id)
        if args.action == "list":
            for a in auths:
                print(f"{a.hash}\t{a.device_model}\t{a.system_version}\tapi_id={a.api_id}\t{a.ip}\t"
                      f"active {time.strftime('%Y-%m-%d %H:%M', time.gmtime(a.active_at))}", file=out)
        else:
            targets = auths if args.all else [a for a in auths if a.hash == args.hash]
            if not targets:
                raise AdminError(f"user {user.id} has no session with hash {args.hash}")
            for a in targets:
                await storage.authorizations.delete(a.auth_key_id)
            print(f"revoked {len(targets)} session(s) of user {user.id}", file=out)
    elif args.area == "invites":
        from storage.models import InviteRecord

        if args.action == "create":
            for _ in range(max(1, args.count)):
                code = secrets.token_urlsafe(9)
                await storage.invites.create(InviteRecord(code=code, created_at=now))
                print(code, file=out)
        else:
            for i in await storage.invites.list():
                used = f"used by {i.used_by}" if i.used_by else "unused"
                print(f"{i.code}\t{used}", file=out)
    return 0
