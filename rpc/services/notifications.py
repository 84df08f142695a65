"""The service account: messages from the server itself.

Like Telegram's notifications account (user 777000, which official apps treat as the
source of login codes), it sends login codes to a user's logged-in devices, new-login
alerts, and what operators broadcast with `mtserver admin broadcast`. It is an ordinary
user row with a fixed id below the id sequence, so every client renders it without
special cases; it never logs in (it has no phone a code could reach).
"""

from __future__ import annotations

import time

from ..updates.events import LogRow
from ..updates.publish import publish
from .service_account import SERVICE_PHONE, SERVICE_USER_ID


async def ensure_service_user(storage, name: str) -> None:
    """Creates the account if missing; renames it when the operator changed its name."""
    user = await storage.users.ensure(SERVICE_USER_ID, SERVICE_PHONE, name, now=int(time.time()))
    if user.first_name != name:
        await storage.users.update_profile(SERVICE_USER_ID, first_name=name)


async def notify(services, user_id: int, text: str, entities: list[dict] | None = None) -> int:
    """Sends `text` from the service account to `user_id`; their live sessions get it.
    Returns the message id in the user's box. The account exists: the server makes it at
    start-up (server/app.py), the admin command before it broadcasts."""
    sent = await services.storage.messages.send_private(
        SERVICE_USER_ID, user_id, date=int(time.time()), message=text, entities=entities or ())
    await publish(services, LogRow(pts=sent.recipient_pts), [user_id])
    return sent.recipient_copy.id


def login_code_text(code: str) -> tuple[str, list[dict]]:
    text = (f"Login code: {code}. Do not give this code to anyone, even if they say they are "
            "from this service! It can be used to log in to your account; we never ask for it.")
    start = len("Login code: ")
    return text, [{"_": "messageEntityBold", "offset": start, "length": len(code)}]


def new_login_text(first_name: str, device: str, where: str, when: int) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(when))
    return (f"New login. Dear {first_name}, we detected a login into your account from a new device on "
            f"{stamp}.\n\nDevice: {device}\nLocation: {where}\n\n"
            "If this wasn't you, go to Settings > Devices and terminate that session; "
            "then consider setting a two-step verification password.")
