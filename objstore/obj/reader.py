"""Reading an object's bytes in chunks, checking them when read whole.

Reads run in a real thread (``pread`` of one chunk at a time), so memory
stays bounded and a slow disk only slows its own request. A full read
compares size and MD5 with the metadata; on a mismatch the object is
quarantined so replication restores a good copy. The client has already
had the bytes by then, which is why a damaged object is also caught
earlier where possible (size mismatch at open).
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, Optional

from objstore.common import concurrency
from objstore.common.utils import new_md5
from objstore.obj.metadata import Metadata


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

    def __iter__(self) -> Iterator[bytes]:
        md5 = new_md5()
        offset = 0
        try:
            while True:
                chunk = concurrency.run_in_thread(os.pread, self.fd, self.chunk_size, offset)
                if not chunk:
                    break
                offset += len(chunk)
                md5.update(chunk)
                self.bytes_read = offset
                yield chunk
            if offset != self.size:
                self._damage("read %d bytes, metadata says %d" % (offset, self.size))
            elif md5.hexdigest() != self.metadata.get("ETag"):
                self._damage("MD5 %s, metadata says %s" % (md5.hexdigest(), self.metadata.get("ETag")))
        finally:
            self.close()

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
