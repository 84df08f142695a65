"""What a new auth key costs the server's storage: one INSERT, which is also the check
that its id is new (a taken id gets dh_gen_retry); its session and first call start
from the record stored, not from reading it back; and that first call, as every app
sends it (invokeWithLayer(initConnection(...))), saves the layer and the app's details
in one statement, its login check answered from memory."""

import os
import time
import types

import trio
import trio_asyncio

import tl
from mtproto.crypto import auth_key_id
from mtproto.handshake import AuthKey
from mtproto.session import Rpc
from server.app import ServerState
from server.config import Config
from server.request_runner import RequestRunner
from storage import AuthKeyRecord, open_storage
from tests.mtproto.session_client import FakeClient
from tests.statement_count import statements_run
from tl import functions as F, types as T


def new_key(now: int, **fields) -> AuthKey:
    key = os.urandom(256)
    return AuthKey(key=key, key_id=auth_key_id(key), server_salt=1234, temporary=False, expires_at=None,
                   dc_id=2, created_at=now, **fields)


class Spy:
    """Records which AuthKeys methods are called, then calls them."""

    def __init__(self, auth_keys):
        self.auth_keys, self.calls = auth_keys, []

    def __getattr__(self, name):
        method = getattr(self.auth_keys, name)

        async def spied(*args, **kwargs):
            self.calls.append((name, kwargs))
            return await method(*args, **kwargs)

        return spied


async def test_storing_a_new_key_is_its_uniqueness_check(tmp_path):
    now = int(time.time())
    async with trio_asyncio.open_loop():
        storage = await open_storage(None, str(tmp_path))
        try:
            state = ServerState(Config(data_dir=str(tmp_path)), [], storage, None, b"s" * 32)
            key = new_key(now)
            record = await state.add_auth_key(key)
            assert record == AuthKeyRecord.from_handshake(key) == await storage.auth_keys.get(key.key_id)
            assert await state.add_auth_key(key) is None  # the id is taken: dh_gen_retry
            # An expired temporary key keeps its id until it is purged.
            temp = AuthKey(**{**new_key(now).__dict__, "temporary": True, "expires_at": now - 10})
            assert await state.add_auth_key(temp) is not None
            assert await storage.auth_keys.get(temp.key_id) is None
            assert await state.add_auth_key(temp) is None
        finally:
            await storage.close()


async def test_the_first_call_reads_no_key_back_and_saves_layer_and_app_at_once(tmp_path):
    now = int(time.time())
    async with trio_asyncio.open_loop():
        storage = await open_storage(None, str(tmp_path))
        try:
            state = ServerState(Config(data_dir=str(tmp_path)), [], storage, None, b"s" * 32)
            key = new_key(now)
            record = await state.add_auth_key(key)
            spy = state.auth_keys = storage.auth_keys = Spy(storage.auth_keys)
            session = await state.open_session(key.key_id, record=record)
            client = FakeClient(key.key)
            client.salt = key.server_salt
            first = F.InvokeWithLayer(layer=tl.LAYER, query=F.InitConnection(
                api_id=1, device_model="test", system_version="1", app_version="1.0", system_lang_code="en",
                lang_pack="", lang_code="en", query=F.help.GetConfig()))
            events = session.receive(client.request(first), time.time())
            [call] = [event for event in events if isinstance(event, Rpc)]

            async def after_call(*_):
                pass

            before = statements_run()
            async with trio.open_nursery() as nursery:
                caller = types.SimpleNamespace(peer="127.0.0.1:1", spawn=nursery.start_soon, after_call=after_call,
                                               own_row=lambda session_id, pts: None)
                runner = RequestRunner(state, caller)
                runner.records[key.key_id] = record  # as the connection that made the key does
                packet = await runner.run(session, call, None)
            # The UPDATE of layer and app is all: no read of the key, and its login check
            # (identify) was answered by the authorization cache, which storing the key told.
            assert statements_run() - before == 1
            [(_, _, answer)] = client.read(packet)
            assert answer[:2] == ("rpc_result", call.msg_id) and isinstance(tl.decode(answer[2]), T.Config)
            assert [name for name, _ in spy.calls] == ["update_client"]
            storage.auth_keys = spy.auth_keys
            stored = await storage.auth_keys.get(key.key_id)
            assert stored.layer == tl.LAYER and stored.client_info["device_model"] == "test"
        finally:
            await storage.close()
