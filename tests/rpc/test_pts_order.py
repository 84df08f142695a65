"""rpc/updates/pts_order.py: a box's rows leave in pts order, each once, gaps held for a
while and then filled from the log's rows; no I/O, the time is an argument."""

from types import SimpleNamespace

from rpc.updates.pts_order import HOLD_SECONDS, MAX_HELD, Entry, PtsOrder


def _entry(pts, count=1, logged="row"):
    return Entry(pts, count, logged)


def _row(pts, count=1):
    return SimpleNamespace(pts=pts, pts_count=count)


def _pts(entries):
    return [e.pts for e in entries]


def test_rows_in_order_go_at_once_and_hold_nothing():
    order = PtsOrder(10)
    assert _pts(order.place(_entry(11), 0.0)) == [11]
    assert _pts(order.place(_entry(14, 3), 0.0)) == [14]
    assert order.pts == 14 and order.due is None and order.gap_after() is None


def test_a_row_ahead_waits_for_the_one_before_it():
    order = PtsOrder(10)
    assert order.place(_entry(12), 5.0) == []
    assert order.due == 5.0 + HOLD_SECONDS and order.gap_after() == 10
    assert order.place(_entry(13), 5.1) == []
    assert _pts(order.place(_entry(11), 5.2)) == [11, 12, 13]
    assert order.pts == 13 and order.due is None


def test_what_is_covered_is_dropped():
    order = PtsOrder(10)
    order.place(_entry(11), 0.0)
    assert order.covers(11) and order.covers(3) and not order.covers(12)
    assert order.place(_entry(11), 0.0) == [] and order.place(_entry(9), 0.0) == []


def test_a_gap_is_filled_from_the_log_with_the_held_rows_in_their_place():
    order = PtsOrder(10)
    held = _entry(14, 2, logged="held")
    order.place(held, 0.0)
    order.place(_entry(15, 1, logged=None), 0.0)  # the session's own change: nothing to push
    entries, lost = order.fill([_row(11), _row(12), _row(14, 2), _row(15), _row(16)])
    assert _pts(entries) == [11, 12, 14, 15] and not lost
    assert entries[2] is held and entries[3].logged is None
    assert entries[0].logged[0].pts == 11  # filled in: rendered from the row read
    assert order.pts == 15 and order.due is None  # 16 is not part of the gap: its event comes


def test_a_gap_the_log_cannot_close_goes_on_past_it_and_says_so():
    order = PtsOrder(10)
    order.place(_entry(13), 0.0)
    entries, lost = order.fill([_row(13)])  # 11 and 12 were pruned
    assert lost and order.pts == 13 and order.due is None
    assert order.place(_entry(14), 1.0) != []


def test_a_full_hold_is_due_at_once():
    order = PtsOrder(0)
    for pts in range(2, MAX_HELD + 1):
        order.place(_entry(pts), 1.0)
    assert order.due == 1.0 + HOLD_SECONDS
    order.place(_entry(MAX_HELD + 1), 1.0)
    assert order.due == 1.0


def test_rows_logged_while_subscribing_are_a_gap_too():
    order = PtsOrder(10)
    order.saw(10, 0.0)
    assert order.due is None
    order.saw(12, 0.0)
    assert order.gap_after() == 10
    assert _pts(order.place(_entry(11), 0.1)) == [11] and order.due is not None  # 12 still missing
    entries, lost = order.fill([_row(12)])
    assert _pts(entries) == [12] and not lost and order.due is None


def test_after_a_loss_the_next_row_starts_the_order_again():
    order = PtsOrder(10)
    order.place(_entry(12), 0.0)
    order.restart()
    assert order.due is None and not order.covers(5)
    assert _pts(order.place(_entry(40, 2), 0.0)) == [40]
    assert _pts(order.place(_entry(41), 0.0)) == [41]


def test_a_fill_passes_over_the_sessions_own_rows():
    """The session's own row (its answer carried it) whose event is later than the gap's
    due time is not pushed back to it by the fill; the late event is dropped."""
    order = PtsOrder(10)
    order.own(11)
    order.saw(12, 0.0)  # the box is at 12: 11 (own) and 12 (another device's) are missing
    entries, lost = order.fill([_row(11), _row(12)])
    assert not lost and [(e.pts, e.logged is None) for e in entries] == [(11, True), (12, False)]
    assert order.place(_entry(11, logged=None), 1.0) == [] and order.pts == 12


def test_own_rows_are_bounded_and_forgotten_once_passed():
    order = PtsOrder(10)
    order.own(9)  # passed already: not kept
    for pts in range(11, 11 + MAX_HELD + 5):
        order.own(pts)
    assert len(order._own) == MAX_HELD and min(order._own) == 16
    order.saw(11 + MAX_HELD + 5, 0.0)
    order.fill([_row(p) for p in range(11, 11 + MAX_HELD + 6)])
    assert order._own is None
