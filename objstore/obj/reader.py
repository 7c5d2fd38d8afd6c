"""Reading an object's bytes in chunks, checking them when read whole.

Reads that may wait for the disk run in a real thread (``pread`` of one
chunk at a time), so memory stays bounded and a slow disk only slows its
own request. A full read
compares size and MD5 with the metadata; on a mismatch the object is
quarantined so replication restores a good copy.

A full read judges the bytes by the CRC-64/NVME their writer kept
(``common/body_sums``: a few ms per GiB) where there is one, else by the MD5 against
the ETag; ``check_etag`` (the auditor) asks for the MD5 too.

A client must never receive a damaged object as if it were good. Objects up
to ``VERIFY_FIRST_BYTES`` are checked in a first pass before any byte is
sent (a second read of a small file is cheap, memory stays bounded), so a
damaged replica answers an error and the proxy reads another. Larger
objects hold back their last chunk until the MD5 is known and, if it is
wrong, end the response short: the client sees a truncated body, never a
complete bad one.

An object larger than ``keep_cache`` bytes is read with the kernel told
so (``POSIX_FADV_SEQUENTIAL``: a longer read-ahead) and each chunk's pages
are dropped from the page cache once read (``drop_cache``, in the same
thread-pool call; what the kernel read ahead, at close, in a thread nobody
waits for): streaming a large object does not evict the small, hot ones,
which a cache serves well. The first pass of a
check-before-send read keeps its pages, since the send reads them again.
A whole read of such an object goes past the cache instead where it can
(``O_DIRECT`` into an aligned buffer, ``_direct_buffer``).

A read of up to ``INLINE_READ_BYTES`` whose pages the page cache holds
all of is made in the server's own thread (``preadv`` with ``RWF_NOWAIT``:
the kernel copies what it has and never waits for the disk). Handing a
4 KiB read to the thread pool and back cost more CPU than the read
itself (about a third of the object server's CPU per 4 KiB GET); a read
the cache cannot answer still goes to the pool, so a slow disk still
slows only its own request.
"""

from __future__ import annotations

import collections
import errno
import os
from typing import Any, Callable, Deque, Generator, Iterator, List, Optional, Tuple

from objstore.common import concurrency
from objstore.common.utils import new_md5
from objstore.common.body_sums import new_body_crc
from objstore.obj import direct_write
from objstore.obj.metadata import Metadata
from objstore.obj.writer import drop_cache, drop_cache_later

VERIFY_FIRST_BYTES = 8 * 1024 * 1024
#: reads up to this size are tried in the server's own thread first
INLINE_READ_BYTES = 64 * 1024
#: False once the kernel or file system refused RWF_NOWAIT (then always the pool)
_nowait = hasattr(os, "preadv") and hasattr(os, "RWF_NOWAIT")


def _pread_cached(fd: int, size: int, offset: int) -> Optional[bytes]:
    """Up to ``size`` bytes at ``offset`` if the page cache holds them
    (fewer if it holds only the first of them; ``b""`` at the end of the
    file), without waiting for the disk; None when the read would wait."""
    global _nowait
    if not _nowait:
        return None
    buf = bytearray(size)
    try:
        got = os.preadv(fd, [buf], offset, os.RWF_NOWAIT)
    except BlockingIOError:
        return None
    except OSError as err:
        if err.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            _nowait = False
            return None
        raise
    return bytes(buf) if got == size else bytes(memoryview(buf)[:got])


def _pread(fd: int, size: int, offset: int, sums: List[Any], drop: bool = False) -> bytes:
    """One chunk, added to ``sums``: in this thread when small and cached,
    else in the thread pool (with the drop from the page cache)."""
    if size <= INLINE_READ_BYTES and not drop:
        chunk = _pread_cached(fd, size, offset)
        if chunk is not None:
            for running in sums:
                running.update(chunk)
            return chunk
    return concurrency.run_in_thread(_pread_into, fd, size, offset, sums, drop)


def _pread_into(fd: int, size: int, offset: int, sums: List[Any], drop: bool = False) -> bytes:
    chunk = os.pread(fd, size, offset)
    for running in sums:
        running.update(chunk)
    if drop and chunk:
        drop_cache(fd, offset, len(chunk))
    return chunk


def _pread_direct(fd: int, size: int, offset: int, sums: List[Any], buffer: Any) -> bytes:
    """In a thread: up to ``size`` bytes at ``offset`` (aligned) of a file
    read with ``O_DIRECT``, into the aligned ``buffer`` (whole blocks: the
    file's last one may be short), then copied out. A file system that
    refuses the read (``EINVAL``) gets the file read through the cache."""
    if offset % direct_write.ALIGN:  # past the end (the last chunk was short): the EOF probe
        return _pread_into(fd, size, offset, sums)
    length = -(-size // direct_write.ALIGN) * direct_write.ALIGN
    with memoryview(buffer) as view:
        try:
            got = os.preadv(fd, [view[:length]], offset)
        except OSError as err:
            if err.errno != errno.EINVAL:
                raise
            direct_write.set_direct(fd, False)
            return _pread_into(fd, size, offset, sums, True)
        chunk = bytes(view[:min(got, size)])
    for running in sums:
        running.update(chunk)
    return chunk


class DamagedObject(IOError):
    """The object's bytes do not match its metadata; it was quarantined."""


class DiskFileReader:
    """An open object's body; iterate for all of it, or ``read_range``."""

    def __init__(self, fd: int, metadata: Metadata, chunk_size: int,
                 on_damage: Optional[Callable[[str], object]],
                 body_crc: Optional[str] = None, check_etag: bool = False,
                 keep_cache: Optional[int] = None) -> None:
        self.fd = fd
        self.metadata = metadata
        self.body_crc = body_crc
        self.check_etag = check_etag
        self.chunk_size = chunk_size
        self.on_damage = on_damage
        self.size = int(metadata.get("Content-Length", 0))
        self.bytes_read = 0
        self.damaged: Optional[str] = None
        self.verified = False
        self._whole: Optional[bytes] = None  # kept by verify_whole when one chunk
        self.drop = keep_cache is not None and self.size > keep_cache
        #: a whole read of a large object goes past the page cache (``_chunks``)
        self.direct = False
        if self.drop:
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            except (OSError, AttributeError):
                pass  # advice only

    def __iter__(self) -> Iterator[bytes]:
        chunks: Optional[Generator[bytes, None, None]] = None
        try:
            if self.verified:
                whole, self._whole = self._whole, None
                if whole is not None:
                    self.bytes_read += len(whole)
                    yield whole
                else:
                    yield from self.read_range(0, self.size)
                return
            held: Optional[bytes] = None
            sums = self._sums()
            chunks = self._chunks(sums, self.drop)
            for chunk in chunks:
                self.bytes_read += len(chunk)
                if held is not None:
                    yield held
                held = chunk
            problem = self._problem(self.bytes_read, sums)
            if problem:
                self._damage(problem)
                raise DamagedObject(problem)
            if held is not None:
                yield held
        finally:
            if chunks is not None:
                chunks.close()  # waits for a read ahead still in flight
            self.close()

    def verify_whole(self) -> None:
        """Read the object once without sending it; ``DamagedObject`` (and
        quarantine) if it does not match its metadata. Afterwards iterating
        streams without checking again (an object of one chunk is not
        read twice: that chunk is kept for it)."""
        sums = self._sums()
        length = 0
        kept: List[bytes] = []
        for chunk in self._chunks(sums):
            length += len(chunk)
            if length <= self.chunk_size:
                kept.append(chunk)
            else:
                kept.clear()
        problem = self._problem(length, sums)
        if problem:
            try:
                self._damage(problem)
            finally:
                self.close()  # even when the quarantine itself fails
            raise DamagedObject(problem)
        self.verified = True
        if length <= self.chunk_size:
            self._whole = b"".join(kept)

    def _sums(self) -> List[Tuple[Any, str, str]]:
        """``(running sum, expected hex digest, name)`` a full read is judged by."""
        sums: List[Tuple[Any, str, str]] = []
        crc = new_body_crc() if self.body_crc else None
        if crc is not None:
            sums.append((crc, str(self.body_crc).lower(), "CRC-64/NVME"))
        if crc is None or self.check_etag:
            sums.append((new_md5(), str(self.metadata.get("ETag")), "MD5"))
        return sums

    def _chunks(self, sums: List[Tuple[Any, str, str]],
                drop: bool = False) -> Generator[bytes, None, None]:
        """The whole file, one pread of up to ``chunk_size`` at a time, each
        added to ``sums`` in the same thread-pool call (the server's own
        thread is left to the network; a small cached read is made in it).

        Each read asks for no more than the metadata's length still to come
        (plus one byte, so a file longer than it claims is noticed): a
        large ``chunk_size`` costs a small object no big buffer."""
        running = [entry[0] for entry in sums]
        offset = 0
        ahead = self.size > self.chunk_size  # read the next chunk while this one is sent
        pending: Optional[Callable[[], bytes]] = None
        buffer = self._direct_buffer() if drop else None
        if buffer is not None and ahead:
            try:
                yield from self._chunks_read_ahead(running, buffer)
            finally:
                direct_write.give_back(buffer)
            return
        try:
            while True:
                want = min(self.chunk_size, max(self.size - offset, 0) + 1)
                if pending is None:
                    chunk = _pread(self.fd, want, offset, running, drop) if buffer is None \
                        else concurrency.run_in_thread(_pread_direct, self.fd, want, offset,
                                                       running, buffer)
                else:
                    chunk, pending = pending(), None
                if not chunk:
                    return
                offset += len(chunk)
                if ahead:
                    want = min(self.chunk_size, max(self.size - offset, 0) + 1)
                    pending = concurrency.start_in_thread(
                        _pread_into, self.fd, want, offset, running, drop) if buffer is None \
                        else concurrency.start_in_thread(_pread_direct, self.fd, want, offset,
                                                         running, buffer)
                yield chunk
        finally:
            if pending is not None:  # never close the file under a read in flight
                try:
                    pending()
                except Exception:
                    pass
            if buffer is not None:
                direct_write.give_back(buffer)

    def _chunks_read_ahead(self, running: List[Any], buffer: Any) -> Generator[bytes, None, None]:
        """``_chunks`` of a large object read past the cache: each next
        chunk is read (into ``buffer``, copied out, added to ``running``)
        by an OS thread of this read's own while the current one is sent.

        Why not the thread pool, as other reads: a hand-off there costs
        0.10-0.16 ms of CPU here even for a call that does nothing (a pipe
        wake-up of the hub, a green thread, Python ``Condition``s each
        way), 256 of them per 256 MiB; here a job is queued with a
        ``SimpleQueue.put`` and its result taken from a ``deque``
        (docs/performance.md, session 13)."""
        results: Deque[Tuple[Optional[bytes], Optional[BaseException]]] = collections.deque()

        def read(job: Tuple[int, int]) -> None:
            try:
                results.append((_pread_direct(self.fd, job[1], job[0], running, buffer), None))
            except Exception as err:  # given to the reading green thread
                results.append((None, err))

        feed = concurrency.ThreadFeed(read, backlog=1)
        offset = 0
        try:
            feed.put((offset, min(self.chunk_size, self.size + 1)))
            while True:
                concurrency.wait_until(lambda: bool(results))
                chunk, error = results.popleft()
                if error is not None:
                    raise error
                if not chunk:
                    return
                offset += len(chunk)
                feed.put((offset, min(self.chunk_size, max(self.size - offset, 0) + 1)))
                yield chunk
        finally:
            feed.cancel(wait=True)  # never close the file (or reuse the buffer) under a read

    def _direct_buffer(self) -> Any:
        """An aligned buffer for reading this file with ``O_DIRECT`` (set on
        it now), or ``None`` to read through the page cache.

        Why: an object past ``keep_cache`` is dropped from the cache as it
        is read anyway, and reading it through the cache first costs what
        a buffered write costs (pages found, reclaimed, on this VM faulted
        in again by the host: 50-400 ms of CPU per 256 MiB read, against
        45-70 ms ``O_DIRECT`` into one reused buffer; docs/performance.md,
        session 13). Chunks at offsets not a multiple of a block, or larger
        than a buffer, keep the cache."""
        size = self.chunk_size
        if size % direct_write.ALIGN or size > direct_write.BUFFER_BYTES or \
                not hasattr(os, "O_DIRECT"):
            return None
        try:
            direct_write.set_direct(self.fd, True)
        except OSError:
            return None
        self.direct = True
        return direct_write.take_buffer()

    def _problem(self, length: int, sums: List[Tuple[Any, str, str]]) -> Optional[str]:
        if length != self.size:
            return "read %d bytes, metadata says %d" % (length, self.size)
        for running, expected, name in sums:
            if running.hexdigest() != expected:
                return "%s %s, metadata says %s" % (name, running.hexdigest(), expected)
        return None

    def read_range(self, start: int, stop: int) -> Iterator[bytes]:
        """Bytes ``start`` up to (not including) ``stop``; no verification."""
        offset = start
        while offset < stop:
            want = min(self.chunk_size, stop - offset)
            chunk = _pread(self.fd, want, offset, [], self.drop)
            if not chunk:
                return  # file shorter than it claimed: end short, the proxy notices
            offset += len(chunk)
            self.bytes_read += len(chunk)
            yield chunk

    def _damage(self, reason: str) -> None:
        self.damaged = reason
        if self.on_damage is not None:
            self.on_damage(reason)

    def close(self) -> None:
        if self.fd >= 0:
            if self.drop and not self.direct:
                drop_cache_later(self.fd)  # and what the kernel read ahead
            else:
                os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        # A caller that dropped the body neither read to its end nor closed
        # (an in-process WSGI call, a test) must not keep the object's file
        # open for the life of the process: the last reference closes it.
        if getattr(self, "fd", -1) >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1
