"""help.*: what a client asks before it shows anything (config, nearest DC)."""

from __future__ import annotations

import time

import tl
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..services.data_centers import dc_options, this_dc
from ..services.service_account import SERVICE_PHONE, SERVICE_USER_ID
from ..services.users import UserView
from .encoded_configs import EncodedConfigs

CONFIG_LIFETIME = 3600

_ENCODED = EncodedConfigs()


@handler(F.help.GetConfig, access=Access.ANYONE)
async def get_config(request, ctx: RequestContext):
    # The same bytes for everyone on this layer and DC within a second (encoded_configs.py).
    now = int(time.time())
    dc = this_dc(ctx.config, ctx.dialled_dc)
    layer = ctx.layer
    return _ENCODED.get(ctx.config, now, (layer, dc),
                        lambda: tl.encode_result(request, config_at(ctx.config, dc, now), layer))


def config_at(config, dc: int, now: int) -> T.Config:
    """help.getConfig's answer at `now` for a client that dialled `dc`."""
    return T.Config(
        date=now, expires=now + CONFIG_LIFETIME, test_mode=False, this_dc=dc,
        dc_options=dc_options(config), dc_txt_domain_name="", chat_size_max=config.chat_size_max,
        megagroup_size_max=200000, forwarded_count_max=100, online_update_period_ms=210000,
        offline_blur_timeout_ms=5000, offline_idle_timeout_ms=30000, online_cloud_timeout_ms=300000,
        notify_cloud_delay_ms=30000, notify_default_delay_ms=1500, push_chat_period_ms=60000,
        push_chat_limit=2, edit_time_limit=172800, revoke_time_limit=2147483647,
        revoke_pm_time_limit=2147483647, rating_e_decay=2419200, stickers_recent_limit=200,
        channels_read_media_period=604800, tmp_sessions=None, call_receive_timeout_ms=20000,
        call_ring_timeout_ms=90000, call_connect_timeout_ms=30000, call_packet_timeout_ms=10000,
        me_url_prefix="https://t.me/", caption_length_max=1024, message_length_max=4096,
        webfile_dc_id=config.dc_id,
    )


@handler(F.help.GetNearestDc, access=Access.ANYONE)
async def get_nearest_dc(request, ctx: RequestContext):
    # Every DC is this server: the one dialled is the nearest.
    dc = this_dc(ctx.config, ctx.dialled_dc)
    return T.NearestDc(country=ctx.config.country, this_dc=dc, nearest_dc=dc)


@handler(F.help.GetSupport, access=Access.USER)
async def support(request, ctx: RequestContext):
    """The service account answers for support (its messages are the server's own)."""
    user_id = ctx.user_id
    user = await UserView(ctx.services.storage, user_id).user(SERVICE_USER_ID)
    return T.help.Support(phone_number=SERVICE_PHONE, user=user)


@handler(F.help.GetInviteText, access=Access.ANYONE)
async def invite_text(request, ctx: RequestContext):
    return T.help.InviteText(message=f"Join me on {ctx.config.public_host}: any Telegram app can connect to it.")
