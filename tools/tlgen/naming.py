"""How TL names become Python names (shared by the generator and the layer tables)."""

from __future__ import annotations

import keyword

# TL field names that cannot be Python attribute or parameter names as they are.
_RESERVED = {"self"}


def class_name(tl_name: str) -> str:
    """`p_q_inner_data` → `PQInnerData`, `resPQ` → `ResPQ`, `user` → `User`."""
    return "".join(part[:1].upper() + part[1:] for part in tl_name.split("_") if part)


def abstract_class_name(type_name: str) -> str:
    """`User` → `TypeUser`; namespaced types live in their namespace module."""
    return "Type" + class_name(type_name.rpartition(".")[2])


def abstract_flat_name(type_name: str) -> str:
    """The unique name in tl/generated/abstract.py: `messages.Messages` → `TypeMessages_Messages`."""
    ns, _, name = type_name.rpartition(".")
    base = "Type" + class_name(name)
    return f"{base}_{class_name(ns)}" if ns else base


def attr_name(tl_name: str) -> str:
    if keyword.iskeyword(tl_name) or tl_name in _RESERVED:
        return tl_name + "_"
    return tl_name
