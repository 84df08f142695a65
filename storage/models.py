"""Records the storage keeps: plain immutable values, no TL, no SQL.

Handlers turn them into TL objects for the reader's layer and privacy view; the
backends (storage/sqlite.py, storage/postgres.py) turn them into rows.
"""

from __future__ import annotations

from typing import Any

import msgspec


class AuthKeyRecord(msgspec.Struct, frozen=True, kw_only=True):
    key_id: int  # signed int64 (mtproto.crypto.auth_key_id)
    key: bytes  # 256 bytes
    created_at: int
    temporary: bool = False
    expires_at: int | None = None
    perm_key_id: int | None = None  # auth.bindTempAuthKey
    layer: int | None = None
    client_info: dict[str, Any] = {}

    @classmethod
    def from_handshake(cls, auth_key: Any) -> AuthKeyRecord:
        """From mtproto.handshake.AuthKey, what a finished handshake produced."""
        return cls(key_id=auth_key.key_id, key=auth_key.key, created_at=auth_key.created_at,
                   temporary=auth_key.temporary, expires_at=auth_key.expires_at)

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class UserRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    access_hash: int  # signed int64, random per user; every InputUser must carry it
    phone: str  # digits only, no "+"
    first_name: str
    last_name: str = ""
    username: str | None = None  # as the user spelled it; unique case-insensitively
    about: str = ""
    created_at: int = 0
    last_seen: int = 0  # unix time of the last activity (0: never)
    online_until: int = 0  # account.updateStatus(offline=False) sets now + timeout
    banned: bool = False
    deleted: bool = False


class PasswordRecord(msgspec.Struct, frozen=True, kw_only=True):
    """2FA settings of one user (SRP, https://core.telegram.org/api/srp)."""

    user_id: int
    salt1: bytes  # server part + client part, as the client sent it in new_algo
    salt2: bytes
    g: int
    p: bytes
    verifier: bytes  # v = g^x mod p, 256 bytes
    hint: str = ""
    email: str | None = None
    srp_id: int = 0  # changes every time the password changes (account.password.srp_id)
    updated_at: int = 0


class AuthorizationRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A logged-in device: one per permanent auth key (account.getAuthorizations)."""

    auth_key_id: int
    user_id: int
    hash: int  # what account.resetAuthorization names; never 0 (0 is "this device")
    created_at: int
    active_at: int
    api_id: int = 0
    device_model: str = ""
    platform: str = ""
    system_version: str = ""
    app_name: str = ""
    app_version: str = ""
    ip: str = ""
    country: str = ""
    # Signed in with the code, but the account has a 2FA password that has not been
    # checked yet (SESSION_PASSWORD_NEEDED): not logged in until auth.checkPassword.
    password_pending: bool = False


class PhoneCodeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A login code sent by auth.sendCode, until used, cancelled or expired."""

    phone: str
    phone_code_hash: str
    code: str
    created_at: int
    expires_at: int
    attempts: int = 0  # wrong guesses so far
    # auth.signIn accepted the code for a phone with no account: auth.signUp may follow.
    verified: bool = False


class ContactRecord(msgspec.Struct, frozen=True, kw_only=True):
    owner_id: int
    user_id: int
    first_name: str = ""
    last_name: str = ""
    added_at: int = 0


class UpdateStateRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A user's common message box state (updates.getState). pts starts at 1 (PROTOCOL.md rule 27)."""

    user_id: int
    pts: int = 1
    qts: int = 0
    seq: int = 0
    date: int = 0


class InviteRecord(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    created_at: int
    used_by: int | None = None
    used_at: int | None = None
