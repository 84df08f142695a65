"""Issue 12.6: a phone number written in other scripts' digits is the same number, never
a second account that displays like the victim's (nor a way around the per-phone limits)."""

import pytest

from rpc.errors import RpcError
from rpc.services.phones import normalize_phone
from tests.server.test_admin import admin

VICTIM = "15550001234"


@pytest.mark.parametrize("raw", [
    "１５５５０００１２３４",            # full-width
    "١٥٥٥٠٠٠١٢٣٤",                       # Arabic-Indic
    "۱۵۵۵۰۰۰۱۲۳۴",                       # extended Arabic-Indic (Persian)
    "१५५५०००१२३४",                       # Devanagari
    "+1 555 ０００ 1234",                 # mixed
    "𝟏𝟓𝟓𝟓𝟎𝟎𝟎𝟏𝟐𝟑𝟒",                     # mathematical bold
])
def test_other_scripts_decimal_digits_are_the_same_ascii_number(raw):
    assert normalize_phone(raw) == VICTIM


@pytest.mark.parametrize("raw", [
    "¹⁵⁵⁵⁰⁰⁰¹²³⁴",      # superscripts: isdigit() but not decimal digits
    "①⑤⑤⑤⓪⓪⓪①②③④",     # circled
    "1555000123\u2074",  # one superscript four
    "15550001234\u200b",  # zero-width space
    "1555\u00a00001234\u0301",  # combining accent
    "٠١٥٥٥٠٠٠١٢٣٤",      # Arabic-Indic zero first: still a leading zero
])
def test_digit_look_alikes_that_are_not_decimal_digits_are_refused(raw):
    with pytest.raises(RpcError) as info:
        normalize_phone(raw)
    assert info.value.message == "PHONE_NUMBER_INVALID"


def test_normalised_numbers_are_ascii_only():
    assert normalize_phone("+٤٤ ٧٧٠٠ ٩٠٠١٢٣").isascii()


def test_admin_create_with_look_alike_digits_hits_the_existing_account(tmp_path, capsys):
    code, out, _ = admin(tmp_path, capsys, "users", "create", VICTIM, "Victim")
    assert code == 0
    user_id = int(out.split()[2])
    code, _, err = admin(tmp_path, capsys, "users", "create", "１５５５０００１２３４", "Mallory")
    assert code == 1 and "already has an account" in err
    code, out, _ = admin(tmp_path, capsys, "users", "list")
    assert len(out.splitlines()[1:]) == 1  # one account (the header row first)
    # An id typed in other digits is the same id, not a lookup by a strange phone number.
    code, out, _ = admin(tmp_path, capsys, "users", "ban", "".join(chr(0xFF10 + int(d)) for d in str(user_id)))
    assert code == 0 and f"user {user_id}" in out


def test_a_fixed_login_code_is_ascii_digits():
    from rpc.services.code_senders import parse_code_sender

    with pytest.raises(ValueError):
        parse_code_sender("fixed:１２３４５")
