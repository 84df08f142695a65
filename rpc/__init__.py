"""RPC method handlers, one folder per API namespace (rpc/messages/, rpc/account/, ...; shared
views and rules in rpc/services/, the updates engine in rpc/updates/), and the router and
dispatcher that route to them.

Importing the package registers every handler module with the router; it does not touch
the TL codec: older layers' shapes are installed by `install_layer_adapters()`
(rpc/layer_adapters.py), which the server calls at start.
"""

# channels first: its handler modules import the shared views that rpc/services import from it.
from . import channels  # noqa: F401  (isort: skip)
from . import account, auth, chats, contacts, defaults, help, messages, photos, service_calls, updates, upload, users  # noqa: F401
from .dispatch import UNIMPLEMENTED, dispatch
from .errors import RpcError
from .layer_adapters import install_layer_adapters
from .router import ROUTES, Access, handler

__all__ = ["ROUTES", "UNIMPLEMENTED", "Access", "dispatch", "handler", "install_layer_adapters", "RpcError"]
