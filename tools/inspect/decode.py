"""`mtserver inspect --decode PAYLOAD --layer N`: a raw TL payload, read.

The payload is hex (spaces and colons allowed) or base64 (standard or URL-safe): a
message body as a client or server library logs it. Read in layer N (default: the
newest), with what MTProto wraps around objects undone: a ``msg_container`` gives each
of its messages, an ``rpc_result`` its ``req_msg_id`` and answer (gzip_packed inflated),
an unencrypted message (auth_key_id 0: the handshake) its msg_id and body. Nothing is
redacted: it is your own payload. Raises ``DecodeFailure`` (with the TLDecodeError's
constructor id and offset) when it does not read.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct

_HEX = re.compile(r"^(?:0x)?[0-9a-fA-F\s:]+$")


class DecodeFailure(ValueError):
    pass


def payload_bytes(text: str) -> bytes:
    text = text.strip()
    if _HEX.match(text):
        digits = re.sub(r"[\s:]", "", text.removeprefix("0x"))
        if len(digits) % 2 == 0:
            return bytes.fromhex(digits)
    try:
        compact = re.sub(r"\s", "", text)
        padded = compact + "=" * (-len(compact) % 4)
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise DecodeFailure("the payload is neither hex nor base64") from None


def decode_payload(data: bytes, layer: int | None = None):
    """The payload as JSON-ready dicts (to_dict forms)."""
    import tl
    from mtproto.session import MSG_CONTAINER_ID, RPC_RESULT_ID
    from server.capture.records import _inflated, _unpack_container, to_dict

    def one(body: bytes):
        cid = struct.unpack_from("<I", body)[0] if len(body) >= 4 else None
        if cid == MSG_CONTAINER_ID:
            items, problem = _unpack_container(body)
            out = {"_": "msg_container", "messages": [{"msg_id": m, "seqno": s, "body": one(b)} for m, s, b in items]}
            if problem:
                out["error"] = problem
            return out
        if cid == RPC_RESULT_ID and len(body) >= 12:
            return {"_": "rpc_result", "req_msg_id": struct.unpack_from("<q", body, 4)[0],
                    "result": to_dict(tl.decode(_inflated(body[12:]), layer))}
        return to_dict(tl.decode(body, layer))

    try:
        if len(data) >= 20 and data[:8] == b"\x00" * 8:
            msg_id, length = struct.unpack_from("<qi", data, 8)
            return {"_": "unencrypted_message", "msg_id": msg_id, "body": one(data[20:20 + length])}
        return one(data)
    except tl.TLDecodeError as exc:
        raise DecodeFailure(f"does not read in layer {layer or tl.LAYER}: {exc}") from None
    except struct.error as exc:
        raise DecodeFailure(f"cut short: {exc}") from None


__all__ = ["payload_bytes", "decode_payload", "DecodeFailure"]
