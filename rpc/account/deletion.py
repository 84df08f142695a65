"""account.deleteAccount: a user deletes their own account (core.telegram.org/api/account-deletion).

The deletion itself is rpc/services/account_deletion.py's, the same the operators' admin
API runs. Without a 2FA password the account goes at once; with one, the password must
come with the call (checked as auth.checkPassword checks it) and then it goes at once.
Telegram lets an account with a password be deleted without it after a week's wait
(420 2FA_CONFIRM_WAIT_X, cancelled by logging in); this server keeps no scheduled
deletions, so it answers PASSWORD_REQUIRED instead of promising one.
"""

from __future__ import annotations

from tl import functions as F

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.account_deletion import delete_account
from ..services.password_check import verify_password


@handler(F.account.DeleteAccount, access=Access.USER)
async def delete_own_account(request, ctx: RequestContext):
    user_id = ctx.user_id
    if await ctx.services.storage.passwords.get(user_id) is not None:
        if request.password is None:
            raise RpcError(400, E.PASSWORD_REQUIRED)
        await verify_password(ctx, user_id, request.password)
    # The reason is the user's own words: not logged (log lines carry no user content).
    await delete_account(ctx.services, user_id)
    return True
