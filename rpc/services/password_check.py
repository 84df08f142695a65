"""Checking a 2FA password (SRP, https://core.telegram.org/api/srp) against the challenge
account.getPassword handed to this key, with the wrong-guess counters."""

from __future__ import annotations

from tl import types as T

from ..context import RequestContext
from ..errors import E, RpcError
from . import srp


async def verify_password(ctx: RequestContext, user_id: int, check) -> None:
    """Check an InputCheckPasswordSRP against the user's password and the challenge
    account.getPassword handed to this key; the challenge is used up either way."""
    storage = ctx.services.storage
    password = await storage.passwords.get(user_id)
    if password is None:
        raise RpcError(400, E.PASSWORD_HASH_INVALID)
    counters = _password_counters(ctx, user_id)
    for limit, key in counters:
        limit.check(key)
    challenge = ctx.services.srp_challenges.pop(ctx.perm_key_id, None)
    if isinstance(check, T.InputCheckPasswordEmpty) or challenge is None:
        raise RpcError(400, E.SRP_ID_INVALID)
    try:
        ok = srp.verify(challenge, password.verifier, check)
    except srp.SrpError as exc:
        raise RpcError(400, exc.name) from None
    if not ok:
        for limit, key in counters:
            limit.hit(key)
        raise RpcError(400, E.PASSWORD_HASH_INVALID)


def _password_counters(ctx: RequestContext, user_id: int) -> list:
    """Where a wrong password counts: this device, this address, and, for a device that
    is not logged in yet (a login's 2FA step), all such devices of the account."""
    limits = ctx.services.limits
    counters = [(limits.password_per_key, f"{user_id}:{ctx.perm_key_id}")]
    address = ctx.peer.rpartition(":")[0]
    if ctx.config.limits_apply_to(address):
        counters.append((limits.password_per_address, f"{user_id}@{address}"))
    if ctx.user_id != user_id:
        counters.append((limits.password_new_devices, str(user_id)))
    return counters


def offered_algo(ctx: RequestContext, user_id: int):
    """The new_algo this account was last offered (account.getPassword): a new password
    must use its salts."""
    offers = ctx.services.srp_offers
    if user_id not in offers:
        offers[user_id] = srp.new_algo()
    return offers[user_id]
