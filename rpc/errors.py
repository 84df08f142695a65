"""RPC errors as Telegram names them (../shared/data/rpc-errors.csv).

A handler raises `RpcError(code, "NAME")`; the dispatcher turns it into rpc_error.
Names ending in _X carry a number: `flood_wait(30)` → FLOOD_WAIT_30.
"""

from __future__ import annotations


class RpcError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


def bad_request(name: str) -> RpcError:
    return RpcError(400, name)


def unauthorized(name: str = "AUTH_KEY_UNREGISTERED") -> RpcError:
    return RpcError(401, name)


def flood_wait(seconds: int) -> RpcError:
    return RpcError(420, f"FLOOD_WAIT_{max(1, int(seconds))}")


def internal(name: str = "INTERNAL") -> RpcError:
    return RpcError(500, name)


# A method that exists in the schema but that this server does not implement (yet).
# Telegram has no name for this; this one says exactly what happened, and every
# occurrence is counted (rpc.dispatch.UNIMPLEMENTED) to show what clients ask for.
NOT_IMPLEMENTED = "METHOD_NOT_IMPLEMENTED"
