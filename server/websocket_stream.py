"""A WebSocket, after the upgrade, as the byte stream server/connection.py reads.

``receive_some`` returns the payload bytes of the client's binary messages (one
MTProto transport stream, cut anywhere) and b"" once the WebSocket is closed;
pings are answered and close frames echoed here, out of the connection's sight.
``send_all`` sends its argument as exactly one binary message: the connection calls
it once per transport packet (a quick ack and a transport error are packets of
their own), which is what Telegram's web clients need. The framing rules are in
mtproto/transport/websocket.py; this module only does the I/O around them.
"""

from __future__ import annotations

import structlog
import trio

from mtproto.transport import websocket as ws

log = structlog.get_logger("mtserver.websocket")

CLOSE_TIMEOUT = 1.0


class WebSocketStream:
    def __init__(self, stream: trio.abc.Stream, peer: str, initial: bytes = b"",
                 max_message_size: int = (1 << 24) + 1024):
        self.stream = stream
        self.peer = peer
        self.codec = ws.WebSocketCodec(max_message_size)
        self._initial = initial
        self._write_lock = trio.Lock()
        self._close_sent = False
        self._closed = False

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        while not self._closed:
            if self._initial:
                raw, self._initial = self._initial, b""
            else:
                raw = await self.stream.receive_some(65536)
            events = self.codec.feed(raw) if raw else self.codec.end_of_stream()
            data = []
            for event in events:
                if isinstance(event, ws.Data):
                    data.append(event.data)
                elif isinstance(event, ws.Ping):
                    await self._write(self.codec.frame_pong(event.payload))
                elif isinstance(event, ws.CloseReceived):
                    self._closed = True
                    if raw:  # a close frame: echo its code (RFC 6455 section 5.5.1)
                        await self._close(event.code or ws.NORMAL)
                elif isinstance(event, ws.ProtocolError):
                    log.info("websocket_error", peer=self.peer, code=event.code, reason=event.reason)
                    self._closed = True
                    await self._close(event.code)
            if data:
                # Bytes before a close frame still count; the next call returns b"".
                return b"".join(data)
        return b""

    async def send_all(self, data: bytes) -> None:
        if self._close_sent:
            raise trio.ClosedResourceError("the WebSocket is closing")
        await self._write(self.codec.frame_binary(bytes(data)))

    async def _close(self, code: int) -> None:
        if self._close_sent:
            return
        self._close_sent = True
        with trio.move_on_after(CLOSE_TIMEOUT):
            try:
                await self._write(self.codec.frame_close(code))
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                pass

    async def _write(self, frame: bytes) -> None:
        # Pongs (from the reader) and packets (from RPC tasks) never interleave mid-frame.
        async with self._write_lock:
            await self.stream.send_all(frame)

    async def aclose(self) -> None:
        await self._close(ws.NORMAL)
        await self.stream.aclose()
