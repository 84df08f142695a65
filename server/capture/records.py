"""Decrypted messages → capture records: plain dicts, one per message, ready for JSON.

No I/O and no clock of its own (the time comes with each ``Captured``). A
``Recorder`` turns one ``mtproto.session.Captured`` into records:

- a container gives one ``container`` record (its message ids) and one record per
  message inside, each naming its ``container``;
- incoming messages are read in the session's layer (the layer an ``invokeWithLayer``
  names for what it wraps, as the session does): ``request`` for API methods (``method``
  is the innermost query, wrappers removed), ``service`` for the rest (acks, pings, ...);
- outgoing ``rpc_result`` gives ``result`` or ``error`` with ``req_msg_id``, the
  request's ``method`` and ``latency_ms`` when the request was seen here, the answer read
  as that method's result type (so ``Vector<long>`` reads too); other outgoing content is
  ``update`` (Updates) or ``service`` (new_session_created, pong, bad_msg_notification,
  ...), with ``req_msg_id`` where the message answers one;
- anything that does not read gives ``undecodable`` with the bytes in hex (at most
  ``MAX_HEX_BYTES``) and the TLDecodeError: recording never raises.

Every record has ``time``, ``direction`` (in/out), ``auth_key_id``, ``session_id``,
``msg_id``, ``seqno``, ``layer``, ``size`` (bytes of the message body), ``kind`` and, but
for containers and undecodable ones, ``obj``: the TL object as ``to_dict`` gives it,
redacted (server/capture/redaction.py).
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict

import tl
from mtproto.session import MSG_CONTAINER_ID, RPC_RESULT_ID, Captured
from tl import functions as F, types as T
from tl.wire import GZIP_PACKED_ID, decode_budget, read_bytes

from .redaction import redact

MAX_HEX_BYTES = 4096
# Requests remembered per recorder until their answer comes (oldest forgotten first).
MAX_OPEN_REQUESTS = 20000
MAX_INFLATED = 16 * 1024 * 1024
MAX_VECTOR_ELEMENTS = 65536
_u32 = struct.Struct("<I").unpack_from
_INNER = struct.Struct("<qii")
RPC_ERROR_ID = T.RpcError.CONSTRUCTOR_ID
INVOKE_WITH_LAYER_ID = F.InvokeWithLayer.CONSTRUCTOR_ID
# MTProto's own methods: answered by the session layer, recorded as "service".
SERVICE_METHODS = (F.Ping, F.PingDelayDisconnect, F.GetFutureSalts, F.DestroySession, F.RpcDropAnswer,
                   F.DestroyAuthKey)
_UPDATES = (T.Updates, T.UpdatesCombined, T.UpdateShort, T.UpdateShortMessage, T.UpdateShortChatMessage,
            T.UpdateShortSentMessage, T.UpdatesTooLong)


def innermost(request):
    """The query inside invokeWithLayer, initConnection, invokeAfterMsg & co."""
    while isinstance(getattr(request, "query", None), tl.TLObject):
        request = request.query
    return request


def name_of(obj) -> str:
    return getattr(obj, "QUALNAME", None) or type(obj).__name__


def to_dict(obj):
    if isinstance(obj, tl.TLObject):
        return obj.to_dict()
    if isinstance(obj, list):
        return [to_dict(item) for item in obj]
    if isinstance(obj, (bytes, bytearray)):
        return {"_": "bytes", "length": len(obj)}
    return obj  # bool, int, ...


class Recorder:
    """Captured messages of one server process → records; remembers open requests."""

    def __init__(self, redact_secrets: bool = True, mask_text: bool = False):
        self.redact_secrets = redact_secrets
        self.mask_text = mask_text
        # (auth_key_id, session_id, msg_id) → (method name, result reader, time)
        self._open: OrderedDict[tuple[int, int, int], tuple[str, object, float]] = OrderedDict()

    def records(self, cap: Captured) -> list[dict]:
        head = {"time": round(cap.time, 6), "direction": "out" if cap.outgoing else "in",
                "auth_key_id": cap.auth_key_id, "session_id": cap.session_id}
        body = cap.body
        if len(body) >= 8 and _u32(body, 0)[0] == MSG_CONTAINER_ID:
            items, problem = _unpack_container(body)
            container = {**head, "msg_id": cap.msg_id, "seqno": cap.seqno, "layer": cap.layer, "size": len(body),
                         "kind": "container", "messages": [msg_id for msg_id, _, _ in items]}
            if problem:
                container["decode_error"] = problem
            out = [container]
            for msg_id, seqno, inner in items:
                record = self._message(head, cap, msg_id, seqno, inner)
                record["container"] = cap.msg_id
                out.append(record)
            return out
        return [self._message(head, cap, cap.msg_id, cap.seqno, body)]

    # -- one message ---------------------------------------------------------------------

    def _message(self, head: dict, cap: Captured, msg_id: int, seqno: int, body: bytes) -> dict:
        record = {**head, "msg_id": msg_id, "seqno": seqno, "layer": cap.layer, "size": len(body)}
        try:
            with decode_budget(MAX_INFLATED, MAX_VECTOR_ELEMENTS):
                if cap.outgoing:
                    self._outgoing(record, cap, body)
                else:
                    self._incoming(record, cap, msg_id, body)
        except tl.TLDecodeError as exc:
            _undecodable(record, body, str(exc))
        except Exception as exc:  # a record is never worth a crash
            _undecodable(record, body, f"{type(exc).__name__}: {exc}")
        return record

    def _incoming(self, record: dict, cap: Captured, msg_id: int, body: bytes) -> None:
        layer = cap.layer
        if len(body) >= 8 and _u32(body, 0)[0] == INVOKE_WITH_LAYER_ID:
            layer = tl.serving_layer(struct.unpack_from("<i", body, 4)[0])
            record["layer"] = layer
        obj = tl.decode(body, layer)
        if isinstance(obj, (tl.TLRequest, tl.LegacyObject)) and not isinstance(obj, SERVICE_METHODS):
            query = innermost(obj)
            method = name_of(query)
            record["kind"] = "request"
            record["method"] = method
            reader = type(query).__new__(type(query)) if isinstance(query, tl.TLRequest) else None
            self._remember((cap.auth_key_id, cap.session_id, msg_id), (method, reader, cap.time))
        else:
            record["kind"] = "service"
            record["method"] = name_of(obj)
        record["obj"] = self._clean(obj)

    def _outgoing(self, record: dict, cap: Captured, body: bytes) -> None:
        if len(body) >= 12 and _u32(body, 0)[0] == RPC_RESULT_ID:
            req_msg_id = struct.unpack_from("<q", body, 4)[0]
            record["req_msg_id"] = req_msg_id
            method, reader, asked_at = self._open.pop((cap.auth_key_id, cap.session_id, req_msg_id), (None, None, None))
            if method is not None:
                record["method"] = method
                record["latency_ms"] = round((cap.time - asked_at) * 1000, 3)
            result = _inflated(body[12:])
            if len(result) >= 4 and _u32(result, 0)[0] == RPC_ERROR_ID:
                error = tl.decode(result, cap.layer)
                record["kind"] = "error"
                record["error"] = {"code": error.error_code, "message": error.error_message}
                record["obj"] = error.to_dict()
                return
            record["kind"] = "result"
            if reader is not None:
                obj = tl.decode_result(reader, result, cap.layer)
            else:
                obj = tl.decode(result, cap.layer)
            record["obj"] = self._clean(obj)
            return
        obj = tl.decode(body, cap.layer)
        record["kind"] = "update" if isinstance(obj, _UPDATES) else "service"
        record["method"] = name_of(obj)
        answers = getattr(obj, "req_msg_id", None) or getattr(obj, "bad_msg_id", None)
        if isinstance(obj, T.Pong):
            answers = obj.msg_id
        if answers:
            record["req_msg_id"] = answers
        record["obj"] = self._clean(obj)

    def _clean(self, obj):
        value = to_dict(obj)
        if self.redact_secrets or self.mask_text:
            value = redact(value, self.mask_text, self.redact_secrets)
        return value

    def _remember(self, key, value) -> None:
        self._open[key] = value
        while len(self._open) > MAX_OPEN_REQUESTS:
            self._open.popitem(last=False)


def _unpack_container(body: bytes) -> tuple[list, str | None]:
    items = []
    try:
        count = _u32(body, 4)[0]
        p = 8
        for _ in range(min(count, 1024)):
            msg_id, seqno, length = _INNER.unpack_from(body, p)
            p += 16
            if length < 0 or p + length > len(body):
                return items, "message longer than the container"
            items.append((msg_id, seqno, body[p:p + length]))
            p += length
    except struct.error:
        return items, "container cut short"
    return items, None


def _inflated(data: bytes) -> bytes:
    """An rpc_result's answer without its gzip_packed wrapper (typed results are read
    from the bytes, so the wrapper goes first)."""
    if len(data) >= 4 and _u32(data, 0)[0] == GZIP_PACKED_ID:
        packed, _ = read_bytes(data, 4)
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)
        data = inflater.decompress(packed, MAX_INFLATED)
        if inflater.unconsumed_tail:
            raise tl.TLDecodeError(f"gzip_packed expands beyond {MAX_INFLATED} bytes", GZIP_PACKED_ID, 0)
    return data


def _undecodable(record: dict, body: bytes, error: str) -> None:
    record["kind"] = "undecodable"
    record["hex"] = body[:MAX_HEX_BYTES].hex()
    if len(body) > MAX_HEX_BYTES:
        record["truncated"] = True
    record["decode_error"] = error
    record.pop("obj", None)


__all__ = ["Recorder", "innermost", "name_of"]
