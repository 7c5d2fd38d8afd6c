"""Writing one new file of an object: temp file, fsync, rename.

The body goes to a temp file in ``<device>/tmp`` (same filesystem as the
object, so the final rename is atomic). ``put`` sets the metadata (maybe
spilling to a sidecar in the hash dir), fsyncs the file, renames it into
the hash dir and fsyncs the dir: after ``put`` returns the object survives
a crash, and before it nothing is visible. The fsyncs run in a real thread
so one slow disk does not stall the server; that thread makes only the
fsyncs, the lock and the rename between them (one hand-off, few GIL
re-takes), the calls that do not wait for the disk being made before it.
The same hand-off then removes what the new file obsoletes and logs the
suffix as changed (the caller's ``tidy``): after every fsync, so the
promise is unchanged, and the hub does not wait for those unlinks.

Directories the write creates (partition, suffix, hash dir) have their
parents fsynced too, but after the data and the rename rather than right
after each ``mkdir``: a journaling filesystem then commits the new entries
in the same transaction as the data (two commits a new object instead of
up to five), and every fsync still happens before ``put`` returns.

A large body's pages are handed to the disk as they arrive: every
``WRITEBACK_BYTES`` written start writing back the range before
(``sync_file_range``, which does not wait), so the disk works while the
network streams and the fsync before the rename finds little left to do
(256 MiB, 3 replicas at once on this disk: 0.5-0.6 s of final fsync
became 0.01 s). What is durable, and when, is unchanged: the fsync still
comes before the rename.

A body of at least ``direct_size`` bytes (its length known up front) is
written past the page cache instead (``direct_write.py``: ``O_DIRECT``
from two aligned buffers taking turns, each full one written by a thread
of the write's own while the next fills, the last one in the same call as
the fsync; the caller may read the body straight into them, ``room``);
neither the writeback nor the drop below is needed then.

A body larger than ``keep_cache`` bytes leaves the page cache once it is
published (``posix_fadvise(DONTNEED)``: its pages are clean after the
fsync, so they go at once), in a thread the request does not wait for: a
stream of large writes does not push the small, hot objects out of memory.

Every ``.data`` gets the CRC-64/NVME of the bytes written into it
(``common/body_sums``), which whole-object reads check; whatever the caller's
metadata says under that key is replaced.

Every rename into a hash dir happens under an exclusive ``flock`` of that
dir, and a conditional write's check (``put``'s ``precondition``) runs under
the same lock just before its rename: nothing can be published between a
node's check and its write (``write_conditions.py``).
"""

from __future__ import annotations

import errno
import fcntl
import os
import uuid
from typing import Any, Callable, List, Optional

from objstore.common import body_sums, concurrency, process
from objstore.common.timestamp import Timestamp
from objstore.common.utils import fsync_dir, mkdirs
from objstore.obj.direct_write import DirectSink
from objstore.obj.exceptions import DiskFileNoSpace
from objstore.obj.metadata import Metadata, write_metadata
from objstore.obj.ondisk import make_sidecar_name


#: start writing back a body's pages every this many bytes
WRITEBACK_BYTES = 8 * 1024 * 1024
_SYNC_FILE_RANGE_WRITE = 2


def _libc_sync_file_range() -> Optional[Callable[..., int]]:
    try:
        import ctypes

        call = ctypes.CDLL(None, use_errno=True).sync_file_range
        call.argtypes = (ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint)
        return call  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None  # not Linux: the fsync before the rename does all of it


_sync_file_range = _libc_sync_file_range()


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing ``length`` bytes of ``fd`` from
    ``offset`` to the disk, without waiting (nothing is made durable)."""
    if _sync_file_range is not None:
        _sync_file_range(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


def drop_cache(fd: int, offset: int, length: int) -> None:
    """Tell the kernel the clean pages of ``length`` bytes of ``fd`` from
    ``offset`` (0: to the end) will not be read again soon."""
    try:
        os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)
    except (OSError, AttributeError):
        pass  # advice only


def _drop_and_close(fd: int) -> None:
    try:
        drop_cache(fd, 0, 0)
    finally:
        os.close(fd)


def drop_cache_later(fd: int) -> None:
    """Drop all of ``fd``'s clean pages from the page cache, then close it
    (the caller gives it up), in a real thread nobody waits for: the call
    waits for every CPU to drain its page lists (tens of ms on a busy box),
    which no request should wait for."""
    concurrency.start_in_thread(_drop_and_close, fd)


def make_dirs(path: str) -> List[str]:
    """Create ``path`` and its missing parents without syncing anything;
    the dirs created, outermost first (``fsync_created`` makes them
    durable). One ``mkdir`` when ``path`` exists already."""
    created: List[str] = []
    _make_dir(path, created)
    return created


def _make_dir(path: str, created: List[str]) -> None:
    try:
        os.mkdir(path)
    except FileExistsError:
        return  # a racing creator, or there already
    except FileNotFoundError:
        parent = os.path.dirname(path)
        if parent == path:
            raise
        _make_dir(parent, created)
        try:
            os.mkdir(path)
        except FileExistsError:
            return
    created.append(path)


def fsync_created(created: List[str]) -> None:
    """fsync the parent of every dir ``make_dirs`` created, so they are
    still there after a power cut."""
    for path in created:
        fsync_dir(os.path.dirname(path))


def makedirs_durable(path: str) -> None:
    """Create ``path`` and fsync the parent of every dir created."""
    fsync_created(make_dirs(path))


class DiskFileWriter:
    """A new ``.data`` (or an empty ``.meta``/``.ts``) being written."""

    def __init__(self, tmp_dir: str, datadir: str, size: Optional[int],
                 after_publish: Callable[[], None], keep_cache: Optional[int] = None,
                 direct_size: int = 0, tidy: Optional[Callable[[], None]] = None) -> None:
        """``tidy`` (system calls only: it runs in a real thread) is made in
        the publication's own thread-pool call, after the rename and every
        fsync; ``after_publish`` then, back on the hub."""
        self.datadir = datadir
        self.after_publish = after_publish
        self.tidy = tidy
        self.keep_cache = keep_cache
        try:
            self.fd, self.tmp_path = process.mkstemp(tmp_dir, ".obj-", ".tmp")
        except FileNotFoundError:  # the device's first write
            mkdirs(tmp_dir)
            self.fd, self.tmp_path = process.mkstemp(tmp_dir, ".obj-", ".tmp")
        self.bytes_written = 0
        self._written_back = 0
        #: bytes the file was preallocated to (its size until truncated)
        self._allocated = 0
        self.crc = body_sums.new_body_crc()
        self.published: Optional[str] = None
        #: the body's way to the disk past the page cache, if it takes one
        self._direct: Optional[DirectSink] = None
        if size:
            try:
                os.posix_fallocate(self.fd, 0, size)
                self._allocated = size
            except OSError as err:
                if err.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                    self.close()
                    raise
        if size and direct_size and size >= direct_size:
            try:
                self._direct = DirectSink.open(self.fd)
            except BaseException:  # no buffer to be had (mmap): no file either
                self.close()
                raise

    def __enter__(self) -> "DiskFileWriter":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def room(self, want: int) -> Optional[memoryview]:
        """Where up to ``want`` next bytes of the body may be read straight
        into (then ``filled``), sparing a copy; ``None`` when this file is
        written through the page cache (``write`` then).
        ``DiskFileNoSpace`` if the disk fills up."""
        if self._direct is None:
            return None
        try:
            return self._direct.space(want)
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFileNoSpace(str(err)) from None
            raise

    def filled(self, data: memoryview) -> int:
        """``data`` (the start of the last ``room``) was read into it."""
        assert self._direct is not None
        self._direct.filled(len(data))
        return self._count(data)

    def write(self, chunk: bytes) -> int:
        """Append ``chunk``; ``DiskFileNoSpace`` if the disk fills up."""
        try:
            if self._direct is not None:
                self._direct.write(chunk)
            else:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(self.fd, view):]
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFileNoSpace(str(err)) from None
            raise
        return self._count(chunk)

    def _count(self, chunk: Any) -> int:
        self.bytes_written += len(chunk)
        if self.crc is not None:
            self.crc.update(chunk)
        if self._direct is None and \
                self.bytes_written - self._written_back >= WRITEBACK_BYTES:
            start_writeback(self.fd, self._written_back, self.bytes_written - self._written_back)
            self._written_back = self.bytes_written
        return self.bytes_written

    def put(self, metadata: Metadata, ext: str = ".data",
            precondition: Optional[Callable[[], None]] = None) -> str:
        """Make the file durable and visible as ``<X-Timestamp><ext>``.

        ``precondition`` runs under the hash dir's lock right before the
        rename; whatever it raises aborts the write (nothing is published)."""
        if ext.endswith(".data"):
            metadata = {k: v for k, v in metadata.items() if k != body_sums.METADATA_KEY}
            if self.crc is not None:
                metadata[body_sums.METADATA_KEY] = self.crc.hexdigest()
        try:
            if self._direct is not None:
                self._direct.drain()  # the full buffers on the disk before the fsync
            target = None
            if precondition is None:
                target = self._publish_prepared(metadata, ext)
            if target is None:  # a conditional write, or metadata that spills
                target = concurrency.run_in_thread(self._publish, metadata, ext, precondition)
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFileNoSpace(str(err)) from None
            raise
        self.published = target
        self.after_publish()
        return target

    def _publish_prepared(self, metadata: Metadata, ext: str) -> Optional[str]:
        """The usual write's publication, with one hand-off that only syncs.

        The calls that do not wait for the disk (the truncate, the dirs'
        ``mkdir``, the metadata's ``fsetxattr``, the dirs' opens) are made
        here, as every other namespace call of a request is; the thread
        pool gets the calls that wait (the fsyncs) and the lock and the
        rename between them, in the same order as ``_publish``: data fsync,
        lock, rename, hash dir fsync, new dirs' parents fsynced. A thread
        that runs few Python lines between system calls takes the GIL back
        few times: each time is a context switch or two while the hub runs.

        None (nothing published, nothing to undo) when the metadata would
        spill to a sidecar, whose write fsyncs: ``_publish`` does that."""
        name = Timestamp(metadata["X-Timestamp"]).internal + ext
        if self._allocated > self.bytes_written:
            os.ftruncate(self.fd, self.bytes_written)  # drop fallocate'd tail
            self._allocated = self.bytes_written
        created = make_dirs(self.datadir)
        try:
            write_metadata(self.fd, metadata, _no_sidecar, fresh=True)
        except _WouldSpill:
            if created:  # the dirs exist: the thread's write fsyncs their parents
                concurrency.run_in_thread(fsync_created, created)
            return None
        fds: List[int] = []
        try:
            fds.append(os.open(self.datadir, os.O_RDONLY | os.O_DIRECTORY))
            for path in created:
                fds.append(os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY))
            target = os.path.join(self.datadir, name)
            concurrency.run_in_thread(_sync_lock_rename_sync, self.fd, self.tmp_path, target,
                                      fds, self._direct, self.tidy)
        finally:
            for fd in fds:
                os.close(fd)  # the hash dir's: releases the lock
        return target

    def _publish(self, metadata: Metadata, ext: str,
                 precondition: Optional[Callable[[], None]] = None) -> str:
        name = Timestamp(metadata["X-Timestamp"]).internal + ext
        if self._direct is not None:
            self._direct.finish()  # the staged bytes, in this same thread-pool call
        if self._allocated > self.bytes_written:
            os.ftruncate(self.fd, self.bytes_written)  # drop fallocate'd tail
        created = make_dirs(self.datadir)
        spilled = None
        try:
            # the sidecar's name (random) is only made if the metadata spills
            spilled = write_metadata(self.fd, metadata, lambda: os.path.join(
                self.datadir, make_sidecar_name(name, uuid.uuid4().hex[:8])), fresh=True)
            os.fsync(self.fd)
            target = os.path.join(self.datadir, name)
            dir_fd = os.open(self.datadir, os.O_RDONLY | os.O_DIRECTORY)
            try:
                # A real thread: blocking here stalls no green thread. The
                # lock is held for a listing, the rename and the dir's
                # fsync (which the same descriptor makes: no second open).
                fcntl.flock(dir_fd, fcntl.LOCK_EX)
                if precondition is not None:
                    precondition()
                os.rename(self.tmp_path, target)
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)  # releases the lock
        except BaseException:
            if spilled:
                _unlink(spilled)
            raise
        fsync_created(created)  # committed with the data already on a journaling fs
        if self.tidy is not None:
            self.tidy()
        return target

    def close(self) -> None:
        """Release the temp file; unpublished bytes are thrown away."""
        if self._direct is not None:
            self._direct.close()  # its pages never were in the cache: nothing to drop
        if self.fd >= 0:
            if self.published is not None and self.keep_cache is not None and \
                    (self._direct is None or not self._direct.direct) and \
                    self.bytes_written > self.keep_cache:
                drop_cache_later(self.fd)  # fsynced: its pages are clean
            else:
                os.close(self.fd)
            self.fd = -1
        if self.published is None:
            _unlink(self.tmp_path)


class _WouldSpill(Exception):
    """The metadata does not fit the file's xattrs (``_publish_prepared``)."""


def _no_sidecar() -> str:
    raise _WouldSpill()


def _sync_lock_rename_sync(fd: int, tmp_path: str, target: str, dir_fds: List[int],
                           direct: Optional[DirectSink] = None,
                           tidy: Optional[Callable[[], None]] = None) -> None:
    """In a real thread: write what ``direct`` still stages, fsync the data,
    lock the hash dir (``dir_fds[0]``), rename the file into it, fsync it,
    then fsync the other dirs (the parents of the dirs the write created),
    then ``tidy`` (still under the lock: the unlinks of the files the new
    one obsoletes, which the hub would otherwise wait for). Nothing but
    system calls."""
    if direct is not None:
        direct.finish()
    os.fsync(fd)
    fcntl.flock(dir_fds[0], fcntl.LOCK_EX)
    os.rename(tmp_path, target)
    for dir_fd in dir_fds:
        os.fsync(dir_fd)
    if tidy is not None:
        tidy()


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
