"""What sending to or reading a dialog resets, on every device of the user: the draft
there, and the dialog's unread mark."""

from __future__ import annotations

from storage.peer import Peer

from ..context import RequestContext
from ..updates.events import DialogUnreadMark, Draft
from ..updates.publish import publish


async def clear_draft_after_send(ctx: RequestContext, peer: Peer) -> None:
    """A message sent to the peer replaces the draft there (on every device)."""
    if await ctx.services.storage.drafts.clear(ctx.user_id, peer):
        await publish_draft_cleared(ctx, peer)


async def publish_draft_cleared(ctx: RequestContext, peer: Peer) -> None:
    """Every device of the user learns the draft there is gone (a send that cleared it
    in its own transaction: storage's clear_draft)."""
    await publish(ctx.services, Draft(peer=peer), [ctx.user_id])


async def clear_unread_mark_after_read(ctx: RequestContext, peer: Peer) -> None:
    """Reading a dialog unmarks it, on every device (the reading one too: its app may
    not clear the mark by itself)."""
    if await ctx.services.storage.unread_marks.clear(ctx.user_id, peer):
        await publish(ctx.services, DialogUnreadMark(peer=peer), [ctx.user_id])
