"""Fixtures shared by unit tests of several packages."""

import pytest


@pytest.fixture(scope="module")
def memcache():
    """A MemcacheRing on a real memcached started for the module."""
    from objstore.common.memcached import MemcacheRing
    from tests.unit.common.test_memcached import _start_memcached
    proc, server = _start_memcached()
    try:
        yield MemcacheRing([server])
    finally:
        proc.kill()
        proc.wait()
