"""A lock on one name, held in the shared memcached, for the proxies' writes
that must not interleave: S3's conditional writes (``s3api/conditions.py``)
and a versioned container's writes (``middleware/object_versioning.py``).

Why memcached: every proxy of the cluster shares it, and a proxy that dies
holding a lock holds it only for ``TTL`` seconds. A running write refreshes
it while its body streams (``RefreshingReader``), so a long upload keeps it.
Without a reachable cache a lock cannot be taken: the caller goes on
unlocked (``acquire`` and ``wait`` answer ``None``) and is no worse off than
before the lock existed, as the object servers still judge each write
alone. The lock is advisory: only writers that ask for it are kept apart.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any, Optional

from objstore.common import concurrency

# How long a lock lives without a refresh, and how often a holder reading a
# body refreshes it.
TTL = 60
REFRESH = 20
# How often a waiter looks again.
POLL = 0.05


# The lock of a versioned container's object name: object_versioning's
# writes and s3api's deletes by version id take turns under it.
VERSIONED_NAME = "object_versioning"


def hold(cache: Any, kind: str, *parts: str) -> Optional["KeyLock"]:
    """Wait for and hold the ``kind`` lock of ``parts``; ``None`` without a
    cache, or when its holder did not let go in time (go on unlocked)."""
    if cache is None:
        return None
    lock = KeyLock(cache, lock_name(kind, *parts))
    return lock if lock.wait() else None


def lock_name(kind: str, *parts: str) -> str:
    """The cache key of the lock of ``parts`` (a path) for ``kind`` of write."""
    digest = hashlib.md5("/".join(parts).encode("utf-8")).hexdigest()
    return "%s/%s" % (kind, digest)


class KeyLock:
    """One holder's lock on ``key`` in ``cache`` (a MemcacheRing)."""

    def __init__(self, cache: Any, key: str) -> None:
        self.cache, self.key = cache, key
        self.token = uuid.uuid4().hex
        self.refreshed = time.monotonic()

    def acquire(self) -> Optional[bool]:
        """True once held, False while another holds it, None when the cache
        cannot be reached."""
        for _attempt in range(2):
            if self.cache.add(self.key, self.token, time=TTL):
                self.refreshed = time.monotonic()
                return True
            if self.cache.get(self.key) is not None:
                return False
            # Not stored and not there: it expired meanwhile, or no server answers.
        return None

    def wait(self, timeout: float = TTL) -> Optional[bool]:
        """Acquire, waiting up to ``timeout`` seconds for the holder: True
        once held, False if it was still held then, None without a cache."""
        deadline = time.monotonic() + timeout
        while True:
            held = self.acquire()
            if held is not False or time.monotonic() >= deadline:
                return held
            concurrency.sleep(POLL)

    def refresh(self) -> None:
        """Renew the lock's TTL, only while it is still this holder's."""
        now = time.monotonic()
        if now - self.refreshed >= REFRESH:
            self.refreshed = now
            self.cache.replace_if(self.key, self.token, self.token, time=TTL)

    def release(self) -> None:
        """Let go, only if still held by this holder: one that outlived the
        TTL must not remove the lock a later writer took meanwhile."""
        self.cache.replace_if(self.key, self.token, None, time=-1)


class RefreshingReader:
    """A body reader that keeps a write's lock alive while read."""

    def __init__(self, reader: Any, lock: Optional[KeyLock]) -> None:
        self._reader, self._lock = reader, lock

    def read(self, size: int = -1) -> bytes:
        if self._lock is not None:
            self._lock.refresh()
        return self._reader.read(size)

    def readline(self, size: int = -1) -> bytes:
        if self._lock is not None:
            self._lock.refresh()
        return self._reader.readline(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)
