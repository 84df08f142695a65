"""The server's public RSA key in the shape each client embeds it (``mtserver pubkey --format``).

Every Telegram client ships the server's public key in its own source, and each keeps it
differently; this module renders one key as text ready to paste into each. It only
formats: the key itself comes from server/keys.py, the fingerprint from
:func:`mtproto.crypto.rsa_fingerprint` (the one the handshake compares against).

Formats (docs/clients.md says where each one goes):

* ``pem`` -- PKCS#1 PEM, then the fingerprint lines (the default, what ``mtserver
  pubkey`` has always printed; tests/e2e/server_process.py parses it);
* ``pkcs1`` -- only the "BEGIN RSA PUBLIC KEY" PEM: Telethon (``rsa.add_key``), mtcute
  (``addPublicKey``), and what TDLib, Telegram Desktop, Android and iOS compile in. For
  a 2048-bit key with exponent 65537 it is always 426 bytes (425 without the final line
  break, as the apps embed it), so it can replace Telegram's key inside a built binary;
* ``spki`` -- "BEGIN PUBLIC KEY" (SubjectPublicKeyInfo), what generic tools read by
  default (openssl, Java's X509EncodedKeySpec, Node's crypto); Telegram Desktop accepts
  it too. None of the clients here requires it;
* ``fingerprint`` -- the two fingerprint lines alone: unsigned 16-digit hex and the
  signed int64 Telegram's TL ``long`` carries;
* ``c`` -- the PKCS#1 PEM as adjacent C string literals with ``\\n`` line breaks and no
  final break, the shape of TDLib's PublicRsaKeySharedMain.cpp and the apps' sources
  (C, C++, Objective-C after an ``@``);
* ``android`` (alias ``java``) -- Telegram Android's tgnet/Handshake.cpp statements:
  the key into ``serverPublicKeys`` and its unsigned fingerprint into
  ``serverPublicKeysFingerprints`` (Android keeps its keys in C++, not Java);
* ``pyrogram`` -- an entry of ``server_public_keys`` in pyrogram/crypto/rsa.py: signed
  fingerprint to ``PublicKey(modulus, exponent)``;
* ``gramjs`` -- a JavaScript statement adding the key to GramJS's key table
  (telegram/crypto/RSA ``_serverKeys``: signed decimal fingerprint to decimal ``n``);
* ``webk`` -- an entry of ``publisKeysHex`` in Telegram Web K's
  src/lib/mtproto/rsaKeysManager.ts (hex modulus and exponent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a key is rendered: `mtserver --help` should not pay for them
    from cryptography.hazmat.primitives.asymmetric import rsa

FORMATS = ("pem", "pkcs1", "spki", "fingerprint", "c", "android", "java", "pyrogram", "gramjs", "webk")


def render(public_key: rsa.RSAPublicKey, fmt: str = "pem") -> str:
    """``public_key`` as text in format ``fmt`` (one of :data:`FORMATS`), ending with a line break."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown public key format {fmt!r}; known: {', '.join(FORMATS)}") from None
    return renderer(public_key)


def pkcs1_pem(public_key: rsa.RSAPublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode("ascii")


def spki_pem(public_key: rsa.RSAPublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def fingerprint_of(public_key: rsa.RSAPublicKey) -> int:
    """Telegram's fingerprint of the key, as a signed int64."""
    from mtproto.crypto import rsa_fingerprint

    numbers = public_key.public_numbers()
    return rsa_fingerprint(numbers.n, numbers.e)


def fingerprint_hex(fingerprint: int) -> str:
    from mtproto.crypto import fingerprint_hex as as_hex

    return as_hex(fingerprint)


def _fingerprint_lines(public_key: rsa.RSAPublicKey) -> str:
    fingerprint = fingerprint_of(public_key)
    return f"fingerprint: {fingerprint_hex(fingerprint)}\nfingerprint (signed int64): {fingerprint}\n"


def _pem(public_key: rsa.RSAPublicKey) -> str:
    return pkcs1_pem(public_key) + _fingerprint_lines(public_key)


def _c_literal_lines(public_key: rsa.RSAPublicKey) -> list[str]:
    """One C string literal per PEM line, each but the last ending in ``\\n``.

    PEM is base64 and ASCII armour only, so nothing needs escaping besides the line
    break itself.
    """
    lines = pkcs1_pem(public_key).rstrip("\n").split("\n")
    return [f'"{line}\\n"' for line in lines[:-1]] + [f'"{lines[-1]}"']


def _c(public_key: rsa.RSAPublicKey) -> str:
    return "\n".join(_c_literal_lines(public_key)) + "\n"


def _android(public_key: rsa.RSAPublicKey) -> str:
    head = "serverPublicKeys.emplace_back("
    literals = _c_literal_lines(public_key)
    indent = " " * len(head)
    body = head + literals[0] + "\n" + "".join(f"{indent}{line}\n" for line in literals[1:-1])
    body += f"{indent}{literals[-1]});\n"
    return body + f"serverPublicKeysFingerprints.push_back(0x{fingerprint_hex(fingerprint_of(public_key))});\n"


def _hex_digits(value: int) -> str:
    """Minimal big-endian hex with an even number of digits, as the key tables write n and e."""
    digits = f"{value:x}"
    return digits if len(digits) % 2 == 0 else "0" + digits


def _pyrogram(public_key: rsa.RSAPublicKey) -> str:
    numbers = public_key.public_numbers()
    modulus = _hex_digits(numbers.n).upper()
    chunks = "\n".join(f'            "{modulus[i:i + 64]}"' for i in range(0, len(modulus), 64))
    fingerprint = fingerprint_of(public_key)
    return (f"    {fingerprint}: PublicKey(  # mtserver, fingerprint {fingerprint_hex(fingerprint)}\n"
            f"        int(\n{chunks},\n            16\n        ),  # Modulus\n"
            f'        int("{_hex_digits(numbers.e).upper()}", 16)  # Exponent\n'
            f"    ),\n")


def _gramjs(public_key: rsa.RSAPublicKey) -> str:
    numbers = public_key.public_numbers()
    return (f'require("telegram/crypto/RSA")._serverKeys.set("{fingerprint_of(public_key)}", {{\n'
            f'  n: require("big-integer")("{numbers.n}"),\n'
            f"  e: {numbers.e},\n"
            f"}});\n")


def _webk(public_key: rsa.RSAPublicKey) -> str:
    numbers = public_key.public_numbers()
    return (f"{{\n  modulus: '{_hex_digits(numbers.n)}',\n"
            f"  exponent: '{_hex_digits(numbers.e)}'\n}},\n")


_RENDERERS: dict[str, Callable[[rsa.RSAPublicKey], str]] = {
    "pem": _pem,
    "pkcs1": pkcs1_pem,
    "spki": spki_pem,
    "fingerprint": _fingerprint_lines,
    "c": _c,
    "android": _android,
    "java": _android,
    "pyrogram": _pyrogram,
    "gramjs": _gramjs,
    "webk": _webk,
}
assert set(_RENDERERS) == set(FORMATS)
