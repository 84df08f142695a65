"""A result a handler has already encoded for the call's layer.

rpc/dispatch.py encodes what a handler returns (`tl.encode_result`), except this: a
handler whose answer is the same for many callers (help.getConfig) keeps the bytes and
returns them as they are. The handler must have encoded them with `tl.encode_result`
for the request and `ctx.layer`, exactly what dispatch would have done.
"""

from __future__ import annotations


class EncodedResult(bytes):
    """The rpc_result payload, ready: dispatch passes it on without encoding."""

    __slots__ = ()


__all__ = ["EncodedResult"]
