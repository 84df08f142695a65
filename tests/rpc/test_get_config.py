"""help.getConfig through dispatch: the kept encoding (rpc/help/encoded_configs.py) is
exactly what encoding the Config afresh gives, in every shipped layer and for every
dialled DC, and a changed Config or a new second makes a new one."""

import msgspec
import pytest
import trio

import rpc  # noqa: F401  (registers the handlers)
import tl
from rpc import dispatch
from rpc.context import RequestContext
from rpc.help import help as help_module
from server.config import Config
from tl import functions as F, types as T

pytestmark = pytest.mark.usefixtures("layer_adapters")


def _ctx(config: Config, layer: int, dialled_dc: int | None = None) -> RequestContext:
    return RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=layer, config=config, dialled_dc=dialled_dc)


def _answer(config: Config, layer: int, dialled_dc: int | None = None) -> bytes:
    return trio.run(dispatch, F.help.GetConfig(), _ctx(config, layer, dialled_dc))


def _fresh(config: Config, layer: int, dc: int, now: int) -> bytes:
    return tl.encode_result(F.help.GetConfig(), help_module.config_at(config, dc, now), layer)


@pytest.fixture
def frozen_clock(monkeypatch):
    clock = {"now": 1_700_000_000.25}
    monkeypatch.setattr(help_module.time, "time", lambda: clock["now"])
    monkeypatch.setattr(help_module, "_ENCODED", help_module.EncodedConfigs())
    return clock


@pytest.mark.parametrize("layer", tl.SHIPPED_LAYERS)
def test_every_layer_gets_the_bytes_a_fresh_encoding_gives(layer, frozen_clock):
    config = Config()
    for dialled, dc in ((None, config.dc_id), (2, 2), (-4, 4), (10003, 3), (99, config.dc_id)):
        first, again = _answer(config, layer, dialled), _answer(config, layer, dialled)
        assert first == again == _fresh(config, layer, dc, 1_700_000_000)
        decoded = tl.decode_result(F.help.GetConfig(), first, layer)
        assert isinstance(decoded, T.Config) and decoded.this_dc == dc and decoded.date == 1_700_000_000


def test_layers_and_dcs_are_kept_apart(frozen_clock):
    config = Config()
    answers = {(layer, dc): _answer(config, layer, dc) for layer in tl.SHIPPED_LAYERS for dc in (1, 2)}
    for (layer, dc), data in answers.items():
        assert data == _fresh(config, layer, dc, 1_700_000_000)


def test_a_new_second_and_a_changed_config_make_a_new_answer(frozen_clock):
    config = Config()
    before = _answer(config, tl.LAYER)
    frozen_clock["now"] += 1
    later = _answer(config, tl.LAYER)
    assert later != before and later == _fresh(config, tl.LAYER, config.dc_id, 1_700_000_001)
    # A runtime setting replaces the frozen Config with a changed copy (server/runtime_settings.py).
    changed = msgspec.structs.replace(config, chat_size_max=config.chat_size_max + 1)
    now_changed = _answer(changed, tl.LAYER)
    assert tl.decode_result(F.help.GetConfig(), now_changed).chat_size_max == config.chat_size_max + 1
