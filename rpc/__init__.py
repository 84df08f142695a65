"""RPC method handlers, one module per API area, and the dispatcher that routes to them.

Importing the package registers every handler module.
"""

from . import account, auth, contacts, defaults, help, messages, pfs, updates, users  # noqa: F401  (registers handlers)
from . import auth_transfer, media, photos, upload  # noqa: F401  (registers handlers)
from .dispatch import HANDLERS, UNIMPLEMENTED, dispatch, handler
from .errors import RpcError

__all__ = ["HANDLERS", "UNIMPLEMENTED", "dispatch", "handler", "RpcError"]
