"""The green-thread helpers (outside a monkey-patched server here: the
calls run at once; the object server's GETs run them in its thread pool)."""
import pytest

from objstore.common import concurrency


def test_start_in_thread_gives_the_result_when_waited_for():
    wait = concurrency.start_in_thread(lambda a, b: a + b, 2, 3)
    assert wait() == 5


def test_start_in_thread_raises_the_error_when_waited_for():
    def broken():
        raise OSError("disk gone")

    wait = concurrency.start_in_thread(broken)
    with pytest.raises(OSError, match="disk gone"):
        wait()


def _after(seconds, value, ran=None):
    def call():
        concurrency.sleep(seconds)
        if ran is not None:
            ran.append(value)
        return value
    return call


def test_gather_enough_answers_without_the_slow_call_which_still_finishes():
    ran = []
    calls = [_after(0, "a"), _after(0.01, "b"), _after(0.6, "slow", ran)]
    got = concurrency.gather_enough(calls, lambda results: len(results) >= 2, grace=0.05)
    assert sorted(got) == ["a", "b"] and ran == []
    concurrency.sleep(0.8)
    assert ran == ["slow"]  # not cancelled: a write goes on landing


def test_gather_enough_takes_a_late_result_that_comes_within_the_grace():
    calls = [_after(0, 1), _after(0, 2), _after(0.05, 3)]
    got = concurrency.gather_enough(calls, lambda results: len(results) >= 2, grace=2.0)
    assert sorted(got) == [1, 2, 3]


def test_gather_enough_waits_for_all_until_enough_and_drops_none_and_errors():
    def broken():
        raise OSError("node gone")

    calls = [_after(0, None), broken, _after(0.05, "late")]
    got = concurrency.gather_enough(calls, lambda results: len(results) >= 2, grace=0)
    assert got == ["late"]


def test_a_thread_feed_consumes_every_item_in_order_in_another_os_thread():
    import threading
    seen, threads = [], set()

    def consume(item):
        seen.append(item)
        threads.add(threading.get_ident())

    feed = concurrency.ThreadFeed(consume, backlog=2)
    for i in range(50):
        feed.put(i)
    feed.finish()
    assert seen == list(range(50))
    assert threads and threading.get_ident() not in threads


def test_a_thread_feed_holds_the_feeder_back_at_its_backlog():
    import threading
    release, started, seen = threading.Event(), threading.Event(), []

    def consume(item):
        started.set()
        release.wait()
        seen.append(item)

    feed = concurrency.ThreadFeed(consume, backlog=2)
    feed.put(0)
    started.wait()
    feed.put(1)  # queued behind the one being consumed: the backlog is full
    waiter = threading.Thread(target=feed.put, args=(2,))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and seen == []  # held back, not queued past the bound
    release.set()
    waiter.join()
    feed.finish()
    assert seen == [0, 1, 2]


def test_a_thread_feed_gives_its_consumers_error_to_finish_and_drops_the_rest():
    seen = []

    def consume(item):
        if item == 3:
            raise OSError("disk full")
        seen.append(item)

    feed = concurrency.ThreadFeed(consume, backlog=100)
    for i in range(10):
        feed.put(i)
    with pytest.raises(OSError, match="disk full"):
        feed.finish()
    assert seen == [0, 1, 2]


def test_a_cancelled_thread_feed_ends_its_thread_without_consuming_the_rest():
    import threading
    release, seen = threading.Event(), []

    def consume(item):
        release.wait()
        seen.append(item)

    feed = concurrency.ThreadFeed(consume, backlog=10)
    for i in range(5):
        feed.put(i)
    feed.cancel()
    release.set()
    feed._thread.join(5)
    assert not feed._thread.is_alive()
    assert seen in ([], [0])  # at most the one it had started on
