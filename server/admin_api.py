"""The admin API's endpoints: JSON in, JSON out, under ``/admin/api/`` of the operators'
HTTP listener (server/admin_http.py does HTTP, the token check and the console page).

    GET    /admin/api/me                          the calling token
    GET    /admin/api/users?q=QUERY               search: id, phone, @username or name
    GET    /admin/api/users/ID                    one user, with their device count
    DELETE /admin/api/users/ID                    delete the account with its data
    POST   /admin/api/users/ID/ban                ban: also logs out every device
    POST   /admin/api/users/ID/unban
    POST   /admin/api/users/ID/logout             log out every device
    GET    /admin/api/users/ID/sessions           their devices
    DELETE /admin/api/users/ID/sessions           log out every device
    DELETE /admin/api/users/ID/sessions/HASH      log out one device
    GET    /admin/api/invites                     invite codes
    POST   /admin/api/invites                     {"count": N}: new codes
    GET    /admin/api/registration                who may sign up
    GET    /admin/api/settings                    the settings that change at run time
    PUT    /admin/api/settings                    {"log_level": "debug", ...}: at once, every process
    GET    /admin/api/capture                     protocol capture: configured, on/off, filters
    PUT    /admin/api/capture                     {"enabled", "users", "phones", "auth_keys", "methods", "mask_text"}
    POST   /admin/api/broadcast                   {"text": "...", "to": [ID, ...]?}: from the service account
    GET    /admin/api/reports?state=open|resolved&before=ID
    POST   /admin/api/reports/ID/dismiss
    POST   /admin/api/reports/ID/delete           delete the reported messages for everyone
    POST   /admin/api/reports/ID/ban              ban the reported messages' author (or the reported user)
    GET    /admin/api/stats                       users, activity, messages per day, groups, storage

Deleting an account is rpc/services/account_deletion.py's (what goes and what stays is
listed there). Session hashes are int64 and travel as strings (JSON numbers lose
precision past 2^53 in browsers).

Handlers get the server's state and the calling token; what they change is logged as
``admin_action`` with the token's name and the ids involved, never message text.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

import msgspec
import structlog
import trio

from rpc.services.account_deletion import delete_account
from rpc.services.moderation import delete_for_everyone, log_out_everywhere, set_banned
from rpc.services.notifications import notify
from rpc.errors import RpcError
from rpc.services.phones import normalize_phone
from rpc.services.registration import policy_of
from rpc.services.service_account import SERVICE_USER_ID
from server.capture.control import CaptureControl
from storage.admin_tokens import AdminTokenRecord
from storage.peer import PeerKind

from . import runtime_settings
from .admin_auth import token_view

log = structlog.get_logger("mtserver.admin_api")

SEARCH_LIMIT = 20
REPORTS_PAGE = 50
MESSAGE_PREVIEW = 1000  # characters of a reported message shown to moderators
TEXT_MAX = 4096
INVITES_MAX = 100


class ApiError(Exception):
    def __init__(self, status: int, error: str):
        super().__init__(error)
        self.status = status
        self.error = error


class Request:
    """One authenticated call; ``nursery`` runs what outlives it (a broadcast)."""

    def __init__(self, method: str, path: str, query: dict[str, str], body: bytes, token: AdminTokenRecord,
                 nursery: trio.Nursery):
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.token = token
        self.nursery = nursery


UserId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]


class BroadcastIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(max_length=TEXT_MAX * 2)]
    to: Annotated[list[UserId], msgspec.Meta(max_length=1000)] | None = None


class InvitesIn(msgspec.Struct, forbid_unknown_fields=True):
    count: int = 1


Handler = Callable[..., Awaitable[tuple[int, object]]]
_ROUTES: list[tuple[str, re.Pattern, Handler]] = []


def route(method: str, pattern: str):
    def register(fn: Handler) -> Handler:
        _ROUTES.append((method, re.compile(f"^/admin/api{pattern}$"), fn))
        return fn

    return register


async def handle(state, request: Request) -> tuple[int, object]:
    """(status, JSON-able body) for one authenticated call."""
    allowed = []
    for method, pattern, fn in _ROUTES:
        match = pattern.match(request.path)
        if match is None:
            continue
        if method != request.method:
            allowed.append(method)
            continue
        ids = [int(g) for g in match.groups()]
        if any(not -2**63 <= i < 2**63 for i in ids):
            return 404, {"error": "no such object (ids are 64-bit)"}
        try:
            return await fn(state, request, *ids)
        except ApiError as exc:
            return exc.status, {"error": exc.error}
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return 400, {"error": f"bad JSON body: {exc}"}
    if allowed:
        return 405, {"error": f"use {', '.join(sorted(set(allowed)))}"}
    return 404, {"error": "no such endpoint", "see": "/admin/api/ (README: Admin API and console)"}


def _audit(request: Request, action: str, level: str = "info", **ids) -> None:
    # "by", not "token": fields named like secrets are masked in logs (server/log_redaction.py).
    getattr(log, level)("admin_action", action=action, by=request.token.name, by_id=request.token.id, **ids)


def _body(request: Request, kind: type):
    return msgspec.json.decode(request.body or b"{}", type=kind)


# -- users ------------------------------------------------------------------------------


def user_view(user) -> dict:
    return {"id": user.id, "phone": user.phone, "first_name": user.first_name, "last_name": user.last_name,
            "username": user.username, "banned": user.banned, "deleted": user.deleted,
            "created_at": user.created_at, "last_seen": user.last_seen}


def session_view(auth) -> dict:
    return {"hash": str(auth.hash), "device_model": auth.device_model, "platform": auth.platform,
            "system_version": auth.system_version, "app_name": auth.app_name, "app_version": auth.app_version,
            "api_id": auth.api_id, "ip": auth.ip, "country": auth.country, "created_at": auth.created_at,
            "active_at": auth.active_at, "password_pending": auth.password_pending}


async def find_users(storage, query: str) -> list:
    """By id, phone, @username, or username/name search; each user once, exact matches first."""
    query = query.strip()
    found: dict[int, object] = {}
    compact = re.sub(r"[\s()+.\-]", "", query)
    if compact.isascii() and compact.isdigit():
        if len(compact) <= 18 and (user := await storage.users.get(int(compact))) is not None:
            found[user.id] = user
        try:
            phone = normalize_phone(query)
        except RpcError:
            phone = None
        if phone and (user := await storage.users.by_phone(phone)) is not None:
            found.setdefault(user.id, user)
    name = query.removeprefix("@")
    if name:
        if (user := await storage.users.by_username(name)) is not None:
            found.setdefault(user.id, user)
        if not query.startswith("@"):
            for user in await storage.users.search(name, SEARCH_LIMIT):
                found.setdefault(user.id, user)
    return list(found.values())[:SEARCH_LIMIT]


async def _user(storage, user_id: int):
    user = await storage.users.get(user_id)
    if user is None or user.id == SERVICE_USER_ID:
        raise ApiError(404, f"no user {user_id}")
    return user


@route("GET", "/me")
async def me(state, request):
    return 200, token_view(request.token)


@route("GET", "/users")
async def search_users(state, request):
    query = request.query.get("q", "")
    if not query.strip():
        raise ApiError(400, "give ?q= an id, a phone number, a @username or a name")
    if len(query) > 100:
        raise ApiError(400, "the query is too long")
    return 200, {"users": [user_view(u) for u in await find_users(state.storage, query)]}


@route("GET", r"/users/(\d{1,19})")
async def get_user(state, request, user_id: int):
    user = await _user(state.storage, user_id)
    sessions = await state.storage.authorizations.list_for_user(user_id)
    return 200, {**user_view(user), "about": user.about, "sessions": len(sessions)}


@route("DELETE", r"/users/(\d{1,19})")
async def delete_user(state, request, user_id: int):
    """The account and its data go (a deleted account keeps only its id); its phone
    may sign up again. Deleting a deleted account finishes an interrupted deletion."""
    await _user(state.storage, user_id)
    done = await delete_account(state, user_id)
    if done is None:
        raise ApiError(404, f"no user {user_id}")
    _audit(request, "delete_account", user_id=user_id, logged_out=done.devices_logged_out)
    return 200, {**msgspec.structs.asdict(done), "deleted": True}


@route("POST", r"/users/(\d{1,19})/ban")
async def ban_user(state, request, user_id: int):
    await _user(state.storage, user_id)
    logged_out = await set_banned(state.storage, user_id, True)
    _audit(request, "ban", user_id=user_id, logged_out=logged_out)
    return 200, {"user_id": user_id, "banned": True, "logged_out": logged_out}


@route("POST", r"/users/(\d{1,19})/unban")
async def unban_user(state, request, user_id: int):
    await _user(state.storage, user_id)
    await set_banned(state.storage, user_id, False)
    _audit(request, "unban", user_id=user_id)
    return 200, {"user_id": user_id, "banned": False}


@route("POST", r"/users/(\d{1,19})/logout")
async def log_out_user(state, request, user_id: int):
    return await _revoke_all(state, request, user_id)


@route("GET", r"/users/(\d{1,19})/sessions")
async def list_sessions(state, request, user_id: int):
    await _user(state.storage, user_id)
    return 200, {"sessions": [session_view(a) for a in await state.storage.authorizations.list_for_user(user_id)]}


@route("DELETE", r"/users/(\d{1,19})/sessions")
async def revoke_all_sessions(state, request, user_id: int):
    return await _revoke_all(state, request, user_id)


async def _revoke_all(state, request, user_id: int):
    await _user(state.storage, user_id)
    count = await log_out_everywhere(state.storage, user_id)
    _audit(request, "log_out_everywhere", user_id=user_id, logged_out=count)
    return 200, {"user_id": user_id, "logged_out": count}


@route("DELETE", r"/users/(\d{1,19})/sessions/(-?\d{1,19})")
async def revoke_session(state, request, user_id: int, hash_: int):
    await _user(state.storage, user_id)
    auth = await state.storage.authorizations.by_hash(user_id, hash_)
    if auth is None or auth.parent_auth_key_id:
        raise ApiError(404, f"user {user_id} has no session {hash_}")
    await state.storage.authorizations.delete(auth.auth_key_id)
    _audit(request, "log_out", user_id=user_id)
    return 200, {"user_id": user_id, "logged_out": 1}


# -- sign-up: invites and the registration policy -----------------------------------------


@route("GET", "/invites")
async def list_invites(state, request):
    invites = await state.storage.invites.list()
    return 200, {"invites": [msgspec.structs.asdict(i) for i in invites]}


@route("POST", "/invites")
async def create_invites(state, request):
    from storage.models import InviteRecord

    count = _body(request, InvitesIn).count
    if not 1 <= count <= INVITES_MAX:
        raise ApiError(400, f"count must be 1 to {INVITES_MAX}")
    now = int(time.time())
    codes = []
    for _ in range(count):
        code = secrets.token_urlsafe(9)
        await state.storage.invites.create(InviteRecord(code=code, created_at=now))
        codes.append(code)
    _audit(request, "create_invites", count=count)
    return 201, {"codes": codes}


@route("GET", "/registration")
async def registration(state, request):
    config = state.config
    invites = await state.storage.invites.list()
    return 200, {"policy": policy_of(config), "allowlist_entries": len(config.registration_allowlist or ()),
                 "invites_unused": sum(1 for i in invites if i.used_by is None),
                 "changeable_at_run_time": True,
                 "how_to_change": "PUT /admin/api/settings {\"registration\": \"open|allowlist|invite\"} (until a "
                                  "restart); MTSERVER_REGISTRATION for good"}


# -- settings that change at run time (server/runtime_settings.py) --------------------------


def _settings_view(state, published: bool | None = None) -> dict:
    view = {"settings": runtime_settings.current(state.config), "fields": runtime_settings.describe(),
            "applies_to": "every server process running now (over the bus), until it restarts: "
                          "put lasting changes in the configuration too"}
    if published is not None:
        view["published_to_other_processes"] = published
    return view


@route("GET", "/settings")
async def get_settings(state, request):
    return 200, _settings_view(state)


@route("PUT", "/settings")
async def put_settings(state, request):
    try:
        values = runtime_settings.checked(msgspec.json.decode(request.body or b"null"))
    except runtime_settings.SettingsError as exc:
        raise ApiError(400, str(exc)) from None
    changed = runtime_settings.apply(state, values)
    published = await runtime_settings.publish(state, values)
    # A warning, so that a change of the log level to "warning" is in the log too.
    _audit(request, "settings", level="warning", **runtime_settings.loggable(changed))
    return 200, _settings_view(state, published)


# -- protocol capture ------------------------------------------------------------------


@route("GET", "/capture")
async def capture_status(state, request):
    capture = state.capture
    if capture is None:
        return 200, {"configured": False, "how_to_configure": "set MTSERVER_CAPTURE_DIR (or run --capture DIR)"}
    return 200, {"configured": True, **msgspec.to_builtins(capture.control)}


@route("PUT", "/capture")
async def set_capture(state, request):
    """Switch capture on or off and set its filters at run time (the same fields as the
    capture directory's control.json)."""
    if state.capture is None:
        raise ApiError(409, "capture is not configured: set MTSERVER_CAPTURE_DIR and restart")
    control = _body(request, CaptureControl)
    state.capture.apply(control)
    _audit(request, "capture", enabled=control.enabled)
    return 200, {"configured": True, **msgspec.to_builtins(control)}


# -- broadcasts -------------------------------------------------------------------------


@route("POST", "/broadcast")
async def broadcast(state, request):
    body = _body(request, BroadcastIn)
    text = body.text.strip()
    if not text or len(text) > TEXT_MAX:
        raise ApiError(400, f"the text must have 1 to {TEXT_MAX} characters")
    storage = state.storage
    if body.to is not None:
        if not body.to or len(body.to) > 1000:
            raise ApiError(400, "to: 1 to 1000 user ids, or leave it out for everyone")
        targets = await storage.users.get_many(body.to)
        missing = sorted(set(body.to) - {u.id for u in targets})
        if missing:
            raise ApiError(404, f"no such users: {missing[:10]}")
    else:
        targets, offset = [], 0
        while page := await storage.users.list(offset, 1000):
            targets += page
            offset += len(page)
    recipients = [u.id for u in targets if not (u.deleted or u.banned) and u.id != SERVICE_USER_ID]
    _audit(request, "broadcast", recipients=len(recipients))
    # Sent in the background: a broadcast to many users outlasts an HTTP exchange.
    request.nursery.start_soon(_send_all, state, recipients, text)
    return 202, {"recipients": len(recipients)}


async def _send_all(state, user_ids: list[int], text: str) -> None:
    sent = 0
    for user_id in user_ids:
        try:
            await notify(state, user_id, text)
            sent += 1
        except Exception:
            log.exception("admin_broadcast_failed", user_id=user_id)
        await trio.lowlevel.checkpoint()
    log.info("admin_broadcast_done", sent=sent, recipients=len(user_ids))


# -- reports ----------------------------------------------------------------------------


async def report_view(storage, report) -> dict:
    messages = await storage.messages.get(report.reporter_id, report.message_ids) if report.message_ids else []
    people = {report.reporter_id, *(m.from_id for m in messages)}
    reported = report.peer
    if reported.is_user:
        people.add(reported.id)
    users = {u.id: u for u in await storage.users.get_many(sorted(people))}
    peer = None
    match reported.kind:
        case PeerKind.USER if reported.id in users:
            peer = {"type": "user", **_person(users[reported.id])}
        case PeerKind.CHAT:
            chat = await storage.chats.get(reported.id)
            peer = {"type": "group", "id": reported.id, "title": chat.title if chat else None}
    return {
        "id": report.id, "reason": report.reason, "comment": report.comment, "created_at": report.created_at,
        # peer_id: the stored key, as this API has always shown it; "peer" says what it is.
        "reporter": _person(users.get(report.reporter_id), report.reporter_id), "peer_id": reported.key,
        "peer": peer,
        "messages": [{"id": m.id, "from": _person(users.get(m.from_id), m.from_id), "date": m.date,
                      "text": m.message[:MESSAGE_PREVIEW], "has_media": m.media is not None}
                     for m in messages],
        "missing_message_ids": sorted(set(report.message_ids) - {m.id for m in messages}),
        "resolved_at": report.resolved_at, "resolution": report.resolution, "resolved_by": report.resolved_by,
    }


def _person(user, user_id: int | None = None) -> dict:
    if user is None:
        return {"id": user_id, "name": None, "username": None}
    return {"id": user.id, "name": f"{user.first_name} {user.last_name}".strip(), "username": user.username,
            "banned": user.banned}


@route("GET", "/reports")
async def list_reports(state, request):
    which = request.query.get("state", "open")
    if which not in ("open", "resolved"):
        raise ApiError(400, "state is open or resolved")
    before = request.query.get("before", "0")
    if not before.isdigit() or len(before) > 18:
        raise ApiError(400, "before is a report id")
    reports = await state.storage.reports.list(resolved=which == "resolved", limit=REPORTS_PAGE,
                                               before_id=int(before))
    return 200, {"reports": [await report_view(state.storage, r) for r in reports],
                 "open": await state.storage.reports.count_open()}


async def _open_report(storage, report_id: int):
    report = await storage.reports.get(report_id)
    if report is None:
        raise ApiError(404, f"no report {report_id}")
    if report.resolved_at is not None:
        raise ApiError(409, f"report {report_id} was resolved already ({report.resolution})")
    return report


async def _resolve(state, request, report, resolution: str, **details) -> tuple[int, object]:
    await state.storage.reports.resolve(report.id, resolution=resolution, resolved_by=request.token.name,
                                        now=int(time.time()))
    _audit(request, f"report_{resolution}", report_id=report.id, **details)
    return 200, await report_view(state.storage, await state.storage.reports.get(report.id))


@route("POST", r"/reports/(\d{1,19})/dismiss")
async def dismiss_report(state, request, report_id: int):
    return await _resolve(state, request, await _open_report(state.storage, report_id), "dismissed")


@route("POST", r"/reports/(\d{1,19})/delete")
async def delete_reported(state, request, report_id: int):
    report = await _open_report(state.storage, report_id)
    if not report.message_ids:
        raise ApiError(409, "this report names no message (a report of the peer itself)")
    deleted = await delete_for_everyone(state, report.reporter_id, report.message_ids)
    return await _resolve(state, request, report, "deleted", copies_deleted=deleted)


@route("POST", r"/reports/(\d{1,19})/ban")
async def ban_reported(state, request, report_id: int):
    storage = state.storage
    report = await _open_report(storage, report_id)
    messages = await storage.messages.get(report.reporter_id, report.message_ids) if report.message_ids else []
    authors = sorted({m.from_id for m in messages if not m.out})
    if not authors and report.peer.is_user and report.peer.id != report.reporter_id:
        authors = [report.peer.id]
    authors = [a for a in authors if a != SERVICE_USER_ID]
    if not authors:
        raise ApiError(409, "no author to ban: the reported messages are gone or the reporter's own")
    for author in authors:
        await set_banned(storage, author, True)
    return await _resolve(state, request, report, "banned", user_ids=authors)


# -- statistics -------------------------------------------------------------------------


@route("GET", "/stats")
async def stats(state, request):
    days = request.query.get("days", "14")
    if not days.isdigit() or not 1 <= int(days) <= 90:
        raise ApiError(400, "days is 1 to 90")
    summary = await state.storage.statistics.summary(int(time.time()), int(days))
    summary["reports_open"] = await state.storage.reports.count_open()
    summary["connections"] = state.connection_count()
    return 200, summary
