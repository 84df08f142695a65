"""Issue 12.15 end to end: Telethon with receive_updates=False wraps ping in
invokeWithoutUpdates; it gets its pong, not METHOD_NOT_IMPLEMENTED."""

from .clients import telethon_client


def test_telethon_without_updates_pings(server, run):
    from telethon.tl.functions import GetFutureSaltsRequest, PingRequest
    from telethon.tl.types import FutureSalts, Pong

    pem, _ = server.public_key()
    client = telethon_client(pem, server.port, receive_updates=False)

    async def go():
        await client.connect()
        try:
            pong = await client(PingRequest(ping_id=4242))
            assert isinstance(pong, Pong) and pong.ping_id == 4242
            salts = await client(GetFutureSaltsRequest(num=2))
            assert isinstance(salts, FutureSalts) and len(salts.salts) == 2
        finally:
            await client.disconnect()

    run(go())
    assert "METHOD_NOT_IMPLEMENTED" not in server.log()
