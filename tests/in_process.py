"""Calling handlers in process, as a logged-in user of a ServerState, for the tests that
drive several users through the real dispatcher and storage without a network."""

from __future__ import annotations

import pytest

import rpc  # noqa: F401  (registers the handlers)
import tl
from rpc.context import RequestContext
from rpc.dispatch import dispatch
from rpc.errors import RpcError


class InProcessUsers:
    def __init__(self, state):
        self.state = state
        self.storage = state.storage

    async def call(self, user_id, request, layer=tl.LAYER):
        """The request's result in `layer`'s shapes, as `user_id` (its own auth key id)."""
        ctx = RequestContext(auth_key_id=user_id, session_id=1, msg_id=1, layer=layer, config=self.state.config,
                             user_id=user_id, services=self.state)
        return tl.decode_result(request, await dispatch(request, ctx), layer)

    async def error(self, user_id, request) -> str:
        """The RPC error name the request is refused with."""
        with pytest.raises(RpcError) as info:
            await self.call(user_id, request)
        return info.value.message
