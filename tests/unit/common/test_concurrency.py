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
