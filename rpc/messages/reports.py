"""messages.report and account.reportPeer: users report messages and peers; each report
lands in the moderators' queue (storage/reports.py, the admin API's /admin/api/reports).

messages.report works as Telegram's since layer 189: without an option it answers
reportResultChooseOption (a menu of reasons, each with an opaque option), called again
with one of them it stores the report and answers reportResultReported; "other" first
asks for a comment (reportResultAddComment). Layers before that (158-170 here) send a
ReportReason and get a Bool: their reason becomes the option (an upgrader) and True is
their answer (a result adapter), both installed by rpc/layer_adapters.py. account.reportPeer takes a ReportReason in every layer
and answers Bool.

Reported message ids are the reporter's own (their box); ids that are not there, or not
in the named chat, are dropped, and a report of only such ids is MESSAGE_ID_INVALID.
"""

from __future__ import annotations

import re
import time

from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.peers import resolve_input_peer

MAX_IDS = 100
COMMENT_MAX = 512
# (option, what the menu shows); the option is what comes back in messages.report.option.
OPTIONS = (
    ("spam", "Spam"),
    ("violence", "Violence"),
    ("pornography", "Pornography"),
    ("child_abuse", "Child abuse"),
    ("illegal_drugs", "Illegal drugs"),
    ("personal_details", "Personal details"),
    ("copyright", "Copyright"),
    ("fake", "Fake account"),
    ("other", "Other"),
)
_OPTIONS = {option.encode(): option for option, _ in OPTIONS}


def reason_name(reason) -> str:
    """inputReportReasonGeoIrrelevant → "geo_irrelevant"."""
    name = getattr(reason, "QUALNAME", "").removeprefix("inputReportReason") or "other"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _comment(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise RpcError(400, E.MESSAGE_TOO_LONG)
    return text


@handler(F.messages.Report, access=Access.USER)
async def report_messages(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    comment = _comment(request.message)
    option = bytes(request.option or b"")
    if not option:
        return T.ReportResultChooseOption(
            title="Report", options=[T.MessageReportOption(text=text, option=key.encode()) for key, text in OPTIONS])
    reason = _OPTIONS.get(option)
    if reason is None:
        raise RpcError(400, E.OPTION_INVALID)
    if reason == "other" and not comment:
        return T.ReportResultAddComment(optional=False, option=option)
    wanted = list(dict.fromkeys(request.id or ()))[:MAX_IDS]
    found = [m.id for m in await storage.messages.get(user_id, wanted) if m.peer == peer] if wanted else []
    if wanted and not found:
        raise RpcError(400, E.MESSAGE_ID_INVALID)
    await storage.reports.add(reporter_id=user_id, peer=peer, message_ids=sorted(found), reason=reason,
                              comment=comment, now=int(time.time()))
    return T.ReportResultReported()


@handler(F.account.ReportPeer, access=Access.USER)
async def report_peer(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    if peer == Peer.user(user_id):
        raise RpcError(400, E.PEER_ID_INVALID)
    await storage.reports.add(reporter_id=user_id, peer=peer, message_ids=[], reason=reason_name(request.reason),
                              comment=_comment(request.message), now=int(time.time()))
    return True


def reason_as_option(request, dropped: dict):
    """Layers 158-170: messages.report(reason: ReportReason) → the option it stands for
    (a reason without a menu entry is "other", its name the comment when there is none:
    these layers cannot be asked for one)."""
    reason = dropped.get("reason")
    if reason is not None and not request.option:
        name = reason_name(reason)
        request.option = (name if name.encode() in _OPTIONS else "other").encode()
        if request.option == b"other" and not (request.message or "").strip():
            request.message = name
    return request
