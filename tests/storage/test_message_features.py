"""Forwards, history deletion, pins, drafts and search (storage/forwards.py,
chat_history.py, pinned_messages.py, pinned_dialogs.py, drafts.py, search.py), on both
backends."""

from __future__ import annotations

import pytest

from storage.interface import MessageNotFound, TooManyPinned
from storage.models import DraftRecord
from storage.peer import Peer

from .test_messages import A, B, C, NOW, WITH_A, WITH_B, WITH_C, assert_log_is_gapless, pts, send


# -- forwards ---------------------------------------------------------------------------------


async def test_forward_makes_new_messages_with_the_original_author(storage):
    original = (await send(storage, B, A, "from Bob")).recipient_copy  # A's copy
    mine = (await send(storage, A, B, "mine")).sender_copy
    sent = await storage.forwards.forward(A, WITH_B, [original.id, 999, mine.id], WITH_C, random_ids=[1, 2, 3],
                                          date=NOW + 5)
    assert [i for i, _ in sent] == [original.id, mine.id]
    first, second = sent[0][1], sent[1][1]
    assert (first.sender_copy.message, first.sender_copy.from_id, first.sender_copy.peer_id) == ("from Bob", A, C)
    assert first.sender_copy.fwd_from == {"from_id": B, "date": NOW}
    assert first.recipient_copy.fwd_from == {"from_id": B, "date": NOW} and first.recipient_copy.owner_id == C
    assert second.sender_copy.fwd_from == {"from_id": A, "date": NOW}
    assert (await storage.messages.get(C, [first.recipient_copy.id]))[0] == first.recipient_copy
    # A forward of that forward still names Bob.
    again = await storage.forwards.forward(C, WITH_A, [first.recipient_copy.id], WITH_B, random_ids=[9], date=NOW + 9)
    assert again[0][1].recipient_copy.fwd_from == {"from_id": B, "date": NOW}
    assert_log_is_gapless(await storage.messages.update_log(C, 0, 100))


async def test_forward_to_saved_messages_names_where_it_was_saved_from(storage):
    original = (await send(storage, B, A, "keep")).recipient_copy
    [(_, saved)] = await storage.forwards.forward(A, WITH_B, [original.id], WITH_A, random_ids=[5], date=NOW)
    assert saved.recipient_copy is None and saved.sender_copy.peer_id == A
    assert saved.sender_copy.fwd_from == {"from_id": B, "date": NOW, "saved_from_peer": B,
                                          "saved_from_msg_id": original.id}


async def test_forward_options_and_retries(storage):
    original = (await send(storage, B, A, "caption", media={"_": "messageMediaPhoto"})).recipient_copy
    [(_, plain)] = await storage.forwards.forward(A, WITH_B, [original.id], WITH_C, random_ids=[7], date=NOW,
                                                  drop_author=True, drop_media_captions=True, silent=True)
    m = plain.sender_copy
    assert (m.fwd_from, m.message, m.media, m.silent) == (None, "", {"_": "messageMediaPhoto"}, True)
    before = await pts(storage, A)
    [(_, retried)] = await storage.forwards.forward(A, WITH_B, [original.id], WITH_C, random_ids=[7],
                                                    date=NOW + 1)
    assert retried.duplicate and retried.sender_copy == m and await pts(storage, A) == before
    with pytest.raises(ValueError):
        await storage.forwards.forward(A, WITH_B, [original.id], WITH_C, random_ids=[], date=NOW)


# -- deleteHistory ----------------------------------------------------------------------------


async def test_delete_history_in_batches_for_both_sides(storage):
    for i in range(5):
        await send(storage, A, B, f"a{i}", date=NOW + i)
        await send(storage, B, A, f"b{i}", date=NOW + i)
    await send(storage, A, C, "elsewhere")
    changed, left = await storage.chat_history.delete(A, WITH_B, revoke=True, now=NOW + 50, batch=4)
    assert left == 12 and set(changed) == {A, B}  # 6 on each side
    assert changed[A][1] == 4 and changed[B][1] == 4
    changed, left = await storage.chat_history.delete(A, WITH_B, revoke=True, now=NOW + 50, batch=100)
    assert left == 0 and changed[A][1] == 6
    assert (await storage.messages.history(A, WITH_B))[1] == 0 and (await storage.messages.history(B, WITH_A))[1] == 0
    assert await storage.messages.dialog(A, WITH_B) is None  # not just_clear: the dialog goes
    assert (await storage.messages.dialog(B, WITH_A)).top_message == 0
    assert (await storage.messages.history(A, WITH_C))[1] == 1
    for user in (A, B):
        assert_log_is_gapless(await storage.messages.update_log(user, 0, 100))


async def test_delete_history_for_both_also_takes_what_was_deleted_for_me_only(storage):
    for i in range(4):
        await send(storage, A, B, f"a{i}", date=NOW + i)
    await send(storage, B, A, "reply", date=NOW + 5)
    mine = [m.id for m in (await storage.messages.history(A, WITH_B))[0]]
    await storage.messages.delete(A, mine[3:], revoke=False)  # a1, a0 gone for A only
    # Up to A's "a2": B loses a0..a2, not the reply nor a3.
    changed, left = await storage.chat_history.delete(A, WITH_B, max_id=mine[2], revoke=True, now=NOW + 9)
    assert left == 0 and changed[A][1] == 1 and changed[B][1] == 3
    assert [m.message for m in (await storage.messages.history(B, WITH_A))[0]] == ["reply", "a3"]
    changed, _ = await storage.chat_history.delete(A, WITH_B, revoke=True, now=NOW + 9)
    assert (await storage.messages.history(B, WITH_A))[1] == 0 and changed[B][1] == 2


async def test_delete_history_for_me_with_bounds(storage):
    ids = [(await send(storage, A, B, f"m{i}", date=NOW + i)).sender_copy.id for i in range(6)]
    changed, left = await storage.chat_history.delete(A, WITH_B, max_id=ids[4], min_date=NOW + 2, now=NOW + 9,
                                                      just_clear=True)
    assert left == 0 and list(changed) == [A] and changed[A][2] == ids[2:5]
    assert [m.message for m in (await storage.messages.history(A, WITH_B))[0]] == ["m5", "m1", "m0"]
    assert (await storage.messages.history(B, WITH_A))[1] == 6
    changed, _ = await storage.chat_history.delete(A, WITH_B, max_date=NOW, now=NOW + 9, just_clear=True)
    assert changed[A][2] == [ids[0]]
    # Nothing to delete: nothing changes.
    assert await storage.chat_history.delete(C, WITH_B, now=NOW) == ({}, 0)


# -- pinned messages --------------------------------------------------------------------------


async def test_pin_both_sides_leaves_a_service_message(storage):
    sent = await send(storage, A, B, "pin me")
    mine, theirs = sent.sender_copy, sent.recipient_copy
    start_a, start_b = await pts(storage, A), await pts(storage, B)
    logged = await storage.pinned_messages.pin(A, WITH_B, mine.id, silent=True, now=NOW + 1)
    assert logged == {A: [start_a + 1, start_a + 2], B: [start_b + 1, start_b + 2]}
    assert await storage.pinned_messages.pinned_ids(A, WITH_B) == [mine.id]
    assert await storage.pinned_messages.pinned_ids(B, WITH_A) == [theirs.id]
    rows = await storage.messages.update_log(B, start_b, 10)
    assert [(r.kind, r.data) for r in rows][0] == ("pinned_messages", {"peer_id": A, "ids": [theirs.id], "pinned": True})
    service = (await storage.messages.get(B, [rows[1].data["id"]]))[0]
    assert (service.action, service.reply_to_msg_id, service.from_id, service.silent, service.out) == (
        {"_": "messageActionPinMessage"}, theirs.id, A, True, False)
    with pytest.raises(MessageNotFound):
        await storage.messages.edit(A, (await storage.messages.history(A, WITH_B))[0][0].id, message="x", entities=[],
                                    edit_date=NOW)  # nor edited
    # Pinning again changes nothing; a service message cannot be pinned.
    assert await storage.pinned_messages.pin(A, WITH_B, mine.id, now=NOW + 2) == {}
    with pytest.raises(MessageNotFound):
        await storage.pinned_messages.pin(B, WITH_A, service.id, now=NOW + 2)
    with pytest.raises(MessageNotFound):
        await storage.pinned_messages.pin(A, WITH_C, mine.id, now=NOW + 2)  # not in that dialog
    # Unpinning leaves no service message.
    logged = await storage.pinned_messages.pin(B, WITH_A, theirs.id, unpin=True, now=NOW + 3)
    assert {k: len(v) for k, v in logged.items()} == {A: 1, B: 1}
    assert await storage.pinned_messages.pinned_ids(A, WITH_B) == []


async def test_one_sided_pin_and_unpin_all(storage):
    first = await send(storage, A, B, "one")
    second = await send(storage, B, A, "two")
    before_b = await pts(storage, B)
    assert list(await storage.pinned_messages.pin(A, WITH_B, first.sender_copy.id, one_side=True, now=NOW)) == [A]
    assert await pts(storage, B) == before_b and await storage.pinned_messages.pinned_ids(B, WITH_A) == []
    await storage.pinned_messages.pin(A, WITH_B, second.recipient_copy.id, now=NOW)
    assert len(await storage.pinned_messages.pinned_ids(A, WITH_B)) == 2
    logged = await storage.pinned_messages.unpin_all(A, WITH_B, now=NOW + 1)
    assert set(logged) == {A, B}
    assert await storage.pinned_messages.pinned_ids(A, WITH_B) == []
    assert await storage.pinned_messages.pinned_ids(B, WITH_A) == []
    row = (await storage.messages.update_log(A, logged[A][0] - 1, 1))[0]
    assert (row.kind, row.pts_count, row.data["pinned"]) == ("pinned_messages", 2, False)
    assert await storage.pinned_messages.unpin_all(A, WITH_B, now=NOW + 1) == {}
    for user in (A, B):
        assert_log_is_gapless(await storage.messages.update_log(user, 0, 100))


# -- pinned dialogs ---------------------------------------------------------------------------


async def test_pinned_dialogs_order_limit_and_listing(storage):
    users = [1000010 + i for i in range(7)]
    for i, user in enumerate(users):
        await send(storage, A, user, "hi", date=NOW + i)
    peers = [Peer.user(u) for u in users]
    nobody = Peer.user(42)
    assert await storage.pinned_dialogs.pin(A, nobody, True) is None
    for peer in peers[:5]:
        assert await storage.pinned_dialogs.pin(A, peer, True) is True
    assert await storage.pinned_dialogs.pin(A, peers[0], True) is False
    with pytest.raises(TooManyPinned):
        await storage.pinned_dialogs.pin(A, peers[5], True)
    # The newest pin is on top.
    assert [d.peer for d in await storage.pinned_dialogs.list(A)] == peers[4::-1]
    unpinned, _ = await storage.messages.dialogs(A, exclude_pinned=True)
    assert [d.peer for d in unpinned] == [peers[6], peers[5]]
    assert await storage.pinned_dialogs.pin(A, peers[4], False) is True
    assert await storage.pinned_dialogs.reorder(A, [peers[0], nobody, peers[1]]) == [peers[0], peers[1], peers[3],
                                                                                      peers[2]]
    assert [d.peer for d in await storage.pinned_dialogs.list(A)] == [peers[0], peers[1], peers[3], peers[2]]
    assert await storage.pinned_dialogs.reorder(A, [peers[6]], force=True) == [peers[6]]
    with pytest.raises(TooManyPinned):
        await storage.pinned_dialogs.reorder(A, peers[:6], force=True)
    assert [d.peer for d in await storage.pinned_dialogs.list(A)] == [peers[6]]


# -- drafts -----------------------------------------------------------------------------------


async def test_drafts_save_replace_list_and_clear(storage):
    draft = DraftRecord(owner_id=A, peer=WITH_B, message="half", entities=[{"_": "messageEntityBold", "offset": 0,
                                                                            "length": 4}], date=NOW)
    await storage.drafts.save(draft)
    await storage.drafts.save(DraftRecord(owner_id=A, peer=WITH_C, message="other", reply_to_msg_id=3,
                                          no_webpage=True, date=NOW + 1))
    assert await storage.drafts.get(A, WITH_B) == draft
    newer = DraftRecord(owner_id=A, peer=WITH_B, message="whole", date=NOW + 2)
    await storage.drafts.save(newer)
    assert [d.message for d in await storage.drafts.list(A)] == ["whole", "other"]
    assert await storage.drafts.clear(A, WITH_B) is True and await storage.drafts.clear(A, WITH_B) is False
    assert await storage.drafts.get(A, WITH_B) is None and await storage.drafts.list(B) == []


# -- search -----------------------------------------------------------------------------------


async def test_search_text_sender_dates_and_paging(storage):
    texts = ["Hello world", "hello again", "100% sure", "under_score", "nothing", "HELLO Ünïcode"]
    for i, text in enumerate(texts):
        await send(storage, A if i % 2 == 0 else B, B if i % 2 == 0 else A, text, date=NOW + i)
    await send(storage, A, C, "hello C")
    found, count = await storage.search.search(A, WITH_B, query="hello")
    assert count == 3 and [m.message for m in found] == ["HELLO Ünïcode", "hello again", "Hello world"]
    assert [m.message for m in (await storage.search.search(A, WITH_B, query="ünï"))[0]] == ["HELLO Ünïcode"]
    assert [m.message for m in (await storage.search.search(A, WITH_B, query="%"))[0]] == ["100% sure"]
    assert [m.message for m in (await storage.search.search(A, WITH_B, query="d_r"))[0]] == []  # _ is literal
    assert [m.message for m in (await storage.search.search(A, WITH_B, query="r_s"))[0]] == ["under_score"]
    assert [m.message for m in (await storage.search.search(A, WITH_B, from_id=B))[0]] == [
        "HELLO Ünïcode", "under_score", "hello again"]
    assert (await storage.search.search(A, WITH_B, min_date=NOW + 1, max_date=NOW + 2))[1] == 2
    page, count = await storage.search.search(A, WITH_B, query="hello", offset_id=found[0].id, limit=1)
    assert count == 3 and [m.message for m in page] == ["hello again"]
    page, _ = await storage.search.search(A, WITH_B, query="hello", add_offset=2, limit=5)
    assert [m.message for m in page] == ["Hello world"]
    everywhere, count = await storage.search.search(A, None, query="hello")
    assert count == 4 and everywhere[0].message == "hello C"


async def test_search_filters(storage):
    video = {"_": "document", "document": {"attributes": [
        {"_": "documentAttributeVideo", "round_message": True, "duration": 1.0, "w": 1, "h": 1}]}}
    voice = {"_": "document", "document": {"attributes": [
        {"_": "documentAttributeAudio", "voice": True, "duration": 1}]}}
    music = {"_": "document", "document": {"attributes": [
        {"_": "documentAttributeAudio", "voice": False, "duration": 1}]}}
    await send(storage, A, B, "photo", media={"_": "photo", "photo": {"sizes": []}})
    await send(storage, A, B, "video", media=video)
    await send(storage, A, B, "voice", media=voice)
    await send(storage, A, B, "music", media=music)
    await send(storage, A, B, "file", media={"_": "document", "document": {"attributes": []}})
    await send(storage, A, B, "link", entities=[{"_": "messageEntityUrl", "offset": 0, "length": 4}])
    pinned = (await send(storage, A, B, "plain")).sender_copy
    await storage.pinned_messages.pin(A, WITH_B, pinned.id, now=NOW)

    async def texts(name):
        return [m.message for m in (await storage.search.search(A, WITH_B, filter=name))[0]]

    assert await texts("inputMessagesFilterPhotos") == ["photo"]
    assert await texts("inputMessagesFilterVideo") == ["video"]
    assert await texts("inputMessagesFilterPhotoVideo") == ["video", "photo"]
    assert await texts("inputMessagesFilterRoundVideo") == ["video"]
    assert await texts("inputMessagesFilterVoice") == ["voice"]
    assert await texts("inputMessagesFilterRoundVoice") == ["voice", "video"]
    assert await texts("inputMessagesFilterMusic") == ["music"]
    assert await texts("inputMessagesFilterDocument") == ["file"]
    assert await texts("inputMessagesFilterUrl") == ["link"]
    assert await texts("inputMessagesFilterPinned") == ["plain"]
    assert await texts("inputMessagesFilterMyMentions") == []
    # The pin's service message is not a search result.
    assert len(await texts("inputMessagesFilterEmpty")) == 7


async def test_global_search_by_kind_of_chat(storage):
    await send(storage, A, B, "hello private")
    group = await storage.chats.create(A, "G", [B], date=NOW)
    await storage.chats.send_message(group.chat.id, A, date=NOW, message="hello group")

    async def texts(kind):
        return [m.message for m in (await storage.search.search(A, None, query="hello", kind=kind))[0]]

    assert await texts("all") == ["hello group", "hello private"]
    assert await texts("users") == ["hello private"]
    assert await texts("groups") == ["hello group"]
