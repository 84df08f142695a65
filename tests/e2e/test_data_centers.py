"""Every DC id is this server: unmodified clients start at DC 1, 2 or 4, log in, send a
photo and a document to Saved Messages and download them back intact.

The server runs at its defaults (no MTSERVER_DC_ID: files say DC 2). A client that
believes it is on DC 1 or 4 therefore fetches them "from DC 2": it exports its login
(auth.exportAuthorization) and imports it on a new auth key (auth.importAuthorization).
That new key must be the same device on another DC: logged in as the user, a child of
the exporting key in the authorizations table, not listed in account.getAuthorizations,
and no new-login alert from the service account (777000).

What each library tells the server about the DC it dialled, and so the this_dc it gets
back in help.getConfig (the obfuscated2 header's DC id when it carries one, else 2):
- Telethon: ConnectionTcpFull has no header; ConnectionTcpObfuscated writes random bytes
  where the DC id goes (only its MTProxy connections fill it in, and those need a proxy
  secret this server does not take), so the expected this_dc is decoded from the header
  it actually sent: 2, unless those random bytes happen to name a listed DC.
- Pyrogram 2.0.106: TCPAbridged, no header: 2.
- GramJS 2.26.22: ConnectionTCPFull, no header: 2 (its obfuscated transport leaves the
  DC id random too).
- mtcute 0.30.3: intermediate over plain TCP, no header: 2 (it only writes the DC id
  through an MTProxy).
Our own client transport (mtproto/transport/client.py) does write the DC id, as TDLib
does; with it this_dc follows the DC dialled.

GramJS dials port 80 for its main connection and port 443 for every other one (its
getDC ignores the config's port), so its server listens on port 80 of a private
loopback address and a relay in this test forwards that address's port 443 to it, as
Telegram's DCs answer on both.
"""

from __future__ import annotations

import hashlib
import os
import random
import socket
import sqlite3
import threading
from contextlib import contextmanager

import pytest
from PIL import Image

from mtproto.crypto import auth_key_id
from storage.sqlite import FILENAME

from .clients import pyrogram_pointed_at, telethon_client
from .server_process import ServerProcess, mtserver
from .test_accounts import CODE, new_phone
from .test_js_clients import need, run_node

SERVICE_USER_ID = 777000
FILE_DC = 2  # MTSERVER_DC_ID's default: the DC every photo and document names


@pytest.fixture(scope="module")
def server(messaging_server):
    return messaging_server


@pytest.fixture(scope="module")
def pem(server):
    return server.public_key()[0]


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """A JPEG (sent as a photo) and 300 KB of random bytes (sent as a document)."""
    folder = tmp_path_factory.mktemp("dc-media")
    photo, document = folder / "photo.jpg", folder / "document.bin"
    Image.effect_noise((480, 320), 60).convert("RGB").save(photo, "JPEG", quality=90)
    document.write_bytes(os.urandom(300 * 1024 + 17))
    return {"photo": photo, "document": document}


@pytest.fixture(autouse=True)
def fresh_telethon_config():
    """Telethon caches help.getConfig on the TelegramClient class, for every client of the
    process: a config from another test module's server would send exported senders to
    that server's port."""
    from telethon import TelegramClient

    TelegramClient._config = None
    yield
    TelegramClient._config = None


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def db(server) -> sqlite3.Connection:
    """The server's own SQLite database, read-only (the module's servers are SQLite)."""
    return sqlite3.connect(f"file:{server.data_dir / FILENAME}?mode=ro", uri=True, timeout=10)


def authorizations(server, user_id: int) -> dict[int, int]:
    """auth_key_id -> parent_auth_key_id (0: a device) of every key logged in as the user."""
    with db(server) as conn:
        rows = conn.execute("SELECT auth_key_id, parent_auth_key_id FROM authorizations WHERE user_id = ?",
                            (user_id,)).fetchall()
    return dict(rows)


def service_messages(server, user_id: int) -> int:
    """How many dialogs the user has with the service account (new-login alerts, codes)."""
    with db(server) as conn:
        return conn.execute("SELECT COUNT(*) FROM dialogs WHERE owner_id = ? AND peer_id = ?",
                            (user_id, SERVICE_USER_ID)).fetchone()[0]


def assert_login_carried_to_file_dc(server, user_id: int, device_key_id: int, start_dc: int, imports: int = 1):
    """On the file's DC nothing is exported; from any other DC the device's login went to
    `imports` new keys, each a child of the device, and the service account said nothing."""
    keys = authorizations(server, user_id)
    assert keys.get(device_key_id) == 0, keys  # the device itself
    children = {key for key, parent in keys.items() if parent}
    if start_dc == FILE_DC:
        assert children == set(), keys
    else:
        assert len(children) == imports and all(keys[k] == device_key_id for k in children), keys
    assert set(keys) == {device_key_id, *children}, keys
    assert service_messages(server, user_id) == 0


def expected_this_dc(dialled: int | None) -> int:
    """What the server should answer for an obfuscated2 header's DC id (None: no header):
    the dialled DC when it is one of 1-5 (negative for media, +10000 for test DCs), else 2."""
    if dialled is None:
        return FILE_DC
    dc = abs(dialled)
    dc = dc - 10000 if dc > 10000 else dc
    return dc if 1 <= dc <= 5 else FILE_DC


def dialled_dc_of_header(header: bytes) -> int:
    """The DC id the server reads from an obfuscated2 init header (its own decoder)."""
    from mtproto.transport.obfuscated import ObfuscatedCodec

    codec = ObfuscatedCodec(1 << 20)
    codec.feed(bytes(header))
    return codec.dc_id


# -- the server's own view ---------------------------------------------------------------


def test_config_lists_every_dc_with_a_media_twin_at_the_public_address(server, pem, run):
    from telethon.tl.functions.help import GetConfigRequest, GetNearestDcRequest

    async def scenario():
        client = telethon_client(pem, server.port, host=server.host)
        await client.connect()
        config = await client(GetConfigRequest())
        nearest = await client(GetNearestDcRequest())
        await client.disconnect()
        return config, nearest

    config, nearest = run(scenario())
    options = {(o.id, bool(o.media_only)) for o in config.dc_options}
    assert options == {(dc, media_only) for dc in range(1, 6) for media_only in (False, True)}
    assert len(config.dc_options) == 10
    assert {(o.ip_address, o.port, bool(o.ipv6), bool(o.cdn)) for o in config.dc_options} == {
        (server.host, server.port, False, False)}
    assert config.this_dc == 2
    assert (nearest.country, nearest.this_dc, nearest.nearest_dc) == ("US", 2, 2)


def test_country_setting_changes_the_nearest_dc_answer(pem, run, tmp_path):
    from telethon.tl.functions.help import GetNearestDcRequest

    server = ServerProcess(tmp_path / "data", env={"MTSERVER_COUNTRY": "DE"}).start()
    try:
        async def scenario():
            client = telethon_client(server.public_key()[0], server.port, host=server.host)
            await client.connect()
            nearest = await client(GetNearestDcRequest())
            await client.disconnect()
            return nearest

        nearest = run(scenario())
        assert (nearest.country, nearest.this_dc, nearest.nearest_dc) == ("DE", 2, 2)
    finally:
        server.stop()


@pytest.mark.parametrize("dialled", [4, -4, 1, 10003, 7, None])
def test_this_dc_is_the_dc_an_obfuscated_header_names(server, pem, run, dialled):
    """With our own client transport, which writes the DC id in the obfuscated2 header as
    TDLib does (negative for a media connection, 10000 + id for a test DC): help.getConfig
    and help.getNearestDc answer the DC dialled; an unlisted one (7) or none gives 2."""
    import trio

    from mtproto.transport.client import ObfuscatedClient
    from tl import functions as F
    from tools.loadgen.client import Account, LoadClient

    async def new_key():
        client = telethon_client(pem, server.port, host=server.host)
        await client.connect()
        key = client.session.auth_key.key
        await client.disconnect()
        return key

    key = run(new_key())

    async def ask():
        stream = await trio.open_tcp_stream(server.host, server.port)
        client = LoadClient(stream, Account(user_id=0, access_hash=0, auth_key=key), lambda update: None)
        client.codec = ObfuscatedClient("intermediate", dc_id=dialled)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(client.read_loop)
            config = await client.call(F.help.GetConfig())
            nearest = await client.call(F.help.GetNearestDc())
            nursery.cancel_scope.cancel()
        await stream.aclose()
        return config, nearest

    config, nearest = trio.run(ask)
    want = {4: 4, -4: 4, 1: 1, 10003: 3, 7: 2, None: 2}[dialled]
    assert expected_this_dc(dialled) == want
    assert config.this_dc == nearest.this_dc == nearest.nearest_dc == want


# -- Telethon --------------------------------------------------------------------------


async def telethon_signed_up(server, pem, phone: str, dc: int, connection=None):
    """A new account signed up from a Telethon session that starts at `dc`."""
    from telethon import errors, functions
    from telethon.sessions import MemorySession

    session = MemorySession()
    session.set_dc(dc, server.host, server.port)
    client = telethon_client(pem, server.port, connection=connection, session=session, host=server.host)
    await client.connect()
    sent = await client.send_code_request(phone)
    with pytest.raises(errors.PhoneNumberUnoccupiedError):
        await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
    result = await client(functions.auth.SignUpRequest(phone_number=phone, phone_code_hash=sent.phone_code_hash,
                                                       first_name="Dc", last_name=str(dc)))
    await client._on_login(result.user)
    return client, result.user


# Telethon's obfuscated2 runs its AES-CTR in pure Python (pyaes): one DC is enough there.
@pytest.mark.parametrize("dc, transport", [(1, "full"), (2, "full"), (4, "full"), (4, "obfuscated")])
def test_telethon_from_any_dc_sends_and_downloads_media(server, pem, media, run, dc, transport):
    from telethon import functions
    from telethon.network import ConnectionTcpFull, ConnectionTcpObfuscated

    connection = {"full": ConnectionTcpFull, "obfuscated": ConnectionTcpObfuscated}[transport]

    async def scenario():
        client, user = await telethon_signed_up(server, pem, new_phone(), dc, connection)
        assert client.session.dc_id == dc
        config = await client(functions.help.GetConfigRequest())
        header = getattr(client._sender._connection, "_obfuscation", None)
        dialled = dialled_dc_of_header(header.header) if header is not None else None
        assert config.this_dc == expected_this_dc(dialled)
        for kind, path in media.items():
            message = await client.send_file("me", str(path), force_document=kind == "document")
            sent = message.photo if kind == "photo" else message.document
            assert sent is not None and sent.dc_id == FILE_DC
            # Telethon fetches message media from the DC it is on (download_media: it counts on
            # FILE_MIGRATE, which this server never sends), and from the file's DC when it is
            # handed the Photo or Document itself (download_file), exporting its login there.
            for data in (await client.download_media(message, file=bytes), await client.download_file(sent, bytes)):
                assert sha(data) == sha(path.read_bytes()), kind
        assert (dc != FILE_DC) == (FILE_DC in client._borrowed_senders)
        listed = await client(functions.account.GetAuthorizationsRequest())
        assert [a.current for a in listed.authorizations] == [True]
        device = auth_key_id(client.session.auth_key.key)
        await client.disconnect()
        return user.id, device

    user_id, device = run(scenario())
    assert_login_carried_to_file_dc(server, user_id, device, dc)


# -- Pyrogram ------------------------------------------------------------------------------


def pyrogram_client_at(dc: int):
    """An in-memory Pyrogram client whose new session starts at `dc`: Pyrogram writes DC 2
    into a fresh storage (Client.load_session) before making its key; this storage takes
    the first DC written as `dc` instead."""
    from pyrogram import Client
    from pyrogram.storage import MemoryStorage

    class StartingAt(MemoryStorage):
        start_dc: int | None = dc

        async def dc_id(self, value: int = object):
            if value is not object and self.start_dc is not None:
                value, self.start_dc = self.start_dc, None
            return await super().dc_id(value)

    app = Client(f"dc{dc}", api_id=1, api_hash="0" * 32, in_memory=True, no_updates=True)
    app.storage = StartingAt(app.name)
    return app


@pytest.mark.parametrize("dc", [1, 2, 4])
def test_pyrogram_from_any_dc_sends_and_downloads_media(server, pem, media, run, dc):
    from pyrogram import raw
    from pyrogram.file_id import FileId

    async def scenario():
        app = pyrogram_client_at(dc)
        exported = []
        invoke = app.invoke

        async def watching(query, *args, **kwargs):
            if isinstance(query, raw.functions.auth.ExportAuthorization):
                exported.append(query.dc_id)
            return await invoke(query, *args, **kwargs)

        app.invoke = watching
        await app.connect()
        assert await app.storage.dc_id() == dc
        phone = new_phone()
        sent = await app.send_code(phone)
        await app.sign_in(phone, sent.phone_code_hash, CODE)
        await app.sign_up(phone, sent.phone_code_hash, "Pyro", str(dc))
        app.me = await app.get_me()  # what start() would do; uploads read it
        assert (await app.invoke(raw.functions.help.GetConfig())).this_dc == 2  # TCPAbridged: no DC id
        photo = await app.send_photo("me", str(media["photo"]))
        document = await app.send_document("me", str(media["document"]))
        for message, path in ((photo, media["photo"]), (document, media["document"])):
            item = message.photo or message.document
            assert FileId.decode(item.file_id).dc_id == FILE_DC
            data = await app.download_media(message, in_memory=True)
            assert sha(bytes(data.getbuffer())) == sha(path.read_bytes())
        # Pyrogram makes a new key, exports and imports again for every download.
        assert exported == ([] if dc == FILE_DC else [FILE_DC, FILE_DC])
        listed = await app.invoke(raw.functions.account.GetAuthorizations())
        assert [a.current for a in listed.authorizations] == [True]
        device = auth_key_id(await app.storage.auth_key())
        await app.disconnect()
        return app.me.id, device

    with pyrogram_pointed_at(pem, server.port):
        user_id, device = run(scenario())
    assert_login_carried_to_file_dc(server, user_id, device, dc, imports=2)


# -- GramJS and mtcute -------------------------------------------------------------------


@contextmanager
def tcp_relay(host: str, listen_port: int, to_port: int):
    """Forwards each connection to host:listen_port on to host:to_port, byte for byte."""
    listener = socket.create_server((host, listen_port))
    sockets: list[socket.socket] = []

    def pump(source: socket.socket, sink: socket.socket):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def accept():
        while True:
            try:
                client, _ = listener.accept()
                upstream = socket.create_connection((host, to_port))
            except OSError:
                return
            sockets.extend((client, upstream))
            for pair in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=pair, daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield
    finally:
        listener.close()
        for s in sockets:
            s.close()


@pytest.fixture(scope="module")
def gramjs_server(tmp_path_factory):
    """A server on port 80 of its own loopback address, with port 443 relayed to it."""
    need("telegram")
    if os.geteuid() != 0:
        pytest.skip("GramJS only dials ports 80 and 443, which needs root")
    proc = ServerProcess(tmp_path_factory.mktemp("dc-gramjs") / "data", port=80,
                         env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}"})
    proc.host = f"127.0.{random.randint(1, 250)}.{random.randint(2, 250)}"
    proc.start()
    try:
        with tcp_relay(proc.host, 443, 80):
            yield proc
    finally:
        proc.stop()


def pem_file(server, folder) -> str:
    path = folder / "server.pem"
    path.write_text(server.public_key()[0])
    return str(path)


def check_media_output(out: dict, media: dict) -> None:
    assert [(f["kind"], f["dc_id"], f["sha256"]) for f in out["files"]] == [
        (kind, FILE_DC, sha(path.read_bytes())) for kind, path in media.items()]


@pytest.mark.parametrize("dc", [1, 2, 4])
def test_gramjs_from_any_dc_sends_and_downloads_media(gramjs_server, media, dc, tmp_path):
    out = run_node("gramjs_media.js", gramjs_server.host, "80", pem_file(gramjs_server, tmp_path), new_phone(),
                   CODE, str(dc), str(media["photo"]), str(media["document"]))
    assert out["session_dc"] == dc
    assert out["this_dc"] == 2  # ConnectionTCPFull: no obfuscated2 header
    check_media_output(out, media)
    keys = authorizations(gramjs_server, int(out["id"]))
    device = next(key for key, parent in keys.items() if parent == 0)
    assert_login_carried_to_file_dc(gramjs_server, int(out["id"]), device, dc)


@pytest.mark.parametrize("dc", [1, 2, 4])
def test_mtcute_from_any_dc_sends_and_downloads_media(server, media, dc, tmp_path):
    need("@mtcute/node")
    phone = new_phone()
    # mtcute will not sign up ("no longer supported for non-official clients").
    created = mtserver("admin", "--data-dir", str(server.data_dir), "users", "create", phone, "Mt")
    assert created.returncode == 0, created.stderr
    out = run_node("mtcute_media.mjs", server.host, str(server.port), pem_file(server, tmp_path), phone, CODE,
                   str(dc), str(media["photo"]), str(media["document"]))
    assert out["this_dc"] == 2  # intermediate over plain TCP: no obfuscated2 header
    check_media_output(out, media)
    keys = authorizations(server, out["id"])
    device = next(key for key, parent in keys.items() if parent == 0)
    assert_login_carried_to_file_dc(server, out["id"], device, dc)
