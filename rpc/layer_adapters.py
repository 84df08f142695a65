"""What older layers send and expect in another shape than the handlers' canonical one,
handed to the TL codec by one explicit call: `install_layer_adapters()`.

tl/ serves every shipped layer from one object model (tl/layers.py). Where an older
layer's method carries a field in another shape (an upgrader: the request is brought
to the canonical shape when decoded, so handlers read one shape) or returns another
type (a result adapter: the canonical result becomes the value that layer's type
holds), the conversion follows from what the handlers read and return, so it is
written here, beside them, not in tl/.

Importing rpc registers nothing: the codec behaves the same whatever was imported.
The server calls `install_layer_adapters()` as it starts (server/app.py serve); tools
and tests that decode or encode for older layers as the server does call it too.
Calling it again changes nothing.
"""

from __future__ import annotations

import tl
from tl import functions as F, types as T

from .messages.reports import reason_as_option


def _reply_to(request, dropped: dict):
    """Layer 158 (Pyrogram 2.0.106, among others) names the replied-to message with
    `reply_to_msg_id` / `top_msg_id`; from layer 160 on it is `reply_to: InputReplyTo`."""
    msg_id = dropped.get("reply_to_msg_id")
    if msg_id is None or getattr(request, "reply_to", None) is not None:
        return request
    request.reply_to = T.InputReplyToMessage(reply_to_msg_id=msg_id, top_msg_id=dropped.get("top_msg_id"))
    return request


def _signatures(request, dropped: dict):
    """Before layer 190 channels.toggleSignatures has `enabled: Bool`; from 190 on
    `signatures_enabled` (and profiles_enabled, which older clients do not set)."""
    if "enabled" in dropped:
        request.signatures_enabled = bool(dropped["enabled"])
    return request


# predicate → fn(canonical request, {old field name: value}) → the request handlers get
UPGRADERS = {
    **dict.fromkeys(("messages.sendMessage", "messages.sendMedia", "messages.sendMultiMedia", "messages.saveDraft",
                     "messages.sendInlineBotResult"), _reply_to),
    # Layers 158-170 send a ReportReason where newer ones choose an option (rpc/messages/reports.py).
    "messages.report": reason_as_option,
    "channels.toggleSignatures": _signatures,
}

def _invited_updates(result):
    """messages.invitedUsers for a layer before 190: its Updates, with one
    updateGroupInvitePrivacyForbidden (a constructor those layers have and the canonical
    one does not) for each user whose privacy kept them out."""
    updates = result.updates
    if not result.missing_invitees or not isinstance(updates, T.Updates):
        return updates
    refused = [tl.LegacyObject("updateGroupInvitePrivacyForbidden", 0xCCF08AD6, {"user_id": m.user_id})
               for m in result.missing_invitees]
    return T.Updates(updates=[*updates.updates, *refused], users=updates.users, chats=updates.chats,
                     date=updates.date, seq=updates.seq)


# method → fn(canonical result, layer) → what that layer's result type holds
RESULT_ADAPTERS = {
    # Before layer 17x the method returned the bare list.
    "messages.getDialogFilters": lambda result, layer: result.filters,
    # Before layer 2xx the answer was each peer's max story id.
    "stories.getPeerMaxIDs": lambda result, layer: [r.max_id or 0 for r in result],
    # Before layer 198 the answer was the MessageMedia alone.
    "messages.getWebPagePreview": lambda result, layer: result.media,
    # Before layer 190 these returned the Updates alone (before 227 for importChatInvite).
    "messages.createChat": lambda result, layer: result.updates,
    "messages.addChatUser": lambda result, layer: result.updates,
    "messages.importChatInvite": lambda result, layer: result.updates,
    # Before layer 227 channels.joinChannel returned the Updates alone; before 190
    # channels.inviteToChannel did (with the users their privacy kept out, below).
    "channels.inviteToChannel": lambda result, layer: _invited_updates(result),
    "channels.joinChannel": lambda result, layer: result.updates,
    # Before ReportResult (layer 189) messages.report answered Bool: the report is filed.
    "messages.report": lambda result, layer: True,
}


def _input_peer_channel(channel):
    if isinstance(channel, T.InputPeerChannel):  # sent where the schema says InputChannel (PROTOCOL.md 28)
        return channel
    if isinstance(channel, T.InputChannel):
        return T.InputPeerChannel(channel_id=channel.channel_id, access_hash=channel.access_hash)
    if isinstance(channel, T.InputChannelFromMessage):
        return T.InputPeerChannelFromMessage(peer=channel.peer, msg_id=channel.msg_id, channel_id=channel.channel_id)
    return T.InputPeerEmpty()


# Methods an older layer calls by a name the canonical layer no longer has (they arrive
# as tl.LegacyObject): predicate → fn(its values by parameter name) → the canonical
# request the dispatcher routes instead (rpc/dispatch.py, `canonical_call`). The result
# type is the same, so it is written as the older layer declares it.
RENAMED_METHODS = {
    # Layers 158-222 pass a channel on with channels.editCreator; from 223 on it is
    # messages.editChatCreator, for any peer.
    "channels.editCreator": lambda values: F.messages.EditChatCreator(
        peer=_input_peer_channel(values.get("channel")), user_id=values.get("user_id"),
        password=values.get("password")),
}


def _on_peer(method, **renamed):
    """An older layer's channels.* topic method as today's messages.* one: the channel
    becomes the peer, the other parameters keep their names (or take `renamed`'s)."""
    def rename(values):
        fields = {renamed.get(k, k): v for k, v in values.items() if k not in ("channel", "flags")}
        return method(peer=_input_peer_channel(values.get("channel")), **fields)
    return rename


# Layers 158-214 call the forum topic methods channels.* with an InputChannel; from 216
# on they are messages.* with an InputPeer (rpc/channels/topics_methods.py).
RENAMED_METHODS.update({
    "channels.createForumTopic": _on_peer(F.messages.CreateForumTopic),
    "channels.getForumTopics": _on_peer(F.messages.GetForumTopics),
    "channels.getForumTopicsByID": _on_peer(F.messages.GetForumTopicsByID),
    "channels.editForumTopic": _on_peer(F.messages.EditForumTopic),
    "channels.updatePinnedForumTopic": _on_peer(F.messages.UpdatePinnedForumTopic),
    "channels.deleteTopicHistory": _on_peer(F.messages.DeleteTopicHistory),
})


def _pinned_topic(update, layer):
    """updatePinnedForumTopic for layers before 216: updateChannelPinnedTopic, which names
    the channel by id."""
    return tl.LegacyObject("updateChannelPinnedTopic", 0x192EFBE3, {
        "pinned": update.pinned, "channel_id": update.peer.channel_id, "topic_id": update.topic_id})


# predicate → fn(canonical object, layer) → what a layer without that predicate is sent
FALLBACKS = {
    "updatePinnedForumTopic": _pinned_topic,
}


def canonical_call(request):
    """The request the dispatcher routes: an older layer's renamed method as today's."""
    if isinstance(request, tl.LegacyObject):
        rename = RENAMED_METHODS.get(request.QUALNAME)
        if rename is not None:
            return rename(request.values)
    return request


def install_layer_adapters() -> None:
    """Register every upgrader, result adapter and fallback above with tl."""
    for predicate, upgrade in UPGRADERS.items():
        tl.register_upgrader(predicate, upgrade)
    for method, adapt in RESULT_ADAPTERS.items():
        tl.register_result_adapter(method, adapt)
    for predicate, fallback in FALLBACKS.items():
        tl.register_fallback(predicate, fallback)


__all__ = ["canonical_call", "install_layer_adapters"]
