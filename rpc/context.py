"""What a handler knows about the call it serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable


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
    config: Any  # server.config.Config
    user_id: int | None = None  # the logged-in user, None before login
    # The permanent key that owns the login: the key itself, or the key a temporary key
    # is bound to (auth.bindTempAuthKey). Authorizations belong to it.
    perm_key_id: int | None = None
    # Signed in with the code but the 2FA password is still to be checked.
    pending_user_id: int | None = None
    peer: str = ""  # client address, for account.getAuthorizations
    # The DC id the transport says the client dialled (obfuscated2 header), if any.
    dialled_dc: int | None = None
    auth_key: Any = None  # storage.models.AuthKeyRecord of the connection's key
    services: Any = None  # shared server services: storage, code sender, limits...
    client: ClientInfo | None = None
    no_updates: bool = False
    # Set by a handler that wants this session to get the updates addressed to its auth
    # key before login (auth.exportLoginToken: updateLoginToken).
    listen_as_key: bool = False
    # Hooks the connection provides (persisting the layer and client info, waiting
    # for earlier messages for invokeAfterMsg).
    on_layer: Callable[[int], None] = lambda layer: None
    on_client_info: Callable[[ClientInfo], None] = lambda info: None
    wait_for_messages: Callable[[list[int]], Awaitable[None]] | None = None
    innermost: Any = None  # the request without its wrappers, once dispatch unwrapped it
