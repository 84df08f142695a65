"""The empty-but-valid answers of rpc/defaults.py are writable in every shipped layer
(a constructor an older layer lacks would fail only when such a client asks)."""

import pytest
import trio

import rpc  # noqa: F401  (registers the handlers)
import tl
from rpc.dispatch import HANDLERS
from tl import functions as F

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
]


class _Ctx:
    user_id = 1000000


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.QUALNAME)
def test_every_layer_can_be_answered(request_):
    result = trio.run(HANDLERS[type(request_)], request_, _Ctx())
    for layer in tl.SHIPPED_LAYERS:
        tl.decode_result(request_, tl.encode_result(request_, result, layer), layer)
