"""Secrets, file bytes and (on request) text never reach a capture record."""

import base64
import time

from server.capture.records import Recorder
from server.capture.redaction import REDACTED, redact
from tl import functions as F, types as T

from .test_records import capturing_session, records_of


def test_login_codes_passwords_tokens_and_file_bytes_are_redacted():
    srp = T.InputCheckPasswordSRP(srp_id=1, A=b"A" * 256, M1=b"M" * 32)
    objects = [
        F.auth.SignIn(phone_number="15550001", phone_code_hash="h", phone_code="73519"),
        F.auth.CheckPassword(password=srp),
        F.account.UpdatePasswordSettings(password=srp, new_settings=T.account.PasswordInputSettings(
            new_password_hash=b"H" * 32, hint="horse")),
        F.upload.SaveFilePart(file_id=1, file_part=0, bytes=b"secret-file" * 10),
        T.upload.File(type=T.storage.FilePartial(), mtime=0, bytes=b"x" * 1000),
        T.auth.ExportedAuthorization(id=5, bytes=b"t" * 40),
        F.auth.ImportAuthorization(id=5, bytes=b"t" * 40),
        T.auth.LoginToken(expires=1, token=b"k" * 32),
        F.auth.AcceptLoginToken(token=b"k" * 32),
        F.account.VerifyEmail(purpose=T.EmailVerifyPurposeLoginSetup(phone_number="1", phone_code_hash="h"),
                              verification=T.EmailVerificationCode(code="246810")),
        F.auth.BindTempAuthKey(perm_auth_key_id=1, nonce=2, expires_at=3, encrypted_message=b"e" * 64),
    ]
    text = str([redact(obj.to_dict()) for obj in objects])
    for secret in ("73519", "246810", base64.b64encode(b"A" * 24).decode(), base64.b64encode(b"M" * 24).decode(),
                   base64.b64encode(b"H" * 24).decode(), base64.b64encode(b"secret-file").decode()[:12],
                   base64.b64encode(b"t" * 24).decode(), base64.b64encode(b"k" * 24).decode(),
                   base64.b64encode(b"e" * 24).decode()):
        assert secret not in text, secret
    saved = redact(objects[3].to_dict())
    assert saved == {"_": "upload.saveFilePart", "file_id": 1, "file_part": 0, "bytes": "[110 bytes]"}
    assert redact(objects[4].to_dict())["bytes"] == "[1000 bytes]"
    assert redact(objects[0].to_dict())["phone_code"] == REDACTED
    assert redact(objects[0].to_dict())["phone_number"] == "15550001"  # filters need it


def test_service_account_messages_lose_their_text_and_text_masking_is_a_choice():
    login = T.Message(id=1, peer_id=T.PeerUser(user_id=777000), date=0, message="Login code: 73519.")
    mine = T.Message(id=2, peer_id=T.PeerUser(user_id=5), date=0, message="hello there")
    assert redact(login.to_dict())["message"] == REDACTED
    assert redact(mine.to_dict())["message"] == "hello there"
    assert redact(mine.to_dict(), mask_text=True)["message"] == "[text: 11 chars]"
    short = T.UpdateShortMessage(id=1, user_id=777000, message="Login code: 73519.", pts=1, pts_count=1, date=0)
    assert "73519" not in str(redact(short.to_dict()))


def test_a_captured_sign_in_keeps_its_method_and_loses_its_code():
    client, server, seen = capturing_session()
    server.receive(client.request(F.auth.SignIn(phone_number="15550001", phone_code_hash="h", phone_code="73519")),
                   time.time())
    [request] = [r for r in records_of(seen) if r["kind"] == "request"]
    assert request["obj"]["phone_code"] == REDACTED and "73519" not in str(request)
    [unredacted] = [r for r in Recorder(redact_secrets=False).records(seen[0]) if r["kind"] == "request"]
    assert unredacted["obj"]["phone_code"] == "73519"
