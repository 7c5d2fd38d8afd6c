"""The tierer's database: counts, one open move per object, leases."""

import pytest

from objstore.common.tiering.queue import ABANDONED, DONE, MOVING, PINNED, QUEUED, TierQueue


@pytest.fixture
def db(tmp_path):
    q = TierQueue(str(tmp_path))
    yield q
    q.close()


def test_counts_sum_over_the_window_and_old_buckets_are_pruned(db):
    db.add_counts("j1", [("/v1/a/c/o", 100, 2), ("/v1/a/c/o", 160, 3), ("/v1/a/c/p", 160, 0)],
                  now=200.0)
    db.add_counts("j2", [("/v1/a/c/o", 160, 1)], now=210.0)
    assert db.count("/v1/a/c/o", 0) == 6
    assert db.count("/v1/a/c/o", 160) == 4
    assert db.count("/v1/a/c/p", 0) == 0
    assert db.was_collected("j1") and db.was_collected("j2") and not db.was_collected("j3")
    rows = db.tracked("", 10, 160)
    assert [(r[0], r[4]) for r in rows] == [("/v1/a/c/o", 4), ("/v1/a/c/p", 0)]
    db.prune(160, 0.0)
    assert db.count("/v1/a/c/o", 0) == 4


def test_one_open_move_per_object(db):
    assert db.enqueue("/v1/a/c/o", "silver", "gold", "reads", 1.0)
    assert not db.enqueue("/v1/a/c/o", "silver", "bronze", "reads", 2.0)
    assert [m.to_tier for m in db.queue()] == ["gold"]


def test_a_lease_is_taken_once_and_an_expired_one_is_taken_over(db):
    db.enqueue("/v1/a/c/o", "silver", "gold", "reads", 1.0)
    first = db.lease("w1", now=10.0, seconds=30.0)
    assert first.state == MOVING and first.attempts == 1 and first.lease_owner == "w1"
    assert db.lease("w2", now=20.0, seconds=30.0) is None  # held
    second = db.lease("w2", now=41.0, seconds=30.0)  # w1's lease ran out (a kill -9)
    assert second.id == first.id and second.attempts == 2 and second.lease_owner == "w2"
    # the old owner cannot finish or renew what it no longer holds
    assert not db.finish(first.id, "w1", DONE, 42.0)
    assert not db.renew(first.id, "w1", 100.0)
    assert db.finish(second.id, "w2", DONE, 43.0, "moved silver -> gold")
    history = db.history()
    assert history[0].state == DONE and history[0].detail == "moved silver -> gold"
    assert db.open_move("/v1/a/c/o") is None
    # a finished move frees the object for the next one
    assert db.enqueue("/v1/a/c/o", "gold", "silver", "reads", 50.0)


def test_a_released_move_goes_back_to_the_queue(db):
    db.enqueue("/v1/a/c/o", "silver", "gold", "reads", 1.0)
    move = db.lease("w1", 10.0, 30.0)
    assert db.release(move.id, "w1", "MoveError: 503")
    again = db.queue()[0]
    assert again.state == QUEUED and again.detail == "MoveError: 503"
    assert db.lease("w2", 11.0, 30.0).attempts == 2


def test_tiers_per_object_and_pinning(db):
    db.set_tier("/v1/a/c/o", "gold", 5.0)
    db.set_tier("/v1/a/c/o", "gold", 9.0)  # same tier: since stays
    assert db.object_row("/v1/a/c/o") == ("gold", 5.0, 0)
    db.set_tier("/v1/a/c/o", "bronze", 10.0, pinned=PINNED)
    assert db.object_row("/v1/a/c/o") == ("bronze", 10.0, 1)
    db.set_tier("/v1/a/c/p", "bronze", 10.0)
    assert db.tier_counts() == {"bronze": 2}
    db.forget("/v1/a/c/o")
    assert db.object_row("/v1/a/c/o") is None


def test_state_counts_and_abandoned_history(db):
    db.enqueue("/v1/a/c/o", "silver", "gold", "reads", 1.0)
    move = db.lease("w1", 2.0, 30.0)
    db.finish(move.id, "w1", ABANDONED, 3.0, "a newer write won")
    db.enqueue("/v1/a/c/p", "silver", "gold", "reads", 4.0)
    assert db.state_counts() == {ABANDONED: 1, QUEUED: 1}
    assert [m.path for m in db.history(since=4.0)] == ["/v1/a/c/p"]


def test_a_readonly_view_reads_what_the_tierer_wrote(tmp_path, db):
    db.enqueue("/v1/a/c/o", "silver", "gold", "reads", 1.0)
    view = TierQueue(str(tmp_path), readonly=True)
    try:
        assert [m.path for m in view.queue()] == ["/v1/a/c/o"]
    finally:
        view.close()


def test_a_placement_row_queues_a_move_to_its_tier(db):
    db.add_counts("j1", [("/v1/a/c/o", 100, 0, "bronze"), ("/v1/a/c/o", 100, 0)], now=5.0)
    moves = db.queue()
    assert [(m.path, m.to_tier, m.reason) for m in moves] == [
        ("/v1/a/c/o", "bronze", "storage class")]
    assert db.object_row("/v1/a/c/o") == (None, 5.0, 0)
