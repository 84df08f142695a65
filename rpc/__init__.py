"""RPC method handlers, one module per API area, and the dispatcher that routes to them.

Importing the package registers every handler module with the router; it does not touch
the TL codec: older layers' shapes are installed by `install_layer_adapters()`
(rpc/layer_adapters.py), which the server calls at start.
"""

from . import account, auth, chats, contacts, defaults, help, messages, pfs, updates, users  # noqa: F401
from . import delete_history, dialog_pins, drafts, forward, peer_dialogs, pins, search, typing  # noqa: F401
from . import auth_transfer, login_email, media, password_email, photos, qr_login, upload  # noqa: F401
from . import notify_settings, unread_marks  # noqa: F401
from . import service_calls  # noqa: F401
from . import reports  # noqa: F401
from .dispatch import UNIMPLEMENTED, dispatch
from .errors import RpcError
from .layer_adapters import install_layer_adapters
from .router import ROUTES, Access, handler

__all__ = ["ROUTES", "UNIMPLEMENTED", "Access", "dispatch", "handler", "install_layer_adapters", "RpcError"]
