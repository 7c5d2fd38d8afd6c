"""Writing a large object body past the page cache (``O_DIRECT``).

Why: what a buffered write of a large body costs here is not the copy but
the page cache around it. Every page the body fills must first be found
(reclaiming, compacting memory, and on a virtual machine the host backing
again a page the guest had given back), is then written back by the
kernel, and is finally dropped (``writer.drop_cache_later``). On the
project's 2-core VM a buffered 256 MiB write took 47-372 ms of CPU (the
latter once memory had to be reclaimed: most of a 256 MiB PUT's
object-server CPU, ``copy_folio_from_iter_atomic`` in ``perf``); the same
bytes written with ``O_DIRECT`` from one reused buffer took 18 ms, and the
fsync after it had nothing left to write. docs/performance.md, session 12.

How: the body's bytes are copied into a page-aligned buffer (``O_DIRECT``
wants the memory, the file offset and the length aligned to the device's
block; a chunk read from a socket is none of these), and each full buffer
is written with ``pwrite`` from a thread-pool thread, since the call waits
for the device and must not stall the server's other requests. A full
buffer is written only once more bytes need its room, so a body of one
buffer (a 1 MiB PUT) reaches the disk in the same thread-pool call as the
fsync that follows (``finish``): no extra hand-off. The last bytes that do
not fill a block go through the page cache, ``O_DIRECT`` cleared first.

What is durable, and when, is unchanged: nothing is until the fsync
(the data is on the device, but its extents and size are not), which
still comes before the rename. A file system that refuses ``O_DIRECT``
(tmpfs, some FUSE) leaves the writer on the buffered path.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
from typing import List, Optional

from objstore.common import concurrency

#: offsets, lengths and memory of every direct write are multiples of this
#: (a page: at least the logical block of any device this runs on)
ALIGN = 4096
#: bytes a writer stages before writing them (one thread-pool call each)
BUFFER_BYTES = 1024 * 1024
#: staging buffers kept for the next writer (each ``BUFFER_BYTES``): a fresh
#: mapping costs a page fault per page on first use
_MAX_IDLE = 8
_idle: List[mmap.mmap] = []


def _take_buffer() -> mmap.mmap:
    return _idle.pop() if _idle else mmap.mmap(-1, BUFFER_BYTES)


def _give_back(buffer: mmap.mmap) -> None:
    if len(_idle) < _MAX_IDLE:
        _idle.append(buffer)
        return
    try:
        buffer.close()
    except BufferError:
        pass  # a write that was given up on still holds it: garbage later


def _pwrite_all(fd: int, data: memoryview, offset: int) -> None:
    """Write all of ``data`` at ``offset`` (a short write only happens as
    the disk fills up; what is left is asked for again, which fails then)."""
    while data:
        done = os.pwrite(fd, data, offset)
        if done <= 0:
            raise OSError(errno.ENOSPC, "short write")
        data = data[done:]
        offset += done


def _set_direct(fd: int, on: bool) -> None:
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_DIRECT if on else flags & ~os.O_DIRECT)


class DirectSink:
    """The body of one new file, written from aligned buffers with
    ``O_DIRECT``; ``open`` says whether the file system takes it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer: Optional[mmap.mmap] = _take_buffer()
        self._view = memoryview(self._buffer)
        self._filled = 0
        #: where the buffer's first byte goes in the file
        self._offset = 0

    @classmethod
    def open(cls, fd: int) -> Optional["DirectSink"]:
        """A sink writing to ``fd`` directly, or ``None`` when the file
        system refuses ``O_DIRECT`` (the caller writes through the cache)."""
        if not hasattr(os, "O_DIRECT"):
            return None
        try:
            _set_direct(fd, True)
        except OSError:
            return None
        return cls(fd)

    def write(self, chunk: bytes) -> None:
        """Stage ``chunk``; a full buffer that needs room goes to the disk
        first, from a thread-pool thread (the calling green thread waits)."""
        data = memoryview(chunk)
        while data:
            if self._filled == BUFFER_BYTES:
                concurrency.run_in_thread(_pwrite_all, self.fd, self._view, self._offset)
                self._offset += BUFFER_BYTES
                self._filled = 0
            take = min(len(data), BUFFER_BYTES - self._filled)
            self._view[self._filled:self._filled + take] = data[:take]
            self._filled += take
            data = data[take:]

    def finish(self) -> None:
        """Write what is staged: the whole blocks directly, the rest (less
        than a block) through the page cache. Blocking: call it from the
        thread-pool call that fsyncs the file next."""
        whole = self._filled - self._filled % ALIGN
        if whole:
            _pwrite_all(self.fd, self._view[:whole], self._offset)
        if whole < self._filled:
            _set_direct(self.fd, False)
            _pwrite_all(self.fd, self._view[whole:self._filled], self._offset + whole)
        self._offset += self._filled
        self._filled = 0

    def close(self) -> None:
        """Give the buffer back for the next writer (nothing is written)."""
        if self._buffer is not None:
            self._view.release()
            _give_back(self._buffer)
            self._buffer = None
