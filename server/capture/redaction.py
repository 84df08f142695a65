"""What a capture record may not show: secrets, file bytes, and (when asked) message text.

Works on the dict form of TL objects (``TLObject.to_dict``: ``{"_": name, field: value}``,
bytes as base64) and returns a redacted copy; the input is not changed. The rules go by
field name, so they hold in every layer and in objects nested anywhere (a password
check inside ``account.deleteAccount``, a login token inside an ``rpc_result``):

- secrets become ``"[redacted]"``: login and email codes (``phone_code``, ``code``),
  login and push tokens (``token``), SRP values and password hashes (``A``, ``M1``,
  ``srp_B``, ``secure_random``, ``new_password_hash``, ``current_password_hash``, the
  whole ``new_settings``), secure/proxy secrets (``secret``, ``secure_secret``,
  ``new_secure_settings``);
- byte payloads become ``"[N bytes]"``: file parts and chunks (``bytes`` of
  upload.saveFilePart, upload.file, ...), exported authorizations (auth.exportedAuthorization
  and auth.importAuthorization ``bytes``), ``encrypted_message`` (auth.bindTempAuthKey);
- messages from the service account (user 777000), which carry login codes, lose their
  text, always;
- with ``mask_text``, every ``message`` and ``text`` string becomes ``"[text: N chars]"``.

Auth keys themselves never reach a capture (they are not in any message); server salts
and phone_code_hash are not secrets on their own and stay.
"""

from __future__ import annotations

SERVICE_USER_ID = 777000
REDACTED = "[redacted]"

_SECRET_FIELDS = frozenset({
    "phone_code", "code", "token", "A", "M1", "srp_B", "secure_random", "new_password_hash",
    "current_password_hash", "new_settings", "secret", "secure_secret", "new_secure_settings", "password_hash",
})
_BYTES_FIELDS = frozenset({"bytes", "encrypted_message"})
_TEXT_FIELDS = frozenset({"message", "text"})
# Objects whose "message" is a chat message's text (a service-account one is a login code).
_MESSAGE_OBJECTS = frozenset({"message", "updateShortMessage", "updateShortChatMessage", "updateServiceNotification"})


def base64_length(value: str) -> int:
    """Bytes a base64 string stands for (to_dict writes bytes as standard base64)."""
    return len(value) * 3 // 4 - value[-2:].count("=") if value else 0


def redact(value, mask_text: bool = False, secrets: bool = True):
    """A copy of ``value`` (a to_dict form, or a list or scalar inside one) without
    secrets (unless ``secrets`` is False) and, with ``mask_text``, without text."""
    if isinstance(value, dict):
        return _redact_object(value, mask_text, secrets)
    if isinstance(value, list):
        return [redact(item, mask_text, secrets) for item in value]
    return value


def _redact_object(obj: dict, mask_text: bool, secrets: bool) -> dict:
    from_service = secrets and obj.get("_") in _MESSAGE_OBJECTS and _from_service_account(obj)
    out = {}
    for name, value in obj.items():
        if name == "_":
            out[name] = value
        elif secrets and name in _SECRET_FIELDS and value is not None and not isinstance(value, (int, bool)):
            out[name] = REDACTED
        elif secrets and name in _BYTES_FIELDS and isinstance(value, str):
            out[name] = f"[{base64_length(value)} bytes]"
        elif name in _TEXT_FIELDS and isinstance(value, str) and (mask_text or from_service):
            out[name] = REDACTED if from_service else f"[text: {len(value)} chars]"
        else:
            out[name] = redact(value, mask_text, secrets)
    return out


def _from_service_account(obj: dict) -> bool:
    if obj.get("user_id") == SERVICE_USER_ID:
        return True
    if obj.get("_") == "updateServiceNotification":
        return True
    for field in ("peer_id", "from_id"):
        peer = obj.get(field)
        if isinstance(peer, dict) and peer.get("user_id") == SERVICE_USER_ID:
            return True
    return False


__all__ = ["redact", "base64_length", "REDACTED", "SERVICE_USER_ID"]
