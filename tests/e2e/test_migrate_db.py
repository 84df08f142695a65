"""`mtserver migrate-db`: a single-node SQLite install moved to PostgreSQL loses nothing.

Telethon (unmodified, layer 229) makes real data on a server with SQLite: accounts, a
two-step password, logins, messages, a basic group with a photo, a blocked user. The
server stops, migrate-db copies the store into a fresh PostgreSQL database, and then:
every row of every table is there (compared value by value, not only counted); a
server on PostgreSQL with the same data dir serves the same Telethon session (same
auth key) without a new login, with its history, group and photo; and new ids continue
after the copied ones.
"""

import json
import sqlite3

import asyncpg
import pytest

from tests.scratch_postgres import admin_url, create_database, drop_database

from .clients import telethon_client
from .server_process import ServerProcess, mtserver
from .test_accounts import CODE, new_phone


@pytest.fixture
def postgres_target():
    if admin_url().lower() == "off":
        pytest.skip("PostgreSQL tests are turned off")
    url = create_database("mtserver_migrate")
    yield url
    drop_database(url)


def picture(path):
    from PIL import Image

    Image.new("RGB", (96, 64), (200, 40, 10)).save(path, "JPEG")
    return str(path)


async def sign_up(server, pem, first_name, session=None):
    from telethon import errors, functions

    client = telethon_client(pem, server.port, session=session, host=server.host)
    await client.connect()
    phone = new_phone()
    sent = await client.send_code_request(phone)
    with pytest.raises(errors.PhoneNumberUnoccupiedError):  # the code is checked, the number is new
        await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
    result = await client(functions.auth.SignUpRequest(phone_number=phone, phone_code_hash=sent.phone_code_hash,
                                                       first_name=first_name, last_name=""))
    await client._on_login(result.user)
    return client, result.user


def table_rows(sqlite_file, postgres_url, run):
    """Every table's rows on both sides, as comparable values (booleans, JSON, bytes)."""
    def normal(value):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, memoryview):
            return bytes(value)
        if isinstance(value, str) and value[:1] in "[{":
            try:
                return json.dumps(json.loads(value), sort_keys=True)
            except ValueError:
                return value
        return value

    source = sqlite3.connect(sqlite_file)
    tables = [r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' AND name NOT IN "
                                           "('schema_version', 'message_shared_ids')")]

    async def read_target():
        conn = await asyncpg.connect(postgres_url)
        try:
            found = {}
            for table in tables:
                columns = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
                rows = await conn.fetch(f"SELECT {', '.join(columns)} FROM {table}")
                found[table] = (columns, rows)
            return found
        finally:
            await conn.close()

    target = run(read_target())
    both = {}
    for table in tables:
        columns, rows = target[table]
        here = sorted((tuple(normal(v) for v in row) for row in source.execute(
            f"SELECT {', '.join(columns)} FROM {table}")), key=repr)
        there = sorted((tuple(normal(v) for v in row.values()) for row in rows), key=repr)
        both[table] = (here, there)
    source.close()
    return both


def test_sqlite_install_moves_to_postgresql_and_clients_keep_their_logins(tmp_path, postgres_target, run):
    from telethon import functions, types
    from telethon.sessions import StringSession

    data_dir = tmp_path / "data"
    env = {"MTSERVER_CODE_SENDER": f"fixed:{CODE}"}
    server = ServerProcess(data_dir, env=env).start()
    pem = server.public_key()[0]
    photo = picture(tmp_path / "red.jpg")

    async def before():
        session = StringSession()
        session.set_dc(2, server.host, server.port)
        ann, ann_user = await sign_up(server, pem, "Ann", session)
        ben, ben_user = await sign_up(server, pem, "Ben")
        cat, cat_user = await sign_up(server, pem, "Cat")
        await ann(functions.contacts.ImportContactsRequest([types.InputPhoneContact(0, ben_user.phone, "Ben", "")]))
        await ann.send_message(ben_user.id, "hello Ben")
        await ben.get_dialogs()  # Ben learns Ann (and her access hash for him) from her message
        await ben.send_message(ann_user.id, "hello Ann")
        created = await ann(functions.messages.CreateChatRequest(
            users=[types.InputUser(ben_user.id, ben_user.access_hash)], title="Team"))
        chat = created.updates.chats[0]
        await ann.send_message(chat, "welcome")
        sent_photo = await ann.send_file(chat, photo)
        assert sent_photo.photo
        photo_bytes = await ann.download_media(sent_photo, file=bytes)
        await ann(functions.contacts.BlockRequest(types.InputPeerUser(cat_user.id, cat_user.access_hash)))
        await ann.edit_2fa(new_password="correct horse")
        saved = ann.session.save()
        for client in (ann, ben, cat):
            await client.disconnect()
        return saved, ann_user, ben_user, chat, photo_bytes

    saved, ann_user, ben_user, chat, photo_bytes = run(before())
    assert server.stop() == 0

    sqlite_file = data_dir / "mtserver.sqlite3"
    done = mtserver("migrate-db", "--from", f"sqlite:///{sqlite_file}", "--to", postgres_target)
    assert done.returncode == 0, done.stderr
    assert "row counts match on both sides" in done.stdout
    for table, (here, there) in table_rows(str(sqlite_file), postgres_target, run).items():
        assert here == there, table
        if table in ("users", "auth_keys", "authorizations", "messages", "chats", "photos", "files", "passwords",
                     "blocked", "server_secrets"):
            assert here, f"the scenario made no {table} rows"

    again = mtserver("migrate-db", "--from", f"sqlite:///{sqlite_file}", "--to", postgres_target)
    assert again.returncode == 1 and "not empty" in again.stderr  # never merges into live data

    server = ServerProcess(data_dir, port=server.port, env={**env, "MTSERVER_DATABASE": postgres_target}).start()
    try:
        async def after():
            ann = telethon_client(pem, server.port, session=StringSession(saved), host=server.host)
            await ann.connect()
            try:
                assert await ann.is_user_authorized()  # the same auth key, no new login
                me = await ann.get_me()
                assert (me.id, me.first_name) == (ann_user.id, "Ann")
                dialogs = await ann.get_dialogs()  # (a StringSession keeps no entities: this fetches them)
                assert {d.name for d in dialogs} >= {"Ben", "Team"}
                texts = [m.message for m in await ann.get_messages(ben_user.id, limit=10)]
                assert texts == ["hello Ann", "hello Ben"]
                group = await ann.get_messages(types.PeerChat(chat.id), limit=10)
                assert "welcome" in [m.message for m in group]
                [with_photo] = [m for m in group if m.photo]
                assert await ann.download_media(with_photo, file=bytes) == photo_bytes
                blocked = await ann(functions.contacts.GetBlockedRequest(offset=0, limit=10))
                assert len(blocked.blocked) == 1
                # New rows continue after the copied ids.
                sent = await ann.send_message(ben_user.id, "after the move")
                assert sent.id > max(m.id for m in await ann.get_messages(ben_user.id, limit=10) if m.id != sent.id)
                _, dan = await sign_up(server, pem, "Dan")
                assert dan.id > ben_user.id
                created = await ann(functions.messages.CreateChatRequest(
                    users=[types.InputUser(ben_user.id, ben_user.access_hash)], title="Second"))
                assert created.updates.chats[0].id > chat.id
            finally:
                await ann.disconnect()

        run(after())
    finally:
        server.stop()


def test_refuses_what_it_cannot_copy(tmp_path, postgres_target):
    missing = mtserver("migrate-db", "--from", f"sqlite:///{tmp_path}/none.sqlite3", "--to", postgres_target)
    assert missing.returncode == 1 and "no such SQLite file" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()  # not created on the way
    wrong = mtserver("migrate-db", "--from", f"sqlite:///{tmp_path}/a.sqlite3", "--to", f"sqlite:///{tmp_path}/b")
    assert wrong.returncode == 2 and "postgresql://" in wrong.stderr
    down = mtserver("migrate-db", "--from", f"sqlite:///{tmp_path}/none.sqlite3",
                    "--to", "postgresql://mt:hunter2secret@127.0.0.1:1/mt")
    assert down.returncode == 1 and "hunter2secret" not in down.stderr and "Traceback" not in down.stderr
