"""Outside storage/ no code tells users, groups and channels apart by the sign of an
integer id: a peer is a storage.peer.Peer (kind and id), asked with `match peer.kind:`
or `peer.is_user`, and how storage packs one into an integer is storage's business.

A source scan of rpc/, server/ and tools/ (with the names that hold peers or chat ids
found by spelling) refuses what the integer encoding invites:
- comparing such a value with 0 (`peer < 0`, `0 < peer != user_id`, `[p for p in peers if p > 0]`);
- negating one (`-peer`, `-request.chat_id`);
- reading a record's raw `peer_id` key, except straight into `Peer.from_key(...)`
  (read `record.peer` instead).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("rpc", "server", "tools")
# Files allowed to do what the scan refuses, each with why (none today).
ALLOWED: dict[str, str] = {}
PEERISH = re.compile(r"peer|chat", re.IGNORECASE)
_ORDERING = (ast.Lt, ast.Gt, ast.LtE, ast.GtE)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def _comprehension_peers(tree: ast.AST) -> set[str]:
    """Names bound by comprehensions over peers (`p` in `[p for p in peers ...]`)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.comprehension) and any(PEERISH.search(n) for n in _names(node.iter)):
            found |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return found


def _is_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == 0


def _from_key_arguments(tree: ast.AST) -> set[int]:
    """ids of the nodes passed to Peer.from_key (a raw key read only to decode it)."""
    return {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "from_key" for arg in node.args}


def problems(source: str) -> list[tuple[int, str]]:
    """(line, what) for every sign test, negation or raw key read of a peer in `source`."""
    tree = ast.parse(source)
    bound = _comprehension_peers(tree)

    def peerish(node: ast.AST) -> bool:
        return any(PEERISH.search(n) or n in bound for n in _names(node))

    decoded = _from_key_arguments(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for left, op, right in zip(sides, node.ops, sides[1:]):
                if isinstance(op, _ORDERING) and (
                        (_is_zero(right) and peerish(left)) or (_is_zero(left) and peerish(right))):
                    found.append((node.lineno, f"sign test {ast.unparse(node)!r}: ask peer.kind"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and peerish(node.operand):
            found.append((node.lineno, f"negated {ast.unparse(node)!r}: build Peer.chat(id) / read peer.id"))
        elif isinstance(node, ast.Attribute) and node.attr == "peer_id" and isinstance(node.ctx, ast.Load) \
                and id(node) not in decoded:
            found.append((node.lineno, f"raw key {ast.unparse(node)!r}: read .peer"))
    return sorted(found)


def test_no_code_outside_storage_reads_the_peer_encoding():
    found = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            if name in ALLOWED:
                continue
            found += [f"{name}:{line}: {what}" for line, what in problems(path.read_text())]
    assert not found, "\n".join(found)


def test_the_scan_finds_what_it_refuses():
    bad = """
if peer < 0: pass
if 0 < peer_id != user_id: pass
users = [p for p in peers if p > 0]
chats = [-p for p in peers if p < 0]
chat = -request.chat_id
key = record.peer_id
"""
    assert [line for line, _ in problems(bad)] == [2, 3, 4, 5, 5, 6, 7]


def test_the_scan_lets_the_rest_be():
    fine = """
if peer.kind is PeerKind.CHAT and offset < 0 and count > 0: pass
frame = transport.frame_error(-404)
peer = Peer.from_key(event.peer_id)
message = T.Message(peer_id=peer_object(record.peer))
"""
    assert problems(fine) == []
