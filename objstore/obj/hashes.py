"""Per-partition suffix hashes: how replicas find out cheaply what differs.

Each partition dir holds ``hashes.json`` (``{suffix: md5 | null}``) and
``hashes.invalid``, an append-only log of suffixes written to since. Every
write appends its suffix (a few bytes, under the partition lock); a reader
folds the log into the cache, recomputes the stale suffixes *outside* the
lock (that is the slow part), then stores the result. A write that lands
during the recomputation is still in the log, so the next reader sees it.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
import uuid
from contextlib import contextmanager
from typing import Dict, Iterable, Iterator, Optional, Tuple

from objstore.common import concurrency
from objstore.common.utils import write_file_atomic
from objstore.obj.ondisk import cleanup_ondisk_files

HASHES_FILE = "hashes.json"
INVALID_FILE = "hashes.invalid"
LOCK_FILE = ".lock"
LOCK_TIMEOUT = 10.0
GENERATION_KEY = "generation"


class LockTimeout(Exception):
    """Another process held a partition lock for longer than allowed."""


def is_suffix(name: str) -> bool:
    return len(name) == 3 and all(c in "0123456789abcdef" for c in name)


@contextmanager
def lock_dir(path: str, timeout: float = LOCK_TIMEOUT,
             blocking: bool = False) -> Iterator[None]:
    """Exclusive lock on ``path/.lock``; waits cooperatively (never blocks
    the green-thread hub), raising ``LockTimeout`` after ``timeout``.

    ``blocking``: the caller is a real thread (a write's thread-pool call),
    which waits in ``flock`` itself, with no timeout, as it does for the
    hash dir's lock: that stalls no green thread, and no holder of this
    lock waits for the thread pool while holding it."""
    fd = os.open(os.path.join(path, LOCK_FILE), os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        if blocking:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            _flock_cooperatively(fd, path, timeout)
        yield
    finally:
        os.close(fd)


def _flock_cooperatively(fd: int, path: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if time.time() > deadline:
                raise LockTimeout("lock on %s held over %.1fs" % (path, timeout)) from None
            concurrency.sleep(0.01)


def invalidate_hash(suffix_dir: str, blocking: bool = False) -> None:
    """Record that ``suffix_dir`` changed (after a write in it); ``blocking``
    as for :func:`lock_dir`."""
    partition_dir, suffix = os.path.split(suffix_dir.rstrip("/"))
    if not os.path.isdir(partition_dir):
        return
    with lock_dir(partition_dir, blocking=blocking):
        _log_invalid(partition_dir, suffix)


def _log_invalid(partition_dir: str, suffix: str) -> None:
    """Append ``suffix`` to the invalidation log (caller holds the lock)."""
    fd = os.open(os.path.join(partition_dir, INVALID_FILE),
                 os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (suffix + "\n").encode("ascii"))
    finally:
        os.close(fd)


def hash_suffix(suffix_dir: str, reclaim_age: Optional[float]) -> Optional[str]:
    """MD5 over the kept files of every object in ``suffix_dir``, cleaning
    obsolete files on the way. None (and the dir removed) when it is empty."""
    md5 = hashlib.md5(usedforsecurity=False)
    try:
        names = sorted(os.listdir(suffix_dir))
    except OSError as err:
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise
    found = False
    for name in names:
        hash_dir = os.path.join(suffix_dir, name)
        if not os.path.isdir(hash_dir):
            continue
        files = cleanup_ondisk_files(hash_dir, reclaim_age)
        found = found or bool(files.kept)
        if files.signature:  # EC fragment indexes left out: they differ by design
            md5.update(("%s:%s;" % (name, ",".join(files.signature))).encode("utf-8"))
    if not found:
        try:
            os.rmdir(suffix_dir)
        except OSError:
            pass  # a racing write created an object; it invalidated the suffix
        return None
    return md5.hexdigest()


def _read_cache(partition_dir: str) -> Optional[Dict[str, Optional[str]]]:
    try:
        with open(os.path.join(partition_dir, HASHES_FILE), "rb") as fp:
            data = json.loads(fp.read().decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    return {k: v for k, v in data.items() if is_suffix(k) and (v is None or isinstance(v, str))}


def _write_cache(partition_dir: str, hashes: Dict[str, Optional[str]]) -> str:
    """Store the cache with a fresh generation; returns the generation."""
    generation = uuid.uuid4().hex
    data: Dict[str, Optional[str]] = dict(hashes)
    data[GENERATION_KEY] = generation
    write_file_atomic(os.path.join(partition_dir, HASHES_FILE),
                      json.dumps(data, sort_keys=True).encode("utf-8"))
    return generation


def _cache_generation(partition_dir: str) -> Optional[str]:
    try:
        with open(os.path.join(partition_dir, HASHES_FILE), "rb") as fp:
            return json.loads(fp.read().decode("utf-8")).get(GENERATION_KEY)
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return None


def _consolidate(partition_dir: str) -> Tuple[Dict[str, Optional[str]], str]:
    """Fold the invalidation log into the cache (caller holds the lock).

    Returns the hashes and the generation written, so the final store can
    tell whether someone else consolidated meanwhile (even to equal bytes)."""
    hashes = _read_cache(partition_dir)
    if hashes is None:  # no or damaged cache: every suffix is stale
        hashes = {s: None for s in os.listdir(partition_dir) if is_suffix(s)}
    invalid_path = os.path.join(partition_dir, INVALID_FILE)
    try:
        with open(invalid_path, "rb") as fp:
            stale = fp.read().decode("ascii", "replace").split()
    except FileNotFoundError:
        stale = []
    for suffix in stale:
        if is_suffix(suffix):
            hashes[suffix] = None
    generation = _write_cache(partition_dir, hashes)
    if stale:
        with open(invalid_path, "wb"):
            pass
    return hashes, generation


def get_hashes(partition_dir: str, recalculate: Iterable[str] = (),
               reclaim_age: Optional[float] = None) -> Dict[str, str]:
    """``{suffix: md5}`` of a partition, recomputing stale and named suffixes."""
    if not os.path.isdir(partition_dir):
        return {}
    with lock_dir(partition_dir):
        hashes, snapshot = _consolidate(partition_dir)
    for suffix in recalculate:
        if is_suffix(suffix):
            hashes[suffix] = None
    computed = {}
    for suffix, value in list(hashes.items()):
        if value is None:
            computed[suffix] = hash_suffix(os.path.join(partition_dir, suffix), reclaim_age)
    if computed:
        hashes.update(computed)
        with lock_dir(partition_dir):
            # If another reader folded newer invalidations in meanwhile, our
            # values may be stale: leave its cache alone (the next call redoes).
            if _cache_generation(partition_dir) == snapshot:
                _write_cache(partition_dir, {
                    k: v for k, v in hashes.items()
                    if v is not None or k not in computed})
    return {k: v for k, v in hashes.items() if v is not None}
