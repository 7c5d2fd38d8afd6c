"""Reading an object's bytes in chunks, checking them when read whole.

Reads run in a real thread (``pread`` of one chunk at a time), so memory
stays bounded and a slow disk only slows its own request. A full read
compares size and MD5 with the metadata; on a mismatch the object is
quarantined so replication restores a good copy.

A client must never receive a damaged object as if it were good. Objects up
to ``VERIFY_FIRST_BYTES`` are checked in a first pass before any byte is
sent (a second read of a small file is cheap, memory stays bounded), so a
damaged replica answers an error and the proxy reads another. Larger
objects hold back their last chunk until the MD5 is known and, if it is
wrong, end the response short: the client sees a truncated body, never a
complete bad one.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Generator, Iterator, Optional

from objstore.common import concurrency
from objstore.common.utils import new_md5
from objstore.obj.metadata import Metadata

VERIFY_FIRST_BYTES = 8 * 1024 * 1024


def _pread_into(fd: int, size: int, offset: int, md5: Any) -> bytes:
    chunk = os.pread(fd, size, offset)
    md5.update(chunk)
    return chunk


class DamagedObject(IOError):
    """The object's bytes do not match its metadata; it was quarantined."""


class DiskFileReader:
    """An open object's body; iterate for all of it, or ``read_range``."""

    def __init__(self, fd: int, metadata: Metadata, chunk_size: int,
                 on_damage: Optional[Callable[[str], object]]) -> None:
        self.fd = fd
        self.metadata = metadata
        self.chunk_size = chunk_size
        self.on_damage = on_damage
        self.size = int(metadata.get("Content-Length", 0))
        self.bytes_read = 0
        self.damaged: Optional[str] = None
        self.verified = False

    def __iter__(self) -> Iterator[bytes]:
        chunks: Optional[Generator[bytes, None, None]] = None
        try:
            if self.verified:
                yield from self.read_range(0, self.size)
                return
            held: Optional[bytes] = None
            md5 = new_md5()
            chunks = self._chunks(md5)
            for chunk in chunks:
                self.bytes_read += len(chunk)
                if held is not None:
                    yield held
                held = chunk
            problem = self._problem(self.bytes_read, md5.hexdigest())
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
        streams without checking again."""
        md5 = new_md5()
        length = 0
        for chunk in self._chunks(md5):
            length += len(chunk)
        problem = self._problem(length, md5.hexdigest())
        if problem:
            self._damage(problem)
            self.close()
            raise DamagedObject(problem)
        self.verified = True

    def _chunks(self, md5: Any) -> Generator[bytes, None, None]:
        """The whole file, one pread of up to ``chunk_size`` at a time, each
        added to ``md5`` in the same thread-pool call (the server's own
        thread is left to the network).

        Each read asks for no more than the metadata's length still to come
        (plus one byte, so a file longer than it claims is noticed): a
        large ``chunk_size`` costs a small object no big buffer."""
        offset = 0
        ahead = self.size > self.chunk_size  # read the next chunk while this one is sent
        pending: Optional[Callable[[], bytes]] = None
        try:
            while True:
                want = min(self.chunk_size, max(self.size - offset, 0) + 1)
                if pending is None:
                    chunk = concurrency.run_in_thread(_pread_into, self.fd, want, offset, md5)
                else:
                    chunk, pending = pending(), None
                if not chunk:
                    return
                offset += len(chunk)
                if ahead:
                    pending = concurrency.start_in_thread(
                        _pread_into, self.fd, min(self.chunk_size,
                                                  max(self.size - offset, 0) + 1), offset, md5)
                yield chunk
        finally:
            if pending is not None:  # never close the file under a read in flight
                try:
                    pending()
                except Exception:
                    pass

    def _problem(self, length: int, md5_hex: str) -> Optional[str]:
        if length != self.size:
            return "read %d bytes, metadata says %d" % (length, self.size)
        if md5_hex != self.metadata.get("ETag"):
            return "MD5 %s, metadata says %s" % (md5_hex, self.metadata.get("ETag"))
        return None

    def read_range(self, start: int, stop: int) -> Iterator[bytes]:
        """Bytes ``start`` up to (not including) ``stop``; no verification."""
        offset = start
        while offset < stop:
            want = min(self.chunk_size, stop - offset)
            chunk = concurrency.run_in_thread(os.pread, self.fd, want, offset)
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
            os.close(self.fd)
            self.fd = -1
