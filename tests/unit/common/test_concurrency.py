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
