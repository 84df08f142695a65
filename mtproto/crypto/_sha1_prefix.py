"""Find the TL payload inside ``SHA1(data) + data + random padding``.

Two handshake payloads use this shape without stating data's length: the old
RSA padding of req_DH_params (https://core.telegram.org/mtproto/auth_key, before
RSA_PAD) and the AES-encrypted client_DH_inner_data (step 7). The length is
implicit in the TL object, but decoding TL is not this package's job, so we
search instead: a TL serialisation is always a multiple of 4 bytes, which leaves
at most a few dozen candidate lengths, and the one whose SHA1 matches is the
data. A false match would need a SHA1 collision.
"""

from __future__ import annotations

import hashlib
import hmac


def sha1_prefix_length(digest: bytes, blob: bytes, max_padding: int) -> int | None:
    """Length L (multiple of 4) such that SHA1(blob[:L]) == digest and
    ``len(blob) - L <= max_padding``, or None when no such L exists."""
    shortest = max(0, len(blob) - max_padding)
    longest = len(blob) - len(blob) % 4
    for length in range(longest, shortest - 1, -4):
        if hmac.compare_digest(hashlib.sha1(blob[:length]).digest(), digest):
            return length
    return None
