"""Capture records from files and directories, oldest first; or followed as they grow.

A directory means its ``*.jsonl`` files. Each file is in time order already (one
writer appends to it), so files are merged by ``time``. A line that is not a JSON
object (a file cut short by a crash, say) is skipped and counted in ``Reader.bad_lines``.
"""

from __future__ import annotations

import heapq
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec

_ROTATED = re.compile(r"^(?P<stem>.*?)(?:\.(?P<index>\d+))?\.jsonl$")


def capture_files(paths: list[str]) -> list[Path]:
    """The files the paths name (directories: their *.jsonl), rotated ones in order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in path.glob("*.jsonl") if p.is_file())
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such capture file or directory: {raw}")
    return sorted(dict.fromkeys(found), key=_order)


def _order(path: Path):
    match = _ROTATED.match(path.name)
    if match is None:
        return (str(path.parent), path.name, 0)
    return (str(path.parent), match.group("stem"), int(match.group("index") or 0))


class Reader:
    def __init__(self):
        self.bad_lines = 0
        self._decoder = msgspec.json.Decoder()

    def _parse(self, line: bytes) -> dict | None:
        line = line.strip()
        if not line:
            return None
        try:
            record = self._decoder.decode(line)
        except msgspec.DecodeError:
            self.bad_lines += 1
            return None
        if not isinstance(record, dict):
            self.bad_lines += 1
            return None
        return record

    def _file(self, path: Path) -> Iterator[dict]:
        with open(path, "rb") as file:
            for line in file:
                record = self._parse(line)
                if record is not None:
                    yield record

    def records(self, paths: list[str]) -> Iterator[dict]:
        files = capture_files(paths)
        return heapq.merge(*(self._file(p) for p in files), key=lambda r: r.get("time") or 0)

    def follow(self, paths: list[str], poll: float = 0.25, stop=lambda: False) -> Iterator[dict]:
        """New records as they are appended (like tail -f), from the current ends of the
        files; directories are watched for new files (rotation, a new day or key)."""
        offsets: dict[Path, int] = {}
        for path in capture_files(paths):
            offsets[path] = path.stat().st_size
        partial: dict[Path, bytes] = {}
        while not stop():
            grew = False
            for path in _current(paths, offsets):
                try:
                    size = path.stat().st_size
                except OSError:
                    continue
                start = offsets.get(path, 0)
                if size < start:  # truncated or replaced: read it again
                    start = 0
                if size == start:
                    continue
                with open(path, "rb") as file:
                    file.seek(start)
                    data = partial.pop(path, b"") + file.read(size - start)
                offsets[path] = size
                lines = data.split(b"\n")
                if lines[-1]:
                    partial[path] = lines[-1]
                for line in lines[:-1]:
                    record = self._parse(line)
                    if record is not None:
                        grew = True
                        yield record
            if not grew:
                time.sleep(poll)


def _current(paths: list[str], known: dict[Path, int]) -> list[Path]:
    files = list(known)
    for raw in paths:
        if os.path.isdir(raw):
            for path in Path(raw).glob("*.jsonl"):
                if path not in known:
                    known[path] = 0
                    files.append(path)
    return sorted(files, key=_order)


__all__ = ["Reader", "capture_files"]
