"""help.getConfig's answers, encoded once per second and reused.

Every client asks for the config (every app's first call on a new key is
invokeWithLayer(initConnection(help.getConfig)), and TDLib asks again on each
connection), and the answer is the same for everyone with the same layer and dialled
DC: only `date` and `expires` move, with the clock's second. So the bytes are kept
for the second they were made in, per (layer, this_dc): building and encoding the
Config (30 DcOptions) is ~70 µs on a slow core, a lookup well under one.

The server's Config is frozen and replaced by a copy when a runtime setting changes
(server/runtime_settings.py), so answers made from another Config object are dropped
with it: a change shows in the next answer. At most one second's answers are kept:
one per shipped layer and listed DC.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from ..encoded_result import EncodedResult


class EncodedConfigs:
    __slots__ = ("_config", "_second", "_answers")

    def __init__(self) -> None:
        self._config: object | None = None
        self._second: int | None = None
        self._answers: dict[Hashable, EncodedResult] = {}

    def get(self, config: object, second: int, key: Hashable, encode: Callable[[], bytes]) -> EncodedResult:
        """The answer for `key` made from `config` in `second`: kept, or `encode()`d now."""
        if config is not self._config or second != self._second:
            self._config, self._second, self._answers = config, second, {}
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = EncodedResult(encode())
        return answer


__all__ = ["EncodedConfigs"]
