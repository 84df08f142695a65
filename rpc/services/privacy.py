"""Privacy rules: who may see a user's phone number, last-seen time, photo...

Rules are stored per user and key in their TL dict form (privacyValue* as dicts), so
storage stays TL-free. Keys are the snake-case names of the privacyKey* constructors.
Defaults are Telegram's: everyone may find you by phone, invite you, see your last-seen
time and photo; only your contacts see your phone number.
"""

from __future__ import annotations

from tl import types as T

# InputPrivacyKey / PrivacyKey class → storage key, and back.
INPUT_KEYS = {
    T.InputPrivacyKeyStatusTimestamp: "status_timestamp",
    T.InputPrivacyKeyChatInvite: "chat_invite",
    T.InputPrivacyKeyPhoneCall: "phone_call",
    T.InputPrivacyKeyPhoneP2P: "phone_p2p",
    T.InputPrivacyKeyForwards: "forwards",
    T.InputPrivacyKeyProfilePhoto: "profile_photo",
    T.InputPrivacyKeyPhoneNumber: "phone_number",
    T.InputPrivacyKeyAddedByPhone: "added_by_phone",
    T.InputPrivacyKeyVoiceMessages: "voice_messages",
    T.InputPrivacyKeyAbout: "about",
    T.InputPrivacyKeyBirthday: "birthday",
}
OUTPUT_KEYS = {
    "status_timestamp": T.PrivacyKeyStatusTimestamp, "chat_invite": T.PrivacyKeyChatInvite,
    "phone_call": T.PrivacyKeyPhoneCall, "phone_p2p": T.PrivacyKeyPhoneP2P, "forwards": T.PrivacyKeyForwards,
    "profile_photo": T.PrivacyKeyProfilePhoto, "phone_number": T.PrivacyKeyPhoneNumber,
    "added_by_phone": T.PrivacyKeyAddedByPhone, "voice_messages": T.PrivacyKeyVoiceMessages,
    "about": T.PrivacyKeyAbout, "birthday": T.PrivacyKeyBirthday,
}

_ALLOW_ALL = {"_": "privacyValueAllowAll"}
_ALLOW_CONTACTS = {"_": "privacyValueAllowContacts"}
DEFAULT_RULES: dict[str, list[dict]] = {key: [_ALLOW_ALL] for key in OUTPUT_KEYS}
DEFAULT_RULES["phone_number"] = [_ALLOW_CONTACTS]
DEFAULT_RULES["phone_call"] = [_ALLOW_ALL]


def rules_or_default(key: str, stored: list[dict] | None) -> list[dict]:
    return stored if stored is not None else DEFAULT_RULES.get(key, [_ALLOW_ALL])


def allows(rules: list[dict], owner_id: int, viewer_id: int, viewer_is_contact: bool) -> bool:
    """Whether `viewer_id` passes `owner_id`'s rules (`viewer_is_contact`: the viewer is
    in the owner's contacts). Named users beat everything; then allow-all (minus
    disallowed contacts), then allow-contacts; anything else is hidden."""
    if viewer_id == owner_id:
        return True
    kinds = {r["_"] for r in rules}
    for r in rules:
        if r["_"] == "privacyValueDisallowUsers" and viewer_id in r.get("users", ()):
            return False
    for r in rules:
        if r["_"] == "privacyValueAllowUsers" and viewer_id in r.get("users", ()):
            return True
    if viewer_is_contact and "privacyValueDisallowContacts" in kinds:
        return False
    if "privacyValueAllowAll" in kinds:
        return True
    return viewer_is_contact and "privacyValueAllowContacts" in kinds


def input_rules_to_stored(rules: list, resolve_user) -> list[dict]:
    """InputPrivacyRule objects → stored dicts; `resolve_user(input_user) -> user id`
    (raising the RPC error for a bad one). Rule kinds we do not model are dropped."""
    out: list[dict] = []
    simple = {
        T.InputPrivacyValueAllowAll: "privacyValueAllowAll",
        T.InputPrivacyValueAllowContacts: "privacyValueAllowContacts",
        T.InputPrivacyValueDisallowAll: "privacyValueDisallowAll",
        T.InputPrivacyValueDisallowContacts: "privacyValueDisallowContacts",
    }
    for rule in rules:
        if type(rule) in simple:
            out.append({"_": simple[type(rule)]})
        elif isinstance(rule, (T.InputPrivacyValueAllowUsers, T.InputPrivacyValueDisallowUsers)):
            kind = "privacyValueAllowUsers" if isinstance(rule, T.InputPrivacyValueAllowUsers) else "privacyValueDisallowUsers"
            out.append({"_": kind, "users": [resolve_user(u) for u in rule.users]})
    return out


def stored_to_rules(stored: list[dict]) -> list:
    """Stored dicts → PrivacyRule objects for account.getPrivacy / updatePrivacy."""
    out = []
    for r in stored:
        kind = r["_"]
        if kind in ("privacyValueAllowUsers", "privacyValueDisallowUsers"):
            cls = T.PrivacyValueAllowUsers if kind == "privacyValueAllowUsers" else T.PrivacyValueDisallowUsers
            out.append(cls(users=list(r.get("users", []))))
        else:
            out.append(tl_class(kind)())
    return out


def tl_class(predicate: str):
    from tl.tlobject import REGISTRY

    return REGISTRY[predicate]


def users_in(stored: list[dict]) -> list[int]:
    return [u for r in stored for u in r.get("users", ())]
