"""Every RPC error name in rpc/ is a constant of rpc.errors.E: Telegram's (rpc/error_names.py,
generated from Telegram's list) or one of the few the server adds, each explained there."""

import ast
import re
from pathlib import Path

import pytest

from rpc.error_names import TelegramErrors
from rpc.errors import E, flood_wait, numbered

RPC = Path(__file__).resolve().parents[2] / "rpc"
GENERATED = {RPC / "error_names.py"}
ERRORS_MODULE = RPC / "errors.py"
NAME = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")


def _constants(cls) -> dict[str, str]:
    return {k: v for k, v in vars(cls).items() if not k.startswith("__")}


def _sources():
    for path in sorted(RPC.rglob("*.py")):
        if path not in GENERATED:
            yield path, ast.parse(path.read_text())


def test_no_error_name_is_written_as_a_string():
    found = []
    for path, tree in _sources():
        if path == ERRORS_MODULE:
            continue  # E's own names are defined there
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME.match(node.value):
                found.append(f"{path.relative_to(RPC.parent)}:{node.lineno}: {node.value!r} (write E.{node.value})")
    assert not found, "\n".join(found)


def test_every_constant_used_is_known():
    unknown = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "E" \
                    and not hasattr(E, node.attr):
                unknown.append(f"{path.relative_to(RPC.parent)}:{node.lineno}: E.{node.attr}")
    assert not unknown, "\n".join(unknown)


def test_the_servers_own_names_are_few_and_not_telegrams():
    telegram = set(_constants(TelegramErrors).values())
    own = {v for k, v in _constants(E).items() if k not in _constants(TelegramErrors)}
    assert own == {"EMAIL_NOT_ALLOWED", "EMAIL_NOT_SETUP", "CHAT_SEND_PLAIN_FORBIDDEN", "INTERNAL_SERVER_ERROR", "INTERNAL",
                   "METHOD_NOT_IMPLEMENTED", "TOPIC_TITLE_EMPTY", "TOPIC_ID_INVALID", "TOPIC_NOT_MODIFIED",
                   "TOPIC_CLOSED", "TOPICS_EMPTY"}
    assert not own & telegram
    assert all(k == v or k == "_" + v for k, v in _constants(E).items())


def test_numbered_names():
    assert numbered(E.FILE_PART_X_MISSING, 3) == "FILE_PART_3_MISSING"
    assert numbered(E.EMAIL_UNCONFIRMED_X, 6) == "EMAIL_UNCONFIRMED_6"
    assert flood_wait(30).message == "FLOOD_WAIT_30"
    with pytest.raises(ValueError):
        numbered(E.PHONE_CODE_INVALID, 1)
