"""The fuzz suite: hostile input for the transport, the handshake, the TL decoder and the
encrypted session, with the invariants each must keep (no foreign exception, no hang,
bounded memory and CPU).

    python -m tests.fuzz --minutes 10                  # every target, in turns
    python -m tests.fuzz --minutes 2 --target tl --seed 7
    python -m tests.fuzz --replay fuzz-failures/tl-0123456789abcdef.json

tests/fuzz/test_fuzz.py runs each target for about a second with a fixed seed, in CI.
Modules: mutate (byte mutations), target (what a target is), transport / handshake /
tl_decoder / session (one target each), runner (time-boxed runs, failures, replay).
"""

from __future__ import annotations


def targets(tl_layers: tuple[int, ...] | None = None) -> dict:
    """Every target by name. `tl_layers`: the schemas the TL target builds valid objects
    from (default all shipped layers)."""
    from . import handshake, session, tl_decoder, transport

    tl_target = tl_decoder.make_target(tl_layers) if tl_layers else tl_decoder.TARGET
    return {t.name: t for t in (transport.TARGET, handshake.TARGET, tl_target, session.TARGET)}
