"""Notification settings and unread marks, as rpc/services/notify_view.py and the
handlers build them, are writable in every shipped layer (the stories fields and the
newer updateDialogUnreadMark are dropped for older clients, not leaked)."""

import pytest

import tl
from rpc.errors import RpcError
from rpc.services.notify_view import is_exception, notify_peer_object, record_from_input, settings_object
from storage.models import NotifySettingsRecord
from storage.peer import Peer
from tl import functions as F, types as T

FULL = NotifySettingsRecord(owner_id=1, scope="peer", peer=Peer.chat(5), show_previews=False, silent=True,
                            mute_until=2**31 - 1, sound={"_": "notificationSoundLocal", "title": "t", "data": "d"},
                            stories_muted=True, stories_hide_sender=False,
                            stories_sound={"_": "notificationSoundNone"})


@pytest.mark.parametrize("record", [None, FULL], ids=["default", "full"])
def test_settings_answer_every_layer(record):
    request = F.account.GetNotifySettings(peer=T.InputNotifyPeer(peer=T.InputPeerChat(chat_id=5)))
    for layer in tl.SHIPPED_LAYERS:
        back = tl.decode_result(request, tl.encode_result(request, settings_object(record), layer), layer)
        assert back.mute_until == (record and record.mute_until)


def test_updates_and_unread_marks_every_layer():
    updates = T.Updates(updates=[
        T.UpdateNotifySettings(peer=notify_peer_object(s, p), notify_settings=settings_object(FULL))
        for s, p in [("peer", Peer.user(7)), ("peer", Peer.chat(5)), ("users", None), ("chats", None),
                     ("broadcasts", None)]
    ] + [T.UpdateDialogUnreadMark(unread=True, peer=T.DialogPeer(peer=T.PeerUser(user_id=7)))],
        users=[], chats=[], date=1, seq=0)
    exceptions = F.account.GetNotifyExceptions(compare_sound=True)
    marks = F.messages.GetDialogUnreadMarks()
    dialog = T.Dialog(unread_mark=True, peer=T.PeerUser(user_id=7), top_message=1, read_inbox_max_id=0,
                      read_outbox_max_id=0, unread_count=0, unread_mentions_count=0, unread_reactions_count=0,
                      unread_poll_votes_count=0, notify_settings=settings_object(FULL))
    dialogs = F.messages.GetDialogs(offset_date=0, offset_id=0, offset_peer=T.InputPeerEmpty(), limit=1, hash=0)
    for layer in tl.SHIPPED_LAYERS:
        assert len(tl.decode(tl.encode(updates, layer), layer).updates) == 6
        tl.decode_result(exceptions, tl.encode_result(exceptions, updates, layer), layer)
        tl.decode_result(marks, tl.encode_result(marks, [T.DialogPeer(peer=T.PeerChat(chat_id=5))], layer), layer)
        result = T.messages.Dialogs(dialogs=[dialog], messages=[], chats=[], users=[])
        back = tl.decode_result(dialogs, tl.encode_result(dialogs, result, layer), layer)
        assert back.dialogs[0].unread_mark and back.dialogs[0].notify_settings.silent


def test_bad_settings_are_refused():
    for settings in [T.InputPeerNotifySettings(mute_until=-1),
                     T.InputPeerNotifySettings(sound=T.NotificationSoundRingtone(id=5)),
                     T.InputPeerNotifySettings(sound=T.NotificationSoundLocal(title="x" * 300, data=""))]:
        with pytest.raises(RpcError) as error:
            record_from_input(1, "peer", Peer.user(7), settings)
        assert error.value.message == "SETTINGS_INVALID"


def test_exceptions_count_sound_and_stories_only_when_asked():
    sound_only = NotifySettingsRecord(owner_id=1, scope="peer", peer=Peer.user(7), sound={"_": "notificationSoundNone"})
    stories_only = NotifySettingsRecord(owner_id=1, scope="peer", peer=Peer.user(7), stories_muted=True)
    assert not is_exception(sound_only, compare_sound=False, compare_stories=True)
    assert is_exception(sound_only, compare_sound=True, compare_stories=False)
    assert not is_exception(stories_only, compare_sound=True, compare_stories=False)
    assert is_exception(stories_only, compare_sound=False, compare_stories=True)
    assert is_exception(FULL, compare_sound=False, compare_stories=False)
    assert not is_exception(NotifySettingsRecord(owner_id=1, scope="users", mute_until=5),
                            compare_sound=True, compare_stories=True)
