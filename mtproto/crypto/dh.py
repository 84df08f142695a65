"""The server's half of the handshake's Diffie-Hellman exchange.

https://core.telegram.org/mtproto/auth_key steps 6-8: the server picks a secret
``a``, sends g_a = g^a mod dh_prime inside server_DH_inner_data, receives g_b in
client_DH_inner_data and computes auth_key = g_b^a mod dh_prime.

dh_prime is the 2048-bit safe prime published on that page (and on
security_guidelines#validation-of-dh-parameters); clients compare it against the
copy built into them, so it must not change. g must generate the subgroup of
prime order (p-1)/2, i.e. be a quadratic residue mod p; the page turns that into
a condition on p for each small g, implemented in :func:`generator_is_valid`.
For this prime g = 3, 4 and 7 qualify (2, 5 and 6 do not); 3 is what Telegram
sends (samples-auth_key) and what we use.

Range checks ("g_a and g_b validation" in security_guidelines): 1 < g, g_a, g_b
< p - 1, and the recommended 2^(2048-64) < g_a, g_b < p - 2^(2048-64). The
server applies them to the client's g_b and to its own g_a (regenerating ``a``
in the rare case g_a falls outside) since clients reject such a g_a.

Only :func:`generate_dh_secret` draws randomness (from its ``randbytes``, the system
CSPRNG unless a test passes a seeded one); the other functions are pure, so tests
pass ``a`` explicitly. Exponentiations with ``a`` use the constant-time
:func:`~.modexp.powmod_secret`.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .errors import DhParameterError
from .modexp import powmod_secret

# Big-endian bytes as printed on https://core.telegram.org/mtproto/auth_key.
DH_PRIME_BYTES = bytes.fromhex(
    "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f"
    "48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37"
    "20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64"
    "2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4"
    "a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754"
    "fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4"
    "e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f"
    "0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b"
)
DH_PRIME = int.from_bytes(DH_PRIME_BYTES, "big")

#: Generator sent in server_DH_inner_data.
DH_G = 3

#: 2^(2048-64): the margin security_guidelines recommends around g_a and g_b.
SAFETY_MARGIN = 1 << (2048 - 64)


def generator_is_valid(g: int, p: int = DH_PRIME) -> bool:
    """Whether ``g`` is a quadratic residue mod the safe prime ``p``.

    The conditions are those auth_key step 6 derives from quadratic
    reciprocity for each g a client may receive; any other g is rejected by
    clients, so it is rejected here too.
    """
    if g == 2:
        return p % 8 == 7
    if g == 3:
        return p % 3 == 2
    if g == 4:
        return True  # 4 = 2^2 is always a square
    if g == 5:
        return p % 5 in (1, 4)
    if g == 6:
        return p % 24 in (19, 23)
    if g == 7:
        return p % 7 in (3, 5, 6)
    return False


#: Generators from {3, 4, 5, 7} that are valid for :data:`DH_PRIME`.
VALID_GENERATORS: tuple[int, ...] = tuple(g for g in (3, 4, 5, 7) if generator_is_valid(g))


def check_dh_value(value: int, p: int = DH_PRIME, *, name: str = "g_b") -> None:
    """Raise :class:`DhParameterError` unless ``value`` is a safe g_a/g_b for ``p``."""
    if not 1 < value < p - 1:
        raise DhParameterError(f"{name} is not in (1, dh_prime - 1)")
    if not SAFETY_MARGIN < value < p - SAFETY_MARGIN:
        raise DhParameterError(f"{name} is not in (2^1984, dh_prime - 2^1984)")


def check_g_b(g_b: int | bytes, p: int = DH_PRIME) -> int:
    """Validate the client's g_b and return it as an int.

    g_b may be given as the raw TL ``bytes``: it is read big-endian whatever its
    length, because some clients strip a leading zero byte of g_b and send 255
    bytes about once in 256 handshakes (PROTOCOL.md rule 25; Telethon 1.45
    serialises it with the minimal byte length). The range checks still apply.
    """
    value = int.from_bytes(g_b, "big") if isinstance(g_b, (bytes, bytearray, memoryview)) else g_b
    check_dh_value(value, p, name="g_b")
    return value


def generate_dh_secret(g: int = DH_G, p: int = DH_PRIME,
                       randbytes: Callable[[int], bytes] = os.urandom) -> tuple[int, int]:
    """Pick the server's secret ``a`` (2048 random bits) and return ``(a, g_a)``.

    Loops until g_a passes :func:`check_dh_value`, since a client would reject
    it; the probability of even one retry is about 2^-63.
    """
    while True:
        a = int.from_bytes(randbytes(256), "big")
        g_a = powmod_secret(g, a, p)
        try:
            check_dh_value(g_a, p, name="g_a")
        except DhParameterError:
            continue
        return a, g_a


def compute_auth_key(g_b: int | bytes, a: int, p: int = DH_PRIME) -> bytes:
    """auth_key = g_b^a mod p as exactly 256 big-endian bytes (auth_key step 8).

    g_b is validated first (see :func:`check_g_b`). The key keeps its leading
    zero bytes: auth_key is a 2048-bit string, and auth_key_id / msg_key hash
    all 256 bytes of it.

    Telethon 1.45 builds its key with the minimal byte length
    (``AuthKey(get_byte_array(gab))``), so when the key starts with a zero byte
    (about 1 handshake in 256) its auth_key_aux_hash differs from ours, its
    new_nonce_hash1 check fails and it starts a new handshake. Nothing the server
    sends can avoid that; the retry costs one extra round of the handshake.
    """
    value = check_g_b(g_b, p)
    return powmod_secret(value, a, p).to_bytes(256, "big")
