"""The empty-but-valid answers of rpc/defaults.py are writable in every shipped layer
(a constructor an older layer lacks would fail only when such a client asks)."""

import struct

import pytest
import trio

import rpc  # noqa: F401  (registers the handlers)
import tl
from rpc.router import ROUTES
from server.config import Config
from tl import functions as F, types as T

pytestmark = pytest.mark.usefixtures("layer_adapters")

REQUESTS = [
    F.messages.GetStickers(emoticon="x", hash=0), F.messages.GetRecentStickers(hash=0),
    F.messages.GetFavedStickers(hash=0), F.messages.GetSavedGifs(hash=0), F.messages.GetFeaturedStickers(hash=0),
    F.messages.GetEmojiKeywordsLanguages(lang_codes=["en"]), F.messages.GetTopReactions(limit=1, hash=0),
    F.messages.GetRecentReactions(limit=1, hash=0), F.account.GetThemes(format="", hash=0),
    F.help.GetRecentMeUrls(referer=""), F.messages.GetDefaultHistoryTTL(), F.help.SaveAppLog(events=[]),
    F.help.GetAppConfig(hash=0), F.help.GetCountriesList(lang_code="en", hash=0),
    F.messages.GetMaskStickers(hash=0), F.messages.GetEmojiStickers(hash=0),
    F.messages.GetArchivedStickers(offset_id=0, limit=10), F.messages.GetOldFeaturedStickers(offset=0, limit=1, hash=0),
    F.messages.GetAttachMenuBots(hash=0), F.account.GetSavedRingtones(hash=0), F.help.GetCdnConfig(),
    F.account.GetAutoDownloadSettings(), F.messages.GetWebPagePreview(message="https://example.org"),
    # What TDLib (the official apps) asks at start-up:
    F.messages.GetDialogFilters(), F.account.GetReactionsNotifySettings(), F.messages.GetAvailableEffects(hash=0),
    F.account.GetChatThemes(hash=0), F.aicompose.GetTones(hash=0), F.account.GetWebBrowserSettings(hash=0),
    F.stories.GetPeerMaxIDs(id=[T.InputPeerSelf(), T.InputPeerEmpty()]),
    F.messages.GetStickerSet(stickerset=T.InputStickerSetAnimatedEmoji(), hash=0),
    F.messages.GetStickerSet(stickerset=T.InputStickerSetDice(emoticon="🎲"), hash=0),
    F.messages.GetStickerSet(stickerset=T.InputStickerSetEmojiDefaultStatuses(), hash=0),
    # ...and Telegram Web K:
    F.stories.GetAllStories(), F.stories.GetAllStories(state="0"),
]


class _Ctx:
    user_id = 1000000
    config = Config()


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.QUALNAME)
def test_every_layer_can_be_answered(request_):
    result = trio.run(ROUTES[type(request_)].fn, request_, _Ctx())
    for layer in tl.SHIPPED_LAYERS:
        try:
            tl.encode(request_, layer)
        except tl.LayerMismatchError:
            continue  # a method this layer's clients cannot call
        data = tl.encode_result(request_, result, layer)
        if isinstance(request_, F.stories.GetPeerMaxIDs) and data[8:12] != T.RecentStory.CONSTRUCTOR_ID.to_bytes(4, "little"):
            # Older layers answer Vector<int> (decode_result reads the newest result type).
            assert data == struct.pack("<Iiii", 0x1CB5C415, 2, 0, 0)
            continue
        tl.decode_result(request_, data, layer)


def test_special_sticker_sets_exist_and_named_ones_do_not():
    from rpc.errors import RpcError

    ask = lambda s: trio.run(ROUTES[F.messages.GetStickerSet].fn, F.messages.GetStickerSet(stickerset=s, hash=0), _Ctx())
    dice = ask(T.InputStickerSetDice(emoticon="🎯"))
    assert dice.set.short_name == "Dice_🎯" and dice.documents == [] and dice.set.count == 0
    assert ask(T.InputStickerSetAnimatedEmoji()).set.id != dice.set.id
    for missing in (T.InputStickerSetShortName(short_name="Cats"), T.InputStickerSetID(id=1, access_hash=2),
                    T.InputStickerSetEmpty(), T.InputStickerSetDice(emoticon="")):
        with pytest.raises(RpcError, match="STICKERSET_INVALID"):
            ask(missing)


def test_dialog_filters_always_hold_the_default_folder():
    result = trio.run(ROUTES[F.messages.GetDialogFilters].fn, F.messages.GetDialogFilters(), _Ctx())
    assert isinstance(result.filters[0], T.DialogFilterDefault)


def test_app_config_has_the_keys_apps_read_and_operator_keys_win(tmp_path):
    from rpc.services.json_values import from_tl

    ask = lambda ctx, h=0: trio.run(ROUTES[F.help.GetAppConfig].fn, F.help.GetAppConfig(hash=h), ctx)
    answer = ask(_Ctx())
    assert from_tl(answer.config)["fragment_prefixes"] == ["888"]
    assert isinstance(ask(_Ctx(), answer.hash), T.help.AppConfigNotModified)
    extra = tmp_path / "app.json"
    extra.write_text('{"fragment_prefixes": ["999"], "my_key": {"a": [1, 2.5, null, true]}}')
    ctx = _Ctx()
    ctx.config = Config(app_config_file=str(extra))
    mine = ask(ctx)
    assert mine.hash != answer.hash
    values = from_tl(mine.config)
    assert values["fragment_prefixes"] == ["999"] and values["my_key"] == {"a": [1, 2.5, None, True]}
    assert values["reactions_uniq_max"] == 11
