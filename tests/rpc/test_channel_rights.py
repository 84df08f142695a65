"""rpc/channels/rights.py: flag tables match the schema; TL round trips; the checks."""

import pathlib
import re
import types

from rpc.channels import rights
from tl import types as T

SCHEMA = sorted((pathlib.Path(__file__).parents[2] / "schema").glob("*229*.tl"))[0].read_text()


def _schema_bits(constructor: str) -> dict[str, int]:
    line = next(x for x in SCHEMA.splitlines() if x.startswith(constructor + "#"))
    return {name: int(bit) for name, bit in re.findall(r"(\w+):flags\.(\d+)\?true", line)}


def test_tables_are_the_schemas_bits():
    assert rights.ADMIN_RIGHTS == _schema_bits("chatAdminRights")
    assert rights.BANNED_RIGHTS == _schema_bits("chatBannedRights")


def test_tl_round_trips():
    admin = T.ChatAdminRights(change_info=True, ban_users=True, pin_messages=True)
    assert rights.admin_rights_object(rights.admin_flags(admin)) == admin
    banned = T.ChatBannedRights(send_media=True, send_stickers=True, until_date=99)
    assert rights.banned_rights_object(rights.banned_flags(banned), 99) == banned


def _participant(role, admin_rights=0, banned_rights=0, banned_until=0):
    return types.SimpleNamespace(role=role, admin_rights=admin_rights, banned_rights=banned_rights,
                                 banned_until=banned_until)


def test_checks():
    channel = types.SimpleNamespace(default_banned_rights=rights.banned_bit("send_polls"))
    creator, member = _participant("creator"), _participant("member")
    admin = _participant("admin", admin_rights=rights.admin_bit("pin_messages"))
    muted = _participant("restricted", banned_rights=rights.banned_bit("send_messages"), banned_until=100)
    assert rights.has_admin_right(creator, channel, "ban_users")
    assert rights.has_admin_right(admin, channel, "pin_messages") and not rights.has_admin_right(
        admin, channel, "ban_users")
    assert not rights.has_admin_right(member, channel, "pin_messages")
    assert rights.forbidden(member, channel, "send_polls", now=0)
    assert not rights.forbidden(admin, channel, "send_polls", now=0)
    assert rights.forbidden(muted, channel, "send_messages", now=50)
    assert not rights.forbidden(muted, channel, "send_messages", now=150)  # the restriction ran out
