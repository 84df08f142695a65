"""The method router: which handler answers each method, and who may call it.

Every handler declares, where it is registered, the methods it answers and the access
rule of each call:

    @handler(F.messages.SendMessage, access=Access.USER)
    async def send_message(request, ctx): ...

The dispatcher (rpc/dispatch.py) looks the innermost request up here, applies the rule
before the handler runs, and hands the handler the identity the rule guarantees:
`ctx.user_id` is an int in an Access.USER handler, `ctx.perm_key_id` in an
Access.PERM_KEY one, `ctx.pending_user_id` in Access.PASSWORD_PENDING, and
`ctx.account_id` in Access.PASSWORD_OR_USER. A rule may also depend on the request
(a function of it returning an Access), for the methods whose arguments say whether
they are a login step or a logged-in user's call.

A method registered twice is an error when the second module is imported: the server
does not start with two answers to one method.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Awaitable, Callable, Union

from .context import RequestContext
from .errors import E, RpcError

Handler = Callable[[object, RequestContext], Awaitable[object]]


class Access(enum.Enum):
    """Who may call a method, and the error everyone else gets."""

    # No login: help, langpack, the auth steps before the code is checked, login-email
    # setup, MTProto service functions that arrive inside wrappers.
    ANYONE = "anyone"
    # A permanent key, or a temporary key bound to one (api/pfs): authorizations belong
    # to it. 401 AUTH_KEY_PERM_EMPTY otherwise.
    PERM_KEY = "perm_key"
    # Only a key that signed in with the code and must still check its 2FA password
    # (auth.checkPassword): 400 PASSWORD_HASH_INVALID when already logged in, 400
    # AUTH_KEY_UNREGISTERED otherwise.
    PASSWORD_PENDING = "password_pending"
    # Logged in, or the 2FA password pending (account.getPassword, password recovery):
    # 401 AUTH_KEY_UNREGISTERED otherwise.
    PASSWORD_OR_USER = "password_or_user"
    # A logged-in user: 401 AUTH_KEY_UNREGISTERED otherwise, which is how a client
    # learns it must log in first.
    USER = "user"
    # (Bots do not exist on this server yet; BOT and USER_ONLY come with them.)


Rule = Union[Access, Callable[[object], Access]]


def admit(access: Access, ctx: RequestContext) -> None:
    """Raise the RpcError `access` gives a caller it does not admit."""
    match access:
        case Access.ANYONE:
            return
        case Access.PERM_KEY:
            if ctx.perm_key_id is None:
                # A temporary key that was never bound cannot log in (api/pfs).
                raise RpcError(401, E.AUTH_KEY_PERM_EMPTY)
        case Access.PASSWORD_PENDING:
            if ctx.pending_user_id is None:
                raise RpcError(400, E.PASSWORD_HASH_INVALID if ctx.user_id else E.AUTH_KEY_UNREGISTERED)
        case Access.PASSWORD_OR_USER:
            if ctx.account_id is None:
                raise RpcError(401, E.AUTH_KEY_UNREGISTERED)
        case Access.USER:
            if ctx.user_id is None:
                raise RpcError(401, E.AUTH_KEY_UNREGISTERED)


@dataclass(frozen=True)
class Route:
    method: type  # the request class (tl.functions)
    fn: Handler
    rule: Rule

    def access(self, request) -> Access:
        return self.rule if isinstance(self.rule, Access) else self.rule(request)

    @property
    def module(self) -> str:
        return self.fn.__module__


class DuplicateRoute(RuntimeError):
    pass


class Router:
    def __init__(self) -> None:
        self.routes: dict[type, Route] = {}
        self._by_name: dict[str, Route] = {}

    def handler(self, *methods: type, access: Rule):
        """Register an async `fn(request, ctx) -> result` for these request classes."""
        if not isinstance(access, Access) and not callable(access):
            raise TypeError(f"access must be an Access or a function of the request, not {access!r}")

        def register(fn: Handler) -> Handler:
            for method in methods:
                if method in self.routes:
                    raise DuplicateRoute(f"{method.QUALNAME} is answered by {self.routes[method].fn.__qualname__} "
                                         f"({self.routes[method].module}) and {fn.__qualname__} ({fn.__module__})")
                route = Route(method, fn, access)
                self.routes[method] = route
                self._by_name[method.QUALNAME] = route
            return fn

        return register

    def get(self, request_type: type) -> Route | None:
        return self.routes.get(request_type)

    def login_needed_unrouted(self, name: str) -> bool:
        """Whether a method without a route (one no handler answers, or an older
        layer's form of it) answers 401 before login rather than METHOD_NOT_IMPLEMENTED.
        Only the namespaces a client calls to log in (api/auth), and the methods whose
        route admits a key without a login, say METHOD_NOT_IMPLEMENTED."""
        if name.partition(".")[0] in NAMESPACES_BEFORE_LOGIN:
            return False
        route = self._by_name.get(name)
        return route is None or route.rule is Access.USER


# Methods nobody handles in these namespaces answer METHOD_NOT_IMPLEMENTED even before
# login: a client logging in asks them, and 401 would tell it the key is logged out.
NAMESPACES_BEFORE_LOGIN = frozenset({"help", "auth", "langpack"})

ROUTER = Router()
ROUTES = ROUTER.routes
handler = ROUTER.handler
