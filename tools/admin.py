"""`mtserver admin ...`: operator commands against the server's storage.

    mtserver admin users list [--limit N]
    mtserver admin users create PHONE FIRST_NAME [LAST_NAME]
    mtserver admin users ban PHONE_OR_ID [--unban]
    mtserver admin users delete PHONE_OR_ID --yes
    mtserver admin sessions list PHONE_OR_ID
    mtserver admin sessions revoke PHONE_OR_ID [--all | --hash HASH]
    mtserver admin invites create [--count N]
    mtserver admin invites list
    mtserver admin broadcast TEXT [--to PHONE_OR_ID ...]
    mtserver admin updates prune [--days N]
    mtserver admin token create|list|revoke    (tools/admin_tokens.py: admin API tokens)

Every command takes --config FILE, --database URL, --data-dir DIR (before or after the
subcommand) and --json: lists print a table with a header row, or a JSON array of
objects; the others a sentence, or a JSON object.

They open the same storage the server uses (--database / MTSERVER_DATABASE, else the
embedded store in the data dir), so they work while the server runs. Revoked sessions
get AUTH_KEY_UNREGISTERED on their next request. `users delete` deletes the account
with its data (rpc/services/account_deletion.py: what goes, what stays). A broadcast is a message from the
service account (rpc/services/notifications.py) to every user, or to those named; with
Redis configured the users' live sessions get it at once, otherwise on their next
catch-up (updates.getDifference).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time

# trio, the storage and the RPC services are imported when a command runs: building the
# parser (every `mtserver` invocation does) must stay cheap, and `users list` never
# imports the TL classes (most of a command's start-up time).


def _shared_options(parser: argparse.ArgumentParser, *, leaf: bool) -> None:
    """--config, --database, --data-dir and --json, accepted before or after the subcommand.

    On the subcommands they default to "not given" (SUPPRESS), so that a value given
    before the subcommand is kept.
    """
    unset = argparse.SUPPRESS if leaf else None
    parser.add_argument("--config", metavar="FILE", default=unset, help="TOML settings file")
    parser.add_argument("--database", metavar="URL", default=unset,
                        help="storage URL (default: the embedded store in the data dir)")
    parser.add_argument("--data-dir", metavar="DIR", default=unset, help="data directory (default ./data)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS if leaf else False,
                        help="print JSON (lists: an array of objects) instead of a table")

from tools.admin_tokens import add_token_parser, run_token


def add_admin_parser(commands) -> None:
    admin = commands.add_parser("admin", help="manage users, sessions and invites")
    _shared_options(admin, leaf=False)
    areas = admin.add_subparsers(dest="area", required=True)

    def leaf(group, name: str, **kwargs) -> argparse.ArgumentParser:
        parser = group.add_parser(name, **kwargs)
        _shared_options(parser, leaf=True)
        return parser

    users = areas.add_parser("users").add_subparsers(dest="action", required=True)
    lst = leaf(users, "list")
    lst.add_argument("--limit", type=int, default=100)
    create = leaf(users, "create")
    create.add_argument("phone")
    create.add_argument("first_name")
    create.add_argument("last_name", nargs="?", default="")
    ban = leaf(users, "ban")
    ban.add_argument("user", help="phone number or user id")
    ban.add_argument("--unban", action="store_true")
    delete = leaf(users, "delete", help="delete the account with its data (it cannot be undone)")
    delete.add_argument("user", help="phone number or user id")
    delete.add_argument("--yes", action="store_true", required=True, help="yes, delete it")

    sessions = areas.add_parser("sessions").add_subparsers(dest="action", required=True)
    leaf(sessions, "list").add_argument("user")
    revoke = leaf(sessions, "revoke")
    revoke.add_argument("user")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true")
    which.add_argument("--hash", type=int)

    invites = areas.add_parser("invites").add_subparsers(dest="action", required=True)
    leaf(invites, "create").add_argument("--count", type=int, default=1)
    leaf(invites, "list")

    broadcast = leaf(areas, "broadcast", help="message every user (or --to) from the service account")
    broadcast.add_argument("text")
    broadcast.add_argument("--to", action="append", metavar="PHONE_OR_ID", help="only these users (repeatable)")

    add_token_parser(areas, leaf)

    updates = areas.add_parser("updates").add_subparsers(dest="action", required=True)
    prune = leaf(updates, "prune", help="forget update logs older than --days (default: update_log_days)")
    prune.add_argument("--days", type=float)


def run_admin(args: argparse.Namespace, config, out=None) -> int:
    import trio

    out = out or sys.stdout
    printer = Printer(out, as_json=getattr(args, "json", False))

    async def main() -> int:
        from storage import open_storage

        storage = await open_storage(config.database, config.data_dir)
        try:
            return await _dispatch(storage, args, printer, config)
        finally:
            await storage.close()

    from storage.groups import single_errors

    with single_errors():
        return trio.run(main)


class Printer:
    """What a command prints: a table with a header row or a message, or the same as JSON."""

    def __init__(self, out, *, as_json: bool):
        self.out = out
        self.as_json = as_json

    def table(self, headers: list[str], rows: list[dict]) -> None:
        """Rows are dicts keyed by the lower-case headers; JSON prints them as they are."""
        if self.as_json:
            print(json.dumps(rows, ensure_ascii=False), file=self.out)
            return
        keys = [h.lower() for h in headers]
        cells = [[_cell(row[k]) for k in keys] for row in rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
        for line in [headers, *cells]:
            print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip(), file=self.out)

    def result(self, text: str, **data) -> None:
        if self.as_json:
            print(json.dumps(data, ensure_ascii=False), file=self.out)
        else:
            print(text, file=self.out)


def _cell(value) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "yes"
    return " ".join(str(value).split())  # a name with a tab or newline stays on its line


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


# Commands that end sessions: the servers' memory of who is logged in on which key is
# emptied through the bus (server/authorization_cache.py); without Redis they see it
# within its TTL (10 s).
_ENDS_SESSIONS = {("users", "ban"), ("users", "delete"), ("sessions", "revoke")}
# Commands that change what user views show: the servers' memory of users' rows is
# emptied through the bus too (server/user_cache.py; without Redis: within 30 s).
_CHANGES_USERS = {("users", "ban"), ("users", "delete")}


async def _dispatch(storage, args, out: Printer, config) -> int:
    code = await _dispatch_one(storage, args, out, config)
    if (args.area, getattr(args, "action", None)) in _ENDS_SESSIONS and config.redis:
        from server.authorization_cache import announce_change
        from server.user_cache import announce_everyone_changed
        from storage.bus import open_bus
        from storage.bus.prefix import deployment_prefix

        prefix = await deployment_prefix(storage, config.redis_prefix)
        async with open_bus(config.redis, **({"prefix": prefix} if prefix else {})) as bus:
            await announce_change(bus)
            if (args.area, args.action) in _CHANGES_USERS:
                await announce_everyone_changed(bus)
    return code


async def _dispatch_one(storage, args, out: Printer, config) -> int:
    try:
        if args.area == "token":
            return await run_token(storage, args, out, AdminError)
        if args.area == "broadcast":
            return await _broadcast(storage, args, out, config)
        if args.area == "users" and args.action == "delete":
            return await _delete_user(storage, args, out, config)
        if args.area == "updates":
            days = config.update_log_days if args.days is None else args.days
            removed = await storage.messages.prune_update_logs_before(int(time.time() - days * 86400))
            out.result(f"removed {removed} logged update(s) older than {days:g} day(s)", removed=removed, days=days)
            return 0
        return await _run(storage, args, out)
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


async def _broadcast(storage, args, out: Printer, config) -> int:
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
    out.result(f"sent to {len(targets)} user(s)", sent=len(targets))
    return 0


async def _delete_user(storage, args, out: Printer, config) -> int:
    from types import SimpleNamespace

    from rpc.services.account_deletion import delete_account
    from rpc.services.service_account import SERVICE_USER_ID
    from storage.bus import open_bus
    from storage.bus.prefix import deployment_prefix
    from storage.objects import open_object_store

    user = await _user(storage, args.user)
    if user.id == SERVICE_USER_ID:
        raise AdminError("the service account cannot be deleted")
    objects = open_object_store(config.media_url, config.data_dir)
    prefix = await deployment_prefix(storage, config.redis_prefix) if config.redis else None
    try:
        # The bus tells the servers' live sessions (groups left, the account shown
        # deleted) when Redis is set; without it clients see it when they next catch up.
        async with open_bus(config.redis, **({"prefix": prefix} if prefix else {})) as bus:
            done = await delete_account(SimpleNamespace(storage=storage, bus=bus, objects=objects), user.id)
    finally:
        await objects.close()
    out.result(f"deleted user {user.id}: {done.devices_logged_out} device(s) logged out, left {done.groups_left}"
               f" group(s), {done.messages_deleted} message(s) of their box deleted",
               id=user.id, **{k: v for k, v in _asdict(done).items() if k != "user_id"})
    return 0


def _asdict(struct) -> dict:
    import msgspec

    return msgspec.structs.asdict(struct)


def _time(seconds: int | None) -> str | None:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(seconds)) if seconds else None


async def _run(storage, args, out: Printer) -> int:
    now = int(time.time())
    if args.area == "users":
        if args.action == "list":
            out.table(["ID", "PHONE", "NAME", "USERNAME", "BANNED", "DELETED", "CREATED"], [
                {"id": u.id, "phone": f"+{u.phone}" if u.phone else None,
                 "name": f"{u.first_name} {u.last_name}".strip(), "username": u.username, "banned": u.banned,
                 "deleted": u.deleted, "created": _time(u.created_at)}
                for u in await storage.users.list(0, args.limit)])
        elif args.action == "create":
            from rpc.errors import RpcError
            from rpc.services.phones import normalize_phone
            from storage import AlreadyExists

            try:
                phone = normalize_phone(args.phone)
            except RpcError:
                raise AdminError(f"invalid phone number {args.phone!r}") from None
            try:
                user = await storage.users.create(phone, args.first_name, args.last_name, now=now)
            except AlreadyExists:
                raise AdminError(f"+{phone} already has an account") from None
            out.result(f"created user {user.id} +{user.phone}", id=user.id, phone=f"+{user.phone}")
        elif args.action == "ban":
            user = await _user(storage, args.user)
            await storage.users.set_banned(user.id, not args.unban)
            revoked = 0
            if not args.unban:
                # A ban also ends every session of the account.
                for auth in await storage.authorizations.list_for_user(user.id):
                    await storage.authorizations.delete(auth.auth_key_id)
                    revoked += 1
            out.result(f"{'unbanned' if args.unban else 'banned'} user {user.id}",
                       id=user.id, banned=not args.unban, sessions_revoked=revoked)
    elif args.area == "sessions":
        user = await _user(storage, args.user)
        auths = await storage.authorizations.list_for_user(user.id)
        if args.action == "list":
            out.table(["HASH", "DEVICE", "SYSTEM", "APP", "API_ID", "IP", "ACTIVE"], [
                {"hash": a.hash, "device": a.device_model, "system": a.system_version,
                 "app": f"{a.app_name} {a.app_version}".strip(), "api_id": a.api_id, "ip": a.ip,
                 "active": _time(a.active_at)}
                for a in auths])
        else:
            targets = auths if args.all else [a for a in auths if a.hash == args.hash]
            if not targets:
                raise AdminError(f"user {user.id} has no session with hash {args.hash}")
            for a in targets:
                await storage.authorizations.delete(a.auth_key_id)
            out.result(f"revoked {len(targets)} session(s) of user {user.id}", id=user.id, revoked=len(targets))
    elif args.area == "invites":
        from storage.models import InviteRecord

        if args.action == "create":
            codes = []
            for _ in range(max(1, args.count)):
                code = secrets.token_urlsafe(9)
                await storage.invites.create(InviteRecord(code=code, created_at=now))
                codes.append(code)
            out.result("\n".join(codes), codes=codes)
        else:
            out.table(["CODE", "CREATED", "USED_BY", "USED_AT"], [
                {"code": i.code, "created": _time(i.created_at), "used_by": i.used_by,
                 "used_at": _time(i.used_at)}
                for i in await storage.invites.list()])
    return 0
