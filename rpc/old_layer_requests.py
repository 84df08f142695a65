"""Request fields older layers send in another shape, brought to the canonical one
before any handler runs (tl.register_upgrader), so handlers read one shape.

Layer 158 (Pyrogram 2.0.106, among others) names the replied-to message with
`reply_to_msg_id` / `top_msg_id`; from layer 160 on it is `reply_to: InputReplyTo`.
"""

from __future__ import annotations


import tl
from tl import types as T


def _reply_to(request, dropped: dict):
    msg_id = dropped.get("reply_to_msg_id")
    if msg_id is None or getattr(request, "reply_to", None) is not None:
        return request
    request.reply_to = T.InputReplyToMessage(reply_to_msg_id=msg_id, top_msg_id=dropped.get("top_msg_id"))
    return request


for _method in ("messages.sendMessage", "messages.sendMedia", "messages.sendMultiMedia", "messages.saveDraft",
                "messages.sendInlineBotResult"):
    tl.register_upgrader(_method, _reply_to)
