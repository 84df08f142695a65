"""A minimal MTProto client for session tests: chooses msg_id, seqno and salt freely."""

from __future__ import annotations

import os
import struct
import time

import tl
from mtproto.crypto import auth_key_id, decrypt_message, encrypt_message

CONTAINER = 0x73F1F8DC
RPC_RESULT = 0xF35C6D01


class FakeClient:
    def __init__(self, auth_key: bytes | None = None, session_id: int | None = None):
        self.auth_key = auth_key or os.urandom(256)
        self.key_id = auth_key_id(self.auth_key)
        self.session_id = session_id if session_id is not None else struct.unpack("<q", os.urandom(8))[0]
        self.salt = 0
        self.seq = 0
        self.last_msg_id = 0

    def msg_id(self, offset: float = 0.0) -> int:
        msg_id = int((time.time() + offset) * 2**32) & ~3
        if msg_id <= self.last_msg_id:
            msg_id = self.last_msg_id + 4
        self.last_msg_id = msg_id
        return msg_id

    def seqno(self, content: bool) -> int:
        if content:
            self.seq += 1
            return self.seq * 2 - 1
        return self.seq * 2

    def packet(self, body: bytes, *, msg_id: int | None = None, seqno: int | None = None, salt: int | None = None,
               content: bool = True) -> bytes:
        msg_id = self.msg_id() if msg_id is None else msg_id
        seqno = self.seqno(content) if seqno is None else seqno
        salt = self.salt if salt is None else salt
        plain = struct.pack("<qqqii", salt, self.session_id, msg_id, seqno, len(body)) + body
        msg_key, ciphertext = encrypt_message(self.auth_key, plain, 0)
        return struct.pack("<q", self.key_id) + msg_key + ciphertext

    def request(self, obj, **kw) -> bytes:
        return self.packet(tl.encode(obj), **kw)

    def container(self, items: list[tuple[int, int, bytes]], **kw) -> bytes:
        body = struct.pack("<Ii", CONTAINER, len(items)) + b"".join(
            struct.pack("<qii", m, s, len(b)) + b for m, s, b in items)
        return self.packet(body, content=False, **kw)

    def read(self, packet: bytes) -> list[tuple[int, int, object]]:
        """(msg_id, seqno, object) for every message in a server packet; rpc_result
        becomes ("rpc_result", req_msg_id, raw result bytes)."""
        assert struct.unpack_from("<q", packet)[0] == self.key_id
        plain = decrypt_message(self.auth_key, packet[8:24], packet[24:], 8)
        salt, session_id, msg_id, seqno, length = struct.unpack_from("<qqqii", plain)
        assert session_id == self.session_id
        return self._messages(msg_id, seqno, plain[32 : 32 + length])

    def _messages(self, msg_id, seqno, body):
        cid = struct.unpack_from("<I", body)[0]
        if cid == CONTAINER:
            out, p = [], 8
            for _ in range(struct.unpack_from("<i", body, 4)[0]):
                m, s, n = struct.unpack_from("<qii", body, p)
                out += self._messages(m, s, body[p + 16 : p + 16 + n])
                p += 16 + n
            return out
        if cid == RPC_RESULT:
            req = struct.unpack_from("<q", body, 4)[0]
            return [(msg_id, seqno, ("rpc_result", req, body[12:]))]
        return [(msg_id, seqno, tl.decode(body))]
