"""Basic-group methods whose result type changed between layers are answered in the
client layer's type (the adapters are in rpc/layer_adapters.py)."""

import pytest

import tl
from tl import functions as F, types as T

pytestmark = pytest.mark.usefixtures("layer_adapters")

UPDATES = T.Updates(updates=[], users=[], chats=[T.ChatForbidden(id=7, title="t")], date=1, seq=0)


@pytest.mark.parametrize("request_, result, first_new_layer", [
    (F.messages.CreateChat(users=[], title="t"), T.messages.InvitedUsers(updates=UPDATES, missing_invitees=[]), 190),
    (F.messages.AddChatUser(chat_id=7, user_id=T.InputUserSelf(), fwd_limit=0),
     T.messages.InvitedUsers(updates=UPDATES, missing_invitees=[]), 190),
    (F.messages.ImportChatInvite(hash="h"), T.messages.ChatInviteJoinResultOk(updates=UPDATES), 227),
], ids=["createChat", "addChatUser", "importChatInvite"])
def test_older_layers_get_the_updates_alone(request_, result, first_new_layer):
    for layer in tl.SHIPPED_LAYERS:
        written = tl.decode(tl.encode_result(request_, result, layer), layer)
        assert written == (result if layer >= first_new_layer else UPDATES), layer
