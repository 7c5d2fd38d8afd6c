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
(tmpfs, some FUSE) leaves the writer on the buffered path; one that takes
the flag but refuses the writes (``EINVAL``) gets that file's bytes
through the cache from the refused write on, and its device (``st_dev``)
is remembered: its next files are written through the cache from the
start.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
from typing import List, Optional, Set, Tuple

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
#: the devices (``st_dev``) whose file system took ``O_DIRECT`` but refused
#: a write with it: written through the cache (a handful of numbers)
_refusing_devices: Set[int] = set()


def take_buffer() -> mmap.mmap:
    """A page-aligned buffer of ``BUFFER_BYTES`` (an idle one if any), for
    ``O_DIRECT`` writes here and reads (``obj/reader``)."""
    return _idle.pop() if _idle else mmap.mmap(-1, BUFFER_BYTES)


def give_back(buffer: mmap.mmap) -> None:
    """Keep ``buffer`` for the next ``take_buffer`` (or unmap it)."""
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


def set_direct(fd: int, on: bool) -> None:
    """Turn ``O_DIRECT`` on or off for ``fd`` (``OSError`` if refused)."""
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_DIRECT if on else flags & ~os.O_DIRECT)


class DirectSink:
    """The body of one new file, written from aligned buffers with
    ``O_DIRECT``; ``open`` says whether the file system takes it.

    Two buffers take turns: while one is written (by a ``ThreadFeed``'s
    thread, the body's only writer), the body arrives in the other. The
    caller may read straight into the buffer (``space`` then ``filled``)
    or hand over chunks (``write``, one copy)."""

    def __init__(self, fd: int, device: int = -1) -> None:
        self.fd = fd
        #: the file's ``st_dev``, remembered if its writes are refused
        self.device = device
        #: ``O_DIRECT`` is on (until a write is refused with it)
        self.direct = True
        # the second buffer is taken when the first is full: a body of one
        # buffer (a 1 MiB PUT) holds one
        self._buffers: List[mmap.mmap] = [take_buffer()]
        self._views = [memoryview(self._buffers[0])]
        self._current = 0
        self._filled = 0
        #: where the current buffer's first byte goes in the file
        self._offset = 0
        #: the full buffers' writer, from the first one on
        self._feed: Optional[concurrency.ThreadFeed] = None

    @classmethod
    def open(cls, fd: int) -> Optional["DirectSink"]:
        """A sink writing to ``fd`` directly, or ``None`` when the file
        system refuses ``O_DIRECT`` (the caller writes through the cache)."""
        if not hasattr(os, "O_DIRECT"):
            return None
        device = os.fstat(fd).st_dev
        if device in _refusing_devices:
            return None
        try:
            set_direct(fd, True)
        except OSError:
            return None
        return cls(fd, device)

    def space(self, want: int) -> memoryview:
        """Where the next (up to ``want``) bytes of the body go: the free
        room of the current buffer. A full one is handed to the writer
        first (the calling green thread waits only while the other buffer
        is still being written); its failure (``OSError``) is raised here."""
        if self._filled == BUFFER_BYTES:
            if self._feed is None:
                self._feed = concurrency.ThreadFeed(self._write_full, backlog=1)
            if len(self._buffers) == 1:
                self._buffers.append(take_buffer())
                self._views.append(memoryview(self._buffers[1]))
            self._feed.put((self._views[self._current], self._offset))
            self._offset += BUFFER_BYTES
            self._current ^= 1
            self._filled = 0
        room = min(want, BUFFER_BYTES - self._filled)
        return self._views[self._current][self._filled:self._filled + room]

    def filled(self, count: int) -> None:
        """``count`` bytes were put at the start of the last ``space``."""
        self._filled += count

    def write(self, chunk: bytes) -> None:
        """Stage a copy of ``chunk`` (full buffers go to the disk)."""
        data = memoryview(chunk)
        while data:
            room = self.space(len(data))
            take = len(room)
            room[:] = data[:take]
            self.filled(take)
            data = data[take:]

    def _write_full(self, job: Tuple[memoryview, int]) -> None:
        """In the feed's thread: one full buffer at its offset."""
        self._pwrite(job[0], job[1])

    def _pwrite(self, data: memoryview, offset: int) -> None:
        """Write ``data`` at ``offset``; if the file system refuses it with
        ``O_DIRECT`` (``EINVAL``: it took the flag, not the writes), again
        through the cache, as every later write of this file and of its
        device's next files (the fsync after them makes them as durable)."""
        try:
            _pwrite_all(self.fd, data, offset)
        except OSError as err:
            if err.errno != errno.EINVAL or not self.direct:
                raise
            set_direct(self.fd, False)
            self.direct = False
            _refusing_devices.add(self.device)
            _pwrite_all(self.fd, data, offset)

    def drain(self) -> None:
        """Wait (green) until the full buffers handed over are written;
        their failure (``OSError``) is raised here. Before ``finish``."""
        if self._feed is not None:
            feed, self._feed = self._feed, None
            feed.finish()

    def finish(self) -> None:
        """Write what is staged: the whole blocks directly, the rest (less
        than a block) through the page cache. Blocking, after ``drain``:
        call it from the thread-pool call that fsyncs the file next."""
        view = self._views[self._current]
        whole = self._filled - self._filled % ALIGN
        if whole:
            self._pwrite(view[:whole], self._offset)
        if whole < self._filled:
            if self.direct:
                set_direct(self.fd, False)
            _pwrite_all(self.fd, view[whole:self._filled], self._offset + whole)
        self._offset += self._filled
        self._filled = 0

    def close(self) -> None:
        """Give the buffers back for the next writer (nothing more is
        written). A write still under way is waited for: the file's
        descriptor is closed next, and its number may then name another
        file."""
        if self._feed is not None:
            feed, self._feed = self._feed, None
            feed.cancel(wait=True)
        for view, buffer in zip(self._views, self._buffers):
            view.release()
            give_back(buffer)
        self._views, self._buffers = [], []
