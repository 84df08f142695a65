"""What a handler knows about the call it serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable

if TYPE_CHECKING:
    from server.config import Config

    from .server_services import Services


@dataclass
class ClientInfo:
    """initConnection's description of the app (stored per auth key)."""

    api_id: int
    device_model: str
    system_version: str
    app_version: str
    system_lang_code: str
    lang_pack: str
    lang_code: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class RequestContext:
    auth_key_id: int
    session_id: int
    msg_id: int
    layer: int  # the shipped layer results are encoded in
    config: Config
    # The logged-in user, None before login. The router (rpc/router.py) runs an
    # Access.USER handler only when it is set.
    user_id: int | None = None
    # The permanent key that owns the login: the key itself, or the key a temporary key
    # is bound to (auth.bindTempAuthKey). Authorizations belong to it. Set in an
    # Access.PERM_KEY handler.
    perm_key_id: int | None = None
    # Signed in with the code but the 2FA password is still to be checked. Set in an
    # Access.PASSWORD_PENDING handler.
    pending_user_id: int | None = None
    peer: str = ""  # client address, for account.getAuthorizations
    # The DC id the transport says the client dialled (obfuscated2 header), if any.
    dialled_dc: int | None = None
    auth_key: Any = None  # storage.models.AuthKeyRecord of the connection's key
    services: Services = None  # type: ignore[assignment]  # storage, bus, senders, limits... (rpc/server_services.py)
    client: ClientInfo | None = None
    no_updates: bool = False
    # Set by a handler that wants this session to get the updates addressed to its auth
    # key before login (auth.exportLoginToken: updateLoginToken).
    listen_as_key: bool = False
    # Hooks the connection provides (persisting the layer and client info, waiting
    # for earlier messages for invokeAfterMsg).
    on_layer: Callable[[int], None] = lambda layer: None
    on_client_info: Callable[[ClientInfo], None] = lambda info: None
    # This session's call made row pts of the user's own box (publish_rows): the
    # connection's live stream counts it as given (rpc/updates/pts_order.py).
    on_own_row: Callable[[int], None] = lambda pts: None
    wait_for_messages: Callable[[list[int]], Awaitable[None]] | None = None
    innermost: Any = None  # the request without its wrappers, once dispatch unwrapped it

    @property
    def account_id(self) -> int | None:
        """The account this key is logged in to or logging in to: the user, or the one
        whose 2FA password is still to be checked (set in an Access.PASSWORD_OR_USER
        handler)."""
        return self.user_id if self.user_id is not None else self.pending_user_id
