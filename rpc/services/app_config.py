"""help.getAppConfig: the client-side knobs apps read from the server.

Telegram sends a large JSON object; apps read a few dozen keys and fall back to their own
defaults for the rest, but some read a key without a fallback (Telegram Web K throws
without fragment_prefixes). DEFAULTS holds what this server's features mean for apps;
an operator adds or overrides keys with a JSON file (the app_config_file setting),
read once per process.
"""

from __future__ import annotations

import hashlib
from functools import cache

import msgspec

from .json_values import to_tl

DEFAULTS: dict = {
    # Anonymous numbers (Fragment): none here, but apps match phone numbers against it.
    "fragment_prefixes": ["888"],
    "test": 0,
    "emojies_animated_zoom": 0.625,
    "emojies_send_dice": [],
    "emojies_sounds": {},
    "gif_search_branding": "",
    "gif_search_emojies": [],
    "stickers_emoji_suggest_only_api": False,
    "stickers_emoji_cache_time": 86400,
    "qr_login_camera": False,
    "qr_login_code": "disabled",
    "dialog_filters_enabled": True,
    "dialog_filters_tooltip": False,
    "autoarchive_setting_available": False,
    "pending_suggestions": [],
    "round_video_encoding": {"diameter": 384, "video_bitrate": 1000, "audio_bitrate": 64, "max_size": 12582912},
    "chat_read_mark_size_threshold": 100,
    "chat_read_mark_expire_period": 604800,
    "pm_read_date_expire_period": 604800,
    "reactions_uniq_max": 11,
    "reactions_user_max_default": 1,
    "reactions_user_max_premium": 1,
    "premium_purchase_blocked": True,
    "premium_invoice_slug": "",
    "stories_all_hidden": True,
    "stories_posting": "disabled",
    "stories_entities": "disabled",
    "stories_changelog_user_id": 777000,
    "channels_limit_default": 500,
    "channels_limit_premium": 500,
    "dialogs_pinned_limit_default": 5,
    "dialogs_pinned_limit_premium": 5,
    "dialogs_folder_pinned_limit_default": 100,
    "caption_length_limit_default": 1024,
    "caption_length_limit_premium": 1024,
    "upload_max_fileparts_default": 4000,
    "upload_max_fileparts_premium": 4000,
    "about_length_limit_default": 70,
    "about_length_limit_premium": 70,
    "saved_gifs_limit_default": 200,
    "stickers_faved_limit_default": 5,
    "dialog_filters_limit_default": 10,
    "dialog_filters_chats_limit_default": 100,
    "channels_public_limit_default": 10,
    "telegram_antispam_user_id": "0",
    "ignore_restriction_reasons": [],
    "url_auth_domains": [],
    "autologin_domains": [],
    "whitelisted_domains": [],
}


@cache
def app_config(path: str | None) -> tuple[object, int]:
    """(the config as a JSONValue, its hash). Operator keys from `path` win."""
    values = dict(DEFAULTS)
    if path:
        with open(path, "rb") as file:
            extra = msgspec.json.decode(file.read())
        if not isinstance(extra, dict):
            raise ValueError(f"{path}: the app config must be a JSON object")
        values.update(extra)
    digest = hashlib.sha256(msgspec.json.encode(values)).digest()
    return to_tl(values), int.from_bytes(digest[:4], "little", signed=True)
