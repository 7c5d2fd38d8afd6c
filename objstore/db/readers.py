"""Read-only SQLite connections kept open between requests: for the info
row that every object update reads, and for every read of a container or
account GET or HEAD (``DatabaseBroker.request_reads``: info row, counts,
metadata and the listing on one connection).

Each object PUT or DELETE sends one row to every container replica, and
the container server first reads the database's info row (is the
container there, deleted, which policy). Opening a read-only connection
for that read cost about 60 system calls: SQLite stats the file, its
``-wal`` and ``-shm``, takes and drops its locks, and, as the last
writer's close had removed the ``-shm``, rebuilds it (create, ``fchown``,
``ftruncate``, eight ``pwrite``). An idle read-only connection kept open
holds the ``-shm`` in place and makes the next read one ``stat`` and one
query.

A read-only connection is safe to keep (``objstore/db/broker.py``): its
close never checkpoints nor deletes a WAL. But while one is kept, a
writer's close is not the last one and does not fold the WAL into the
file either: code that copies or links a ``.db`` file alone must call
``checkpoint()`` first (as the broker asks; the replicator copies with
SQLite's backup instead), so only the servers' request paths read
through this pool, never a daemon. A kept connection is only used
while the path still names the file it opened (same device and inode):
a database that was replaced (replication, re-creation) or removed
(reclaim, quarantine) gets a new connection, and the old ones are closed.
An idle connection holds no read transaction, so it never holds back a
checkpoint. Lists are only appended to and popped from (atomic under the
GIL), so OS threads and green threads may share the pool; a fork starts
afresh.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from typing import Callable, Dict, Iterator, List, Tuple

from objstore.common import process

#: database files with idle connections kept (past it, all are dropped)
MAX_FILES = 64
#: idle connections kept per database file
MAX_PER_FILE = 4

_Ident = Tuple[int, int]


class ReaderPool:
    """Idle read-only connections per database path, for one process."""

    def __init__(self, max_files: int = MAX_FILES, max_per_file: int = MAX_PER_FILE) -> None:
        self.max_files = max_files
        self.max_per_file = max_per_file
        self._pid = process.pid()
        self._idle: Dict[str, Tuple[_Ident, List[sqlite3.Connection]]] = {}

    def _own(self) -> Dict[str, Tuple[_Ident, List[sqlite3.Connection]]]:
        if self._pid != process.pid():
            self._pid, self._idle = process.pid(), {}
        return self._idle

    @contextlib.contextmanager
    def reader(self, path: str, open_: Callable[[], sqlite3.Connection]
               ) -> Iterator[sqlite3.Connection]:
        """A read-only connection to ``path`` (``open_`` makes a new one);
        ``FileNotFoundError`` if there is no such file."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self.forget(path)
            raise
        ident = (st.st_dev, st.st_ino)
        conn = self._take(path, ident) or open_()
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        self._give(path, ident, conn)

    def _take(self, path: str, ident: _Ident) -> "sqlite3.Connection | None":
        entry = self._own().get(path)
        if entry is None:
            return None
        if entry[0] != ident:
            self.forget(path)
            return None
        try:
            return entry[1].pop()
        except IndexError:
            return None

    def _give(self, path: str, ident: _Ident, conn: sqlite3.Connection) -> None:
        idle = self._own()
        entry = idle.get(path)
        if entry is None or entry[0] != ident:
            if len(idle) >= self.max_files:
                self.clear()
                idle = self._own()
            entry = idle[path] = (ident, [])
        if len(entry[1]) >= self.max_per_file:
            conn.close()
            return
        entry[1].append(conn)

    def forget(self, path: str) -> None:
        """Close the idle connections to ``path`` (moved or removed)."""
        entry = self._own().pop(path, None)
        if entry is not None:
            for conn in entry[1]:
                conn.close()

    def clear(self) -> None:
        idle, self._idle = self._own(), {}
        for _ident, conns in idle.values():
            for conn in conns:
                conn.close()


_POOL = ReaderPool()


def shared_pool() -> ReaderPool:
    """This process's pool."""
    return _POOL
