"""The shared lock of one name (common/key_lock.py), against a real memcached."""

import threading
import time

from objstore.common import key_lock


def test_a_waiter_gets_the_lock_once_its_holder_lets_go(memcache):
    name = key_lock.lock_name("test", "AUTH_a", "c", "o")
    holder = key_lock.KeyLock(memcache, name)
    assert holder.acquire() is True
    got = []

    def wait():
        got.append((key_lock.hold(memcache, "test", "AUTH_a", "c", "o"), time.monotonic()))

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.3)
    assert got == []  # still waiting
    released = time.monotonic()
    holder.release()
    waiter.join(5)
    lock, when = got[0]
    assert lock is not None and when >= released
    assert key_lock.KeyLock(memcache, name).acquire() is False  # the waiter holds it now
    lock.release()


def test_a_waiter_gives_up_after_its_timeout_and_others_names_are_free(memcache):
    holder = key_lock.KeyLock(memcache, key_lock.lock_name("test", "x"))
    assert holder.acquire() is True
    started = time.monotonic()
    assert key_lock.KeyLock(memcache, key_lock.lock_name("test", "x")).wait(0.2) is False
    assert 0.2 <= time.monotonic() - started < 2
    other = key_lock.hold(memcache, "test", "y")
    assert other is not None
    other.release()
    holder.release()


def test_without_a_cache_nothing_is_held():
    assert key_lock.hold(None, "test", "a") is None


def test_a_holder_that_outlived_its_lock_leaves_the_next_holders_alone(memcache):
    """The first holder's lock expired (forgotten here) and a second writer
    took it: the first one's late refresh and release change nothing."""
    name = key_lock.lock_name("test", "late")
    first = key_lock.KeyLock(memcache, name)
    assert first.acquire() is True
    memcache.delete(name)  # its TTL ran out
    second = key_lock.KeyLock(memcache, name)
    assert second.acquire() is True
    first.refreshed -= key_lock.REFRESH
    first.refresh()
    first.release()
    assert memcache.get(name) == second.token
    assert key_lock.KeyLock(memcache, name).acquire() is False
    second.release()
    assert memcache.get(name) is None
    assert key_lock.KeyLock(memcache, name).acquire() is True
    memcache.delete(name)
