"""The shared rules behind the account handlers, without a server."""

import pytest

from rpc.errors import RpcError
from rpc.services.code_senders import FixedSender, LogSender, WebhookSender, parse_code_sender
from rpc.services.limits import RateLimit
from rpc.services.phones import normalize_phone
from rpc.services.privacy import DEFAULT_RULES, allows
from rpc.services.registration import allowlisted


@pytest.mark.parametrize("raw,phone", [("+1 (555) 000-1234", "15550001234"), ("447700900123", "447700900123")])
def test_phone_numbers_are_normalised(raw, phone):
    assert normalize_phone(raw) == phone


@pytest.mark.parametrize("raw", ["", "+", "12", "+1555abc", "0123456", "1" * 16])
def test_malformed_phone_numbers_are_phone_number_invalid(raw):
    with pytest.raises(RpcError) as info:
        normalize_phone(raw)
    assert info.value.message == "PHONE_NUMBER_INVALID"


def test_privacy_rules_named_users_beat_general_rules():
    owner, friend, stranger = 1, 2, 3
    rules = [{"_": "privacyValueAllowContacts"}, {"_": "privacyValueDisallowUsers", "users": [friend]},
             {"_": "privacyValueAllowUsers", "users": [stranger]}]
    assert not allows(rules, owner, friend, viewer_is_contact=True)
    assert allows(rules, owner, stranger, viewer_is_contact=False)
    assert allows(rules, owner, 4, viewer_is_contact=True) and not allows(rules, owner, 4, viewer_is_contact=False)
    everyone_but_contacts = [{"_": "privacyValueAllowAll"}, {"_": "privacyValueDisallowContacts"}]
    assert allows(everyone_but_contacts, owner, 5, False) and not allows(everyone_but_contacts, owner, 5, True)
    assert allows([{"_": "privacyValueDisallowAll"}], owner, owner, False)  # always visible to oneself


def test_default_privacy_is_telegrams():
    assert DEFAULT_RULES["phone_number"] == [{"_": "privacyValueAllowContacts"}]
    for key in ("added_by_phone", "chat_invite", "status_timestamp", "profile_photo"):
        assert DEFAULT_RULES[key] == [{"_": "privacyValueAllowAll"}]


def test_rate_limit_answers_flood_wait_with_the_seconds_left():
    limit = RateLimit(limit=3, window=60)
    for t in range(3):
        limit.hit("k", now=100 + t)
    with pytest.raises(RpcError) as info:
        limit.hit("k", now=110)
    assert (info.value.code, info.value.message) == (420, "FLOOD_WAIT_50")
    limit.hit("other", now=110)
    limit.hit("k", now=161)  # the first event left the window


def test_code_sender_specs():
    assert isinstance(parse_code_sender(None), LogSender)
    assert parse_code_sender("fixed:12345") == FixedSender("12345")
    assert parse_code_sender("webhook:https://example.test/hook") == WebhookSender("https://example.test/hook")
    for bad in ("fixed:abc", "fixed:1", "webhook:ftp://x", "carrier-pigeon"):
        with pytest.raises(ValueError):
            parse_code_sender(bad)


async def test_webhook_sender_posts_phone_and_code():
    import json
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from threading import Thread

    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    http = HTTPServer(("127.0.0.1", 0), Hook)
    Thread(target=http.serve_forever, daemon=True).start()
    try:
        await WebhookSender(f"http://127.0.0.1:{http.server_port}/").send("15550001", "24680")
    finally:
        http.shutdown()
    assert received == [{"phone": "15550001", "code": "24680"}]


def test_registration_allowlist_matches_numbers_and_prefixes():
    assert allowlisted("15550001234", ["+1555*"]) and allowlisted("447700900123", ["447700900123"])
    assert not allowlisted("15560001234", ["1555*", "44*0"])


def test_contacts_hash_matches_the_documented_algorithm():
    from rpc.contacts.contacts import contacts_hash

    assert contacts_hash([]) == 0
    assert contacts_hash([5, 3]) == contacts_hash([3, 5])
    assert contacts_hash([1]) == 1
