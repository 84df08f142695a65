"""Capture files: JSON lines appended to one file per UTC day or per auth key, rotated
by size, the oldest removed past a count. Plain blocking file I/O: the capture writer
calls it from a worker thread (server/capture/writer.py), never on the event loop.

Names: ``capture-2025-01-31.000.jsonl`` (split by day) or ``key-<auth key id as 16 hex
digits>.000.jsonl`` (split by auth key); when a file reaches ``rotate_bytes`` the next
one is ``.001.jsonl``, ``.002.jsonl``, ... (so names sort in time order). A restarted
server appends to the newest file of a name while it has room. With ``keep_files`` > 0 the oldest ``*.jsonl``
files of the directory go once there are more (the open ones stay).
"""

from __future__ import annotations

import os
import re
import time
from collections import OrderedDict
from pathlib import Path

MAX_OPEN_FILES = 32
DIR_MODE = 0o700
FILE_MODE = 0o600


def file_stem(split: str, auth_key_id: int, when: float) -> str:
    if split == "auth_key":
        return f"key-{auth_key_id & 0xFFFFFFFFFFFFFFFF:016x}"
    return "capture-" + time.strftime("%Y-%m-%d", time.gmtime(when))


class _Open:
    __slots__ = ("path", "file", "size", "stem", "index")

    def __init__(self, stem: str, index: int, path: Path):
        self.stem, self.index, self.path = stem, index, path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        self.file = os.fdopen(fd, "ab", buffering=1 << 16)
        self.size = self.file.tell()


class CaptureFiles:
    def __init__(self, directory: str | os.PathLike, split: str = "day", rotate_bytes: int = 64 << 20,
                 keep_files: int = 100):
        self.directory = Path(directory)
        self.split = split
        self.rotate_bytes = rotate_bytes
        self.keep_files = keep_files
        self._open: OrderedDict[str, _Open] = OrderedDict()
        self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)

    def write(self, auth_key_id: int, when: float, line: bytes) -> None:
        stem = file_stem(self.split, auth_key_id, when)
        current = self._open.get(stem)
        if current is None:
            current = self._open_stem(stem)
        elif current.size and current.size + len(line) > self.rotate_bytes:
            current = self._rotate(current)
        self._open.move_to_end(stem)
        current.file.write(line)
        current.size += len(line)

    def flush(self) -> None:
        for current in self._open.values():
            current.file.flush()

    def close(self) -> None:
        for current in self._open.values():
            current.file.close()
        self._open.clear()

    def paths(self) -> list[Path]:
        return [current.path for current in self._open.values()]

    def _path(self, stem: str, index: int) -> Path:
        return self.directory / f"{stem}.{index:03d}.jsonl"

    def _open_stem(self, stem: str) -> _Open:
        pattern = re.compile(re.escape(stem) + r"\.(\d+)\.jsonl$")
        indexes = [int(m.group(1)) for name in os.listdir(self.directory) if (m := pattern.match(name))]
        index = max(indexes, default=0)
        current = _Open(stem, index, self._path(stem, index))
        if current.size >= self.rotate_bytes:
            current.file.close()
            current = _Open(stem, index + 1, self._path(stem, index + 1))
        self._add(current)
        return current

    def _rotate(self, current: _Open) -> _Open:
        current.file.close()
        del self._open[current.stem]
        nxt = _Open(current.stem, current.index + 1, self._path(current.stem, current.index + 1))
        self._add(nxt)
        return nxt

    def _add(self, current: _Open) -> None:
        self._open[current.stem] = current
        while len(self._open) > MAX_OPEN_FILES:
            _, oldest = self._open.popitem(last=False)
            oldest.file.close()
        self._prune()

    def _prune(self) -> None:
        if self.keep_files <= 0:
            return
        files = [p for p in self.directory.glob("*.jsonl") if p.is_file()]
        if len(files) <= self.keep_files:
            return
        in_use = {current.path for current in self._open.values()}
        files.sort(key=lambda p: p.stat().st_mtime)
        for path in files[: len(files) - self.keep_files]:
            if path not in in_use:
                try:
                    path.unlink()
                except OSError:
                    pass


__all__ = ["CaptureFiles", "file_stem"]
