"""The client side of one encrypted MTProto session, without I/O: what the load generator
needs and nothing more (no handshake: its auth keys are registered in the server's storage).

    session = ClientSession(auth_key)
    msg_id, packet = session.request(F.updates.GetState())   # encrypted, ready to frame
    for msg_id, seqno, obj in session.read(server_packet): ...

``read`` unpacks containers; an ``rpc_result`` comes out as ``RpcResult(req_msg_id, object)``
with gzip_packed results inflated. Content-related messages from the server (odd seqno) are
remembered for :meth:`ack`, as a real client acknowledges them
(https://core.telegram.org/mtproto/service_messages_about_messages).
"""

from __future__ import annotations

import os
import struct
import time
from dataclasses import dataclass

import tl
from mtproto.crypto import auth_key_id, decrypt_message_view, encrypt_message
from tl import types as T

CONTAINER_ID = 0x73F1F8DC
RPC_RESULT_ID = 0xF35C6D01
_HEADER = struct.Struct("<qqqii")  # salt, session_id, msg_id, seqno, length
_INNER = struct.Struct("<qii")
_u32 = struct.Struct("<I").unpack_from
_i64 = struct.Struct("<q").unpack_from


@dataclass(frozen=True)
class RpcResult:
    req_msg_id: int
    result: object  # a TL object; T.RpcError for errors


class ClientSession:
    def __init__(self, auth_key: bytes, session_id: int | None = None, salt: int = 0):
        self.auth_key = auth_key
        self.key_id = auth_key_id(auth_key)
        self._key_id_bytes = struct.pack("<q", self.key_id)
        self.session_id = session_id if session_id is not None else _i64(os.urandom(8))[0]
        # 0 until the server names the right one (bad_server_salt / new_session_created).
        self.salt = salt
        self._content_sent = 0
        self._last_msg_id = 0
        self.unacked: list[int] = []

    def _next_msg_id(self) -> int:
        msg_id = int(time.time() * 2**32) & ~3
        if msg_id <= self._last_msg_id:
            msg_id = self._last_msg_id + 4
        self._last_msg_id = msg_id
        return msg_id

    def _seqno(self, content: bool) -> int:
        if content:
            self._content_sent += 1
            return self._content_sent * 2 - 1
        return self._content_sent * 2

    def encrypt(self, body: bytes, *, content: bool = True) -> tuple[int, bytes]:
        """(msg_id, packet) for one message carrying ``body`` (encoded TL)."""
        msg_id = self._next_msg_id()
        header = _HEADER.pack(self.salt, self.session_id, msg_id, self._seqno(content), len(body))
        msg_key, ciphertext = encrypt_message(self.auth_key, (header, body), 0)
        return msg_id, self._key_id_bytes + msg_key + ciphertext

    def request(self, obj) -> tuple[int, bytes]:
        return self.encrypt(tl.encode(obj))

    def ack(self) -> bytes | None:
        """A msgs_ack packet for everything received since the last one (None: nothing to ack)."""
        if not self.unacked:
            return None
        ids, self.unacked = self.unacked, []
        return self.encrypt(tl.encode(T.MsgsAck(msg_ids=ids)), content=False)[1]

    def read(self, packet: bytes) -> list[tuple[int, int, object]]:
        """(msg_id, seqno, object) for every message in a server packet."""
        if packet[:8] != self._key_id_bytes:
            raise ValueError("packet is not for this auth key")
        plain = decrypt_message_view(self.auth_key, packet[8:24], packet[24:], 8)
        _salt, session_id, msg_id, seqno, length = _HEADER.unpack_from(plain)
        if session_id != self.session_id:
            raise ValueError("packet is for another session")
        out: list[tuple[int, int, object]] = []
        self._unpack(msg_id, seqno, plain[32:32 + length], out)
        return out

    def _unpack(self, msg_id: int, seqno: int, body, out: list) -> None:
        cid = _u32(body, 0)[0]
        if cid == CONTAINER_ID:
            p = 8
            for _ in range(_u32(body, 4)[0]):
                inner_id, inner_seqno, n = _INNER.unpack_from(body, p)
                self._unpack(inner_id, inner_seqno, body[p + 16:p + 16 + n], out)
                p += 16 + n
            return
        if seqno % 2:
            self.unacked.append(msg_id)
        if cid == RPC_RESULT_ID:
            obj = RpcResult(_i64(body, 4)[0], tl.decode(body[12:]))
        else:
            obj = tl.decode(body)
        if isinstance(obj, (T.BadServerSalt, T.NewSessionCreated)):
            self.salt = obj.new_server_salt if isinstance(obj, T.BadServerSalt) else obj.server_salt
        out.append((msg_id, seqno, obj))


__all__ = ["ClientSession", "RpcResult"]
