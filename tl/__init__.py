"""The TL toolchain: schema parser, generated classes, and the multi-layer codec.

    from tl import types, functions, decode, encode
    msg = decode(data, layer=158)        # canonical (newest-layer) objects
    data = encode(msg, layer=158)        # written in layer 158's constructors

No I/O here. Generated code lives in tl/generated/ (python -m tools.tlgen).
"""

from .codec import decode, decode_prefix, decode_result, encode, encode_result, write_into
from .errors import LayerMismatchError, TLDecodeError, TLEncodeError, TLError
from .generated import LAYER, functions, types
from .layers import (SHIPPED_LAYERS, register_fallback, register_result_adapter, register_upgrader,
                     serving_layer, unregister_fallback)
from .legacy import LegacyObject
from .tlobject import TLObject, TLRequest, from_dict

__all__ = [
    "LAYER", "SHIPPED_LAYERS", "types", "functions", "decode", "decode_prefix", "decode_result",
    "encode", "encode_result", "write_into", "TLError", "TLDecodeError", "TLEncodeError",
    "LayerMismatchError", "TLObject", "TLRequest", "LegacyObject", "from_dict",
    "register_fallback", "unregister_fallback", "register_result_adapter", "register_upgrader", "serving_layer",
]
