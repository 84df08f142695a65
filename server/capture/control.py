"""What the capture records, and how an operator changes it while the server runs.

``CaptureControl`` is the switch and the filters: on/off, user ids, phone numbers, auth
key ids, method name patterns, and whether message text is masked. It starts from the
settings (``capture_*``, server/config.py) and can be changed at run time without a
restart through ``<capture dir>/control.json``, which the server reads when it changes
(checked every second). Every key is optional; a key that is absent keeps its setting;
deleting the file goes back to the settings::

    {"enabled": true, "users": [1000001], "phones": ["+15550001"], "auth_keys": [-4211...],
     "methods": ["messages.*", "auth.signIn"], "mask_text": false}

A file that is not valid is reported in the log and changes nothing.

``Selection`` applies the filters to records. "Who" filters (users, phones, auth keys)
match when any of them does; the method filter (fnmatch patterns, ``messages.*``)
applies on top. A user is matched through the user its auth key is logged in as; a phone
also through the ``phone_number`` of a request (auth.sendCode, auth.signIn, ...), whose
auth key is followed from then on, so a login is captured from its first request. No I/O.
"""

from __future__ import annotations

import fnmatch

import msgspec

CONTROL_FILE = "control.json"


class CaptureControl(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    enabled: bool = True
    users: list[int] = []
    phones: list[str] = []
    auth_keys: list[int] = []
    methods: list[str] = []
    mask_text: bool = False

    @classmethod
    def from_config(cls, config) -> "CaptureControl":
        return cls(users=list(config.capture_users), phones=list(config.capture_phones),
                   auth_keys=list(config.capture_auth_keys), methods=list(config.capture_methods),
                   mask_text=config.capture_mask_text)

    def with_file(self, data: bytes) -> "CaptureControl":
        """These settings with a control file's keys over them; ValueError if the file is
        not a JSON object of the known keys with values of the right types."""
        try:
            override = msgspec.json.decode(data, type=_ControlFile)
        except msgspec.DecodeError as exc:
            raise ValueError(f"{CONTROL_FILE}: {exc}") from None
        changes = {name: getattr(override, name) for name in override.__struct_fields__
                   if getattr(override, name) is not None}
        return msgspec.structs.replace(self, **changes)

    def describe(self) -> dict:
        return msgspec.to_builtins(self)


class _ControlFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    enabled: bool | None = None
    users: list[int] | None = None
    phones: list[str] | None = None
    auth_keys: list[int] | None = None
    methods: list[str] | None = None
    mask_text: bool | None = None


def phone_digits(phone: str) -> str:
    return "".join(ch for ch in str(phone) if ch.isdigit())


class Selection:
    """The filters of one CaptureControl, with what they learnt (followed auth keys)."""

    def __init__(self, control: CaptureControl, users_by_phone: dict[str, int] | None = None):
        self.control = control
        self.users = set(control.users) | set((users_by_phone or {}).values())
        self.phones = frozenset(phone_digits(p) for p in control.phones)
        self.auth_keys = frozenset(control.auth_keys)
        self.methods = tuple(control.methods)
        self.everyone = not (self.users or self.phones or self.auth_keys)
        self.followed: set[int] = set()

    def add_user(self, user_id: int) -> None:
        """A user found by one of the filter's phones."""
        self.users.add(user_id)

    def may_want(self, auth_key_id: int, user_id: int | None) -> bool:
        """False when nothing of this key's traffic can be kept (then it is not decoded)."""
        if self.everyone or auth_key_id in self.auth_keys or auth_key_id in self.followed or user_id in self.users:
            return True
        # A key not logged in may be logging in with a wanted phone.
        return user_id is None and bool(self.phones)

    def keep(self, record: dict, user_id: int | None) -> bool:
        key = record["auth_key_id"]
        if not self.everyone and not (key in self.auth_keys or key in self.followed or user_id in self.users):
            if not self._names_phone(record):
                return False
            self.followed.add(key)
        if self.methods:
            method = record.get("method")
            return method is not None and any(fnmatch.fnmatchcase(method, p) for p in self.methods)
        return True

    def _names_phone(self, record: dict) -> bool:
        obj = record.get("obj")
        if not self.phones or record.get("kind") != "request" or not isinstance(obj, dict):
            return False
        while isinstance(obj.get("query"), dict):
            obj = obj["query"]
        phone = obj.get("phone_number") or obj.get("phone")
        return isinstance(phone, str) and phone_digits(phone) in self.phones


__all__ = ["CaptureControl", "Selection", "CONTROL_FILE", "phone_digits"]
