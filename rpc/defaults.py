"""Valid, empty answers for what clients ask before they show their main screen.

One module of defaults (ARCHITECTURE.md): screens that need something get an explicit
empty object here, not a fake feature. Each entry is what a fresh account on a server
without that feature would see.
"""

from __future__ import annotations

import hashlib
import time

from tl import functions as F, types as T

from .context import RequestContext
from .router import Access, handler
from .errors import E, RpcError
from .services.app_config import app_config as services_app_config
from .updates.state import current_pts

DAY = 86400


@handler(F.help.GetAppConfig, access=Access.ANYONE)
async def app_config(request, ctx: RequestContext):
    config, config_hash = services_app_config(ctx.config.app_config_file)
    if request.hash == config_hash:
        return T.help.AppConfigNotModified()
    return T.help.AppConfig(hash=config_hash, config=config)


@handler(F.help.GetCountriesList, access=Access.ANYONE)
async def countries_list(request, ctx: RequestContext):
    return T.help.CountriesList(countries=[], hash=0)


@handler(F.help.GetTermsOfServiceUpdate, access=Access.ANYONE)
async def terms_of_service_update(request, ctx: RequestContext):
    return T.help.TermsOfServiceUpdateEmpty(expires=int(time.time()) + DAY)


@handler(F.help.GetPromoData, access=Access.ANYONE)
async def promo_data(request, ctx: RequestContext):
    return T.help.PromoDataEmpty(expires=int(time.time()) + DAY)


@handler(F.langpack.GetLangPack, access=Access.ANYONE)
async def lang_pack(request, ctx: RequestContext):
    return T.LangPackDifference(lang_code=request.lang_code or "en", from_version=0, version=1, strings=[])


@handler(F.langpack.GetDifference, access=Access.ANYONE)
async def lang_pack_difference(request, ctx: RequestContext):
    return T.LangPackDifference(lang_code=request.lang_code or "en", from_version=request.from_version,
                                version=max(1, request.from_version), strings=[])


@handler(F.langpack.GetStrings, access=Access.ANYONE)
async def lang_pack_strings(request, ctx: RequestContext):
    return []


@handler(F.langpack.GetLanguages, access=Access.ANYONE)
async def languages(request, ctx: RequestContext):
    return [english()]


@handler(F.langpack.GetLanguage, access=Access.ANYONE)
async def language(request, ctx: RequestContext):
    return english()


def english():
    return T.LangPackLanguage(name="English", native_name="English", lang_code="en", plural_code="en",
                              strings_count=0, translated_count=0, translations_url="", official=True)


@handler(F.account.GetContentSettings, access=Access.USER)
async def content_settings(request, ctx: RequestContext):
    return T.account.ContentSettings()


@handler(F.account.GetGlobalPrivacySettings, access=Access.USER)
async def global_privacy_settings(request, ctx: RequestContext):
    return T.GlobalPrivacySettings()


@handler(F.messages.GetDialogFilters, access=Access.USER)
async def dialog_filters(request, ctx: RequestContext):
    # No folders of the user's own yet; the "All chats" entry is always there, and TDLib
    # (the official apps) logs an error without it.
    return T.messages.DialogFilters(filters=[T.DialogFilterDefault()])


@handler(F.messages.GetAvailableReactions, access=Access.USER)
async def available_reactions(request, ctx: RequestContext):
    return T.messages.AvailableReactions(hash=0, reactions=[])


# -- the main screen -------------------------------------------------------------------
# No saved dialogs, quick replies, sticker sets or stories can exist yet: these lists
# are truly empty. (Dialogs and history are rpc/messages/messages.py's.)


@handler(F.messages.GetSavedDialogs, access=Access.USER)
async def saved_dialogs(request, ctx: RequestContext):
    return T.messages.SavedDialogs(dialogs=[], messages=[], chats=[], users=[])


@handler(F.messages.GetQuickReplies, access=Access.USER)
async def quick_replies(request, ctx: RequestContext):
    return T.messages.QuickReplies(quick_replies=[], messages=[], chats=[], users=[])


@handler(F.contacts.GetTopPeers, access=Access.USER)
async def top_peers(request, ctx: RequestContext):
    return T.contacts.TopPeersDisabled()


@handler(F.messages.GetAllStickers, F.messages.GetMaskStickers, F.messages.GetEmojiStickers, access=Access.USER)
async def all_stickers(request, ctx: RequestContext):
    return T.messages.AllStickers(hash=0, sets=[])


@handler(F.account.GetWallPapers, access=Access.USER)
async def wallpapers(request, ctx: RequestContext):
    return T.account.WallPapers(hash=0, wallpapers=[])


@handler(F.account.GetDefaultEmojiStatuses, access=Access.USER)
async def default_emoji_statuses(request, ctx: RequestContext):
    return T.account.EmojiStatuses(hash=0, statuses=[])


@handler(F.help.GetPeerColors, F.help.GetPeerProfileColors, access=Access.ANYONE)
async def peer_colors(request, ctx: RequestContext):
    return T.help.PeerColors(hash=0, colors=[])


@handler(F.help.GetTimezonesList, access=Access.ANYONE)
async def timezones(request, ctx: RequestContext):
    return T.help.TimezonesList(timezones=[], hash=0)


@handler(F.stories.GetAllStories, access=Access.USER)
async def all_stories(request, ctx: RequestContext):
    # No stories are posted here. A client that has a state is told nothing changed; one
    # without a state (its first call) needs the list itself, empty (Web K throws on
    # allStoriesNotModified there).
    if request.state:
        return T.stories.AllStoriesNotModified(state=request.state, stealth_mode=T.StoriesStealthMode())
    return T.stories.AllStories(count=0, state="0", peer_stories=[], chats=[], users=[],
                                stealth_mode=T.StoriesStealthMode())


# -- stickers, GIFs, reactions, themes: none on this server ------------------------------------


@handler(F.messages.GetStickers, access=Access.USER)
async def stickers(request, ctx: RequestContext):
    return T.messages.Stickers(hash=0, stickers=[])


@handler(F.messages.GetRecentStickers, access=Access.USER)
async def recent_stickers(request, ctx: RequestContext):
    return T.messages.RecentStickers(hash=0, packs=[], stickers=[], dates=[])


@handler(F.messages.GetFavedStickers, access=Access.USER)
async def faved_stickers(request, ctx: RequestContext):
    return T.messages.FavedStickers(hash=0, packs=[], stickers=[])


@handler(F.messages.GetSavedGifs, access=Access.USER)
async def saved_gifs(request, ctx: RequestContext):
    return T.messages.SavedGifs(hash=0, gifs=[])


@handler(F.messages.GetFeaturedStickers, F.messages.GetOldFeaturedStickers, F.messages.GetFeaturedEmojiStickers, access=Access.USER)
async def featured_stickers(request, ctx: RequestContext):
    return T.messages.FeaturedStickers(hash=0, count=0, sets=[], unread=[])


@handler(F.messages.GetAvailableEffects, access=Access.USER)
async def available_effects(request, ctx: RequestContext):
    return T.messages.AvailableEffects(hash=0, effects=[], documents=[])


@handler(F.account.GetReactionsNotifySettings, access=Access.USER)
async def reactions_notify_settings(request, ctx: RequestContext):
    return T.ReactionsNotifySettings(messages_notify_from=T.ReactionNotificationsFromContacts(),
                                     stories_notify_from=T.ReactionNotificationsFromContacts(),
                                     sound=T.NotificationSoundDefault(), show_previews=True)


@handler(F.account.GetWebBrowserSettings, access=Access.USER)
async def web_browser_settings(request, ctx: RequestContext):
    return T.account.WebBrowserSettings(external_exceptions=[], inapp_exceptions=[], hash=0)


@handler(F.aicompose.GetTones, access=Access.USER)
async def ai_compose_tones(request, ctx: RequestContext):
    return T.aicompose.Tones(hash=0, tones=[], users=[])


@handler(F.stories.GetPeerMaxIDs, access=Access.USER)
async def stories_peer_max_ids(request, ctx: RequestContext):
    # No stories are posted here: nothing recent for any peer, one entry per peer asked.
    return [T.RecentStory() for _ in request.id[:MAX_PEERS_PER_REQUEST]]

MAX_PEERS_PER_REQUEST = 200

# The sets apps load by kind rather than by name (the animated emoji, dice, default
# statuses and topic icons, ...): each exists, empty, since this server has no sticker
# files. A set named by id or short name does not exist.
_SPECIAL_STICKER_SETS = {
    T.InputStickerSetAnimatedEmoji: ("AnimatedEmojies", "Animated emoji"),
    T.InputStickerSetAnimatedEmojiAnimations: ("EmojiAnimations", "Emoji animations"),
    T.InputStickerSetPremiumGifts: ("GiftsPremium", "Premium gifts"),
    T.InputStickerSetEmojiGenericAnimations: ("EmojiGenericAnimations", "Generic animations"),
    T.InputStickerSetEmojiDefaultStatuses: ("StatusEmojiWhite", "Default statuses"),
    T.InputStickerSetEmojiDefaultTopicIcons: ("Topics", "Topic icons"),
    T.InputStickerSetEmojiChannelDefaultStatuses: ("ChannelStatusEmoji", "Channel statuses"),
    T.InputStickerSetTonGifts: ("TonGifts", "TON gifts"),
}


@handler(F.messages.GetStickerSet, access=Access.USER)
async def sticker_set(request, ctx: RequestContext):
    wanted = request.stickerset
    if isinstance(wanted, T.InputStickerSetDice):
        if not 0 < len(wanted.emoticon) <= 16:
            raise RpcError(400, E.STICKERSET_INVALID)
        short_name, title = f"Dice_{wanted.emoticon}", f"Dice {wanted.emoticon}"
    elif type(wanted) in _SPECIAL_STICKER_SETS:
        short_name, title = _SPECIAL_STICKER_SETS[type(wanted)]
    else:
        raise RpcError(400, E.STICKERSET_INVALID)  # no sticker sets of users' own exist
    set_id = int.from_bytes(hashlib.sha256(short_name.encode()).digest()[:8], "little", signed=True)
    emojis = isinstance(wanted, (T.InputStickerSetEmojiDefaultStatuses, T.InputStickerSetEmojiDefaultTopicIcons,
                                 T.InputStickerSetEmojiChannelDefaultStatuses))
    return T.messages.StickerSet(
        set=T.StickerSet(official=True, emojis=emojis, id=set_id, access_hash=set_id, title=title,
                         short_name=short_name, count=0, hash=0),
        packs=[], keywords=[], documents=[])


@handler(F.messages.GetEmojiKeywordsLanguages, access=Access.USER)
async def emoji_keywords_languages(request, ctx: RequestContext):
    return []


@handler(F.messages.GetTopReactions, F.messages.GetRecentReactions, access=Access.USER)
async def reactions(request, ctx: RequestContext):
    return T.messages.Reactions(hash=0, reactions=[])


@handler(F.account.GetThemes, F.account.GetChatThemes, access=Access.USER)
async def themes(request, ctx: RequestContext):
    return T.account.Themes(hash=0, themes=[])


@handler(F.help.GetRecentMeUrls, access=Access.ANYONE)
async def recent_me_urls(request, ctx: RequestContext):
    return T.help.RecentMeUrls(urls=[], chats=[], users=[])


@handler(F.messages.GetDefaultHistoryTTL, access=Access.USER)
async def default_history_ttl(request, ctx: RequestContext):
    return T.DefaultHistoryTTL(period=0)


# -- what a device reports or asks about itself -------------------------------------------------


@handler(F.account.RegisterDevice, F.account.UnregisterDevice, access=Access.USER)
async def push_token(request, ctx: RequestContext):
    # This server sends no push notifications: clients learn of messages over their
    # connection, so a token has nothing to do here.
    return True


@handler(F.help.SaveAppLog, access=Access.ANYONE)
async def app_log(request, ctx: RequestContext):
    return True


@handler(F.account.GetAccountTTL, access=Access.USER)
async def account_ttl(request, ctx: RequestContext):
    return T.AccountDaysTTL(days=365)  # accounts are never deleted for inactivity here


@handler(F.account.GetContactSignUpNotification, access=Access.USER)
async def contact_sign_up_notification(request, ctx: RequestContext):
    return False  # no "X joined" service messages are sent


@handler(F.messages.GetScheduledHistory, F.messages.GetUnreadMentions, F.messages.GetUnreadReactions, access=Access.USER)
async def no_messages(request, ctx: RequestContext):
    # Scheduled messages are not offered; mentions and reactions are not tracked.
    return T.messages.Messages(messages=[], topics=[], chats=[], users=[])


@handler(F.messages.ReadMentions, F.messages.ReadReactions, access=Access.USER)
async def read_mentions(request, ctx: RequestContext):
    user_id = ctx.user_id
    return T.messages.AffectedHistory(pts=await current_pts(ctx.services.storage, user_id), pts_count=0, offset=0)


@handler(F.messages.ReadMessageContents, access=Access.USER)
async def read_message_contents(request, ctx: RequestContext):
    # Media-unread (voice notes listened to) is not tracked: nothing changes.
    user_id = ctx.user_id
    return T.messages.AffectedMessages(pts=await current_pts(ctx.services.storage, user_id), pts_count=0)


@handler(F.messages.ReceivedMessages, access=Access.USER)
async def received_messages(request, ctx: RequestContext):
    # Older clients acknowledge delivery; per-message delivery receipts are not kept.
    return []


@handler(F.messages.GetArchivedStickers, access=Access.USER)
async def archived_stickers(request, ctx: RequestContext):
    return T.messages.ArchivedStickers(count=0, sets=[])


@handler(F.messages.GetAttachMenuBots, access=Access.USER)
async def attach_menu_bots(request, ctx: RequestContext):
    return T.AttachMenuBots(hash=0, bots=[], users=[])


@handler(F.account.GetSavedRingtones, access=Access.USER)
async def saved_ringtones(request, ctx: RequestContext):
    return T.account.SavedRingtones(hash=0, ringtones=[])


@handler(F.account.GetWebAuthorizations, access=Access.USER)
async def web_authorizations(request, ctx: RequestContext):
    return T.account.WebAuthorizations(authorizations=[], users=[])


@handler(F.help.GetCdnConfig, access=Access.ANYONE)
async def cdn_config(request, ctx: RequestContext):
    return T.CdnConfig(public_keys=[])  # files are served by this DC itself, never by a CDN


@handler(F.account.GetAutoDownloadSettings, access=Access.USER)
async def auto_download_settings(request, ctx: RequestContext):
    """Telegram's usual presets (low / medium / high), so apps have sane limits."""
    def preset(photo: int, video: int, file: int, bitrate: int) -> T.AutoDownloadSettings:
        return T.AutoDownloadSettings(photo_size_max=photo, video_size_max=video, file_size_max=file,
                                      video_upload_maxbitrate=bitrate, small_queue_active_operations_max=5,
                                      large_queue_active_operations_max=2)

    mb = 1024 * 1024
    return T.account.AutoDownloadSettings(low=preset(1 * mb, 0, 0, 50), medium=preset(1 * mb, 10 * mb, 1 * mb, 100),
                                          high=preset(1 * mb, 15 * mb, 3 * mb, 100))


@handler(F.messages.GetWebPagePreview, access=Access.USER)
async def web_page_preview(request, ctx: RequestContext):
    # Link previews need the server to fetch pages; it does not: no preview.
    return T.messages.WebPagePreview(media=T.MessageMediaEmpty(), chats=[], users=[])
